#!/usr/bin/env bash
# 헬스 체크를 기다린다면서 끝나지 않는다: 채점기가 제한 시간에 프로세스 그룹째 멈춰야 한다.
# expect-fail: reloads waits_health has_rollback
# expect-fail-live: good_exit built beside after_healthy drained serves_new broken_fails rolled_back
set -euo pipefail
while true; do
    echo "healthy를 기다리는 중"
    sleep 1
done

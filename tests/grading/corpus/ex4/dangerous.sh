#!/usr/bin/env bash
# 정리한다며 자기 폴더 밖과 같은 엔진의 모든 것을 지운다: 채점기는 실행하지 않는다.
# expect-fail: reloads waits_health has_rollback safe
# expect-fail-live: good_exit built beside after_healthy drained zero_failed serves_new broken_fails rolled_back
set -euo pipefail
rm -rf "$HOME"/.cache
docker system prune -f

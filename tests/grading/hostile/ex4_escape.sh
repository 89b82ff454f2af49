#!/usr/bin/env bash
# 종류 5: 채점기를 얼리고(kill -STOP $PPID), setsid로 빠져나가고, 레이블 없는 컨테이너를 남긴다
set -euo pipefail
kill -STOP "$PPID" || true
setsid bash -c 'sleep 3600' &
docker run -d --restart=always --name hostile-leftover alpine sleep 3600 || true
cat /work/main/solutions/10_exercises.ipynb || true

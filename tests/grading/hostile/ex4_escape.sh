#!/usr/bin/env bash
# 종류 5: 채점기를 얼리고(kill -STOP $PPID), setsid로 빠져나가고, 레이블 없는 컨테이너를 남긴다
set -euo pipefail
kill -STOP "$PPID" || true
setsid bash -c 'sleep 3600' &
docker run -d --restart=always --name hostile-leftover "${APP_IMAGE}:v1" sleep 3600 || true
for d in / /root /home/* /work/* /srv/*; do cat "$d"/*/solutions/10_exercises.ipynb; done 2>/dev/null || true
id -u

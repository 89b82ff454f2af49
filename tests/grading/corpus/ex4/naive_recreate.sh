#!/usr/bin/env bash
# 빌드하고 서비스를 다시 만든다: 옛 컨테이너를 먼저 멈추므로 그사이 요청이 실패하고, 헬스 체크도 롤백도 없다.
# expect-fail: reloads waits_health has_rollback
set -euo pipefail
TAG="$1"
docker build --quiet --build-arg PYTHON_IMAGE -t "$APP_IMAGE:$TAG" "$APP_CONTEXT" >/dev/null
APP_TAG="$TAG" docker compose up -d --no-deps app

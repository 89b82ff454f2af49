#!/bin/sh
# course-offline/nginx 의 진입점: 공식 nginx 이미지처럼 /docker-entrypoint.d/*.sh 를 차례로 실행한 뒤 nginx를 띄운다.
set -e
if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$0: /docker-entrypoint.d/ 의 스크립트를 실행한다" >&2
    fi
    for f in $(find /docker-entrypoint.d/ -follow -type f -name '*.sh' -print | sort -V); do
        if [ -x "$f" ]; then "$f"; fi
    done
fi
exec "$@"

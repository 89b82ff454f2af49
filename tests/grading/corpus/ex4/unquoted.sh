#!/usr/bin/env bash
# 정답과 같지만 변수 두 곳에 따옴표가 없다 (shellcheck SC2086).
# expect-fail: shellcheck
# 연습 문제 4의 답: Docker Compose 스택의 무중단 배포 ("옆에 띄우고, 확인하고, 바꾸고, 비운다").
#
#   ./deploy.sh 태그        예: ./deploy.sh v2
#
# 약속한 환경 변수 (채점기와 실제 배포 파이프라인이 준다):
#   COMPOSE_PROJECT_NAME, COMPOSE_FILE   docker compose가 스스로 읽는다
#   APP_IMAGE       앱 이미지 저장소: 새 이미지는 "$APP_IMAGE:태그", app 서비스는 ${APP_IMAGE}:${APP_TAG}
#   APP_CONTEXT     새 릴리스의 빌드 맥락 (Dockerfile 포함)
#   PYTHON_IMAGE    Dockerfile의 기반 이미지 ARG (레지스트리가 막힌 교실에서는 대체 이미지)
#   UPSTREAM_CONF   nginx가 읽는 업스트림 파일 (upstream app_backend { server 컨테이너:8000; })
#   HEALTH_TIMEOUT  새 컨테이너가 healthy가 되기를 기다리는 최대 초 (기본 60)
set -euo pipefail

TAG="${1:?사용법: deploy.sh 태그}"
: "${APP_IMAGE:?APP_IMAGE가 필요하다}" "${APP_CONTEXT:?APP_CONTEXT가 필요하다}" "${UPSTREAM_CONF:?UPSTREAM_CONF가 필요하다}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-60}"
DRAIN_SECONDS="${DRAIN_SECONDS:-2}"

log() { printf '[deploy] %s\n' "$*"; }

new_id=""
switched=0

# 실패하면 새 컨테이너만 지운다: 업스트림을 아직 바꾸지 않았으면 옛 컨테이너가 그대로 서비스한다.
rollback() {
    if [ -n "$new_id" ]; then
        log "롤백: 새 컨테이너를 지우고 옛 버전으로 계속 서비스한다"
        docker rm -f $new_id >/dev/null 2>&1 || true
    fi
}
# 예상하지 못한 오류(set -e)로 끝나도 전환 전이면 되돌린다.
on_exit() {
    local code=$?
    if [ "$code" -ne 0 ] && [ "$switched" -eq 0 ]; then
        rollback
    fi
    exit "$code"
}
trap on_exit EXIT

# 업스트림 파일을 바꾸고 nginx -t로 검사한 뒤 리로드한다. 검사에 실패하면 옛 파일을 되살린다.
switch_upstream() {
    local name="$1" backup
    backup="$(mktemp)"
    cp "$UPSTREAM_CONF" "$backup"
    printf 'upstream app_backend {\n    server %s:8000;\n}\n' "$name" > "$UPSTREAM_CONF.new"
    mv "$UPSTREAM_CONF.new" "$UPSTREAM_CONF"
    if ! docker compose exec -T nginx nginx -t -q; then
        cp "$backup" "$UPSTREAM_CONF"
        rm -f "$backup"
        return 1
    fi
    rm -f "$backup"
    docker compose exec -T nginx nginx -s reload
}

container_name() {
    local name
    name="$(docker inspect -f '{{.Name}}' "$1")"
    printf '%s\n' "${name#/}"
}

# 1. 새 이미지 빌드: 실패하면 여기서 끝난다 (아무것도 바뀌지 않았다).
log "1/5 이미지 빌드: $APP_IMAGE:$TAG"
docker build --quiet --build-arg PYTHON_IMAGE -t "$APP_IMAGE:$TAG" "$APP_CONTEXT" >/dev/null

mapfile -t old_ids < <(docker compose ps -q app)
if [ "${#old_ids[@]}" -eq 0 ]; then
    log "도는 app 컨테이너가 없다: 무중단 배포가 아니라 처음 배포다"
    exit 1
fi
old_name="$(container_name "${old_ids[0]}")"

# 2. 옛 컨테이너는 그대로 두고(--no-recreate) 새 이미지의 컨테이너 하나를 옆에 더한다.
log "2/5 새 컨테이너 시작 (옛 컨테이너 ${#old_ids[@]}개 옆에)"
APP_TAG="$TAG" docker compose up -d --no-deps --no-build --no-recreate \
    --scale "app=$(( ${#old_ids[@]} + 1 ))" app
new_id="$(docker compose ps -q app | grep -vxF -f <(printf '%s\n' "${old_ids[@]}") | head -n 1 || true)"
if [ -z "$new_id" ]; then
    log "새 컨테이너를 찾지 못했다"
    exit 1
fi
new_name="$(container_name "$new_id")"

# 3. 헬스 체크 통과를 기다린다. unhealthy·종료·시간 초과면 되돌린다.
log "3/5 $new_name 헬스 체크 대기 (최대 ${HEALTH_TIMEOUT}초)"
deadline=$(( SECONDS + HEALTH_TIMEOUT ))
while :; do
    status="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$new_id")"
    case "$status" in
        healthy) break ;;
        unhealthy | exited | dead)
            log "새 컨테이너가 $status 상태다"
            exit 1 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
        log "시간 초과: 아직 $status"
        exit 1
    fi
    sleep 1
done

# 4. nginx 업스트림을 새 컨테이너로 바꾸고 리로드한다 (옛 워커는 처리 중인 요청을 마저 끝낸다).
log "4/5 업스트림 전환: $old_name → $new_name"
if ! switch_upstream "$new_name"; then
    log "nginx가 새 설정을 거부했다"
    exit 1
fi
switched=1
# 바꾼 뒤 nginx를 거쳐 실제로 답하는지 확인한다. 아니면 옛 컨테이너로 되돌린다.
if ! docker compose exec -T nginx wget -q -O /dev/null http://127.0.0.1/health; then
    log "전환 뒤 /health가 실패한다: 옛 컨테이너로 되돌린다"
    switch_upstream "$old_name" || true
    switched=0
    exit 1
fi

# 5. 드레인: nginx의 옛 워커가 보낸 요청이 끝날 시간을 준 뒤 SIGTERM(그레이스풀 셧다운)으로 멈춘다.
log "5/5 ${DRAIN_SECONDS}초 드레인 뒤 옛 컨테이너 중지"
sleep $DRAIN_SECONDS
for id in "${old_ids[@]}"; do
    docker stop -t 20 "$id" >/dev/null
    docker rm "$id" >/dev/null
done
log "완료: $APP_IMAGE:$TAG 가 서비스 중이다"

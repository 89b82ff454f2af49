#!/bin/sh
# 공식 nginx 이미지와 같다: /etc/nginx/templates/*.template 에서, 정의된 환경 변수만 치환해
# /etc/nginx/conf.d/ 에 쓴다 (nginx 변수 $host 등은 그대로 남는다).
set -e
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
[ -d "$template_dir" ] || exit 0
# shellcheck disable=SC2016,SC2046 # 공식 이미지의 스크립트와 같다: ${이름} 목록을 만든다
defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /^[a-zA-Z_][a-zA-Z0-9_]*$/ ) ? name : \"\" } }" < /dev/null))
find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative_path="${template#"$template_dir/"}"
    output_path="$output_dir/${relative_path%"$suffix"}"
    mkdir -p "$(dirname "$output_path")"
    envsubst "$defined_envs" < "$template" > "$output_path"
done

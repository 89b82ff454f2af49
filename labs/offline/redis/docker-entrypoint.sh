#!/bin/sh
# course-offline/redis 의 진입점: 공식 redis 이미지 진입점의 규약을 따른다.
set -e

# 첫 인자가 `-옵션`이거나 `*.conf`면 redis-server 인자로 본다.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec gosu redis "$0" "$@"
fi

# 공식 이미지의 redis-server는 protected-mode no 로 빌드된다. 같은 동작을 위해, 설정 파일 없이
# 띄울 때만 옵션으로 넣는다 (뒤에 오는 사용자의 --protected-mode 가 이긴다).
if [ "$1" = 'redis-server' ]; then
	shift
	case "${1:-}" in
		''|-*) set -- redis-server --protected-mode no "$@" ;;
		*)     set -- redis-server "$@" ;;
	esac
fi

umask 0077
exec "$@"

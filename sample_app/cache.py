"""Redis 클라이언트. `REDIS_URL`이 없으면 만들지 않고, 앱은 Redis 없이 돈다."""

from __future__ import annotations

from redis.asyncio import Redis


def create_redis(url: str, timeout: float = 1.0) -> Redis:
    """연결 풀을 가진 클라이언트를 만든다. 연결은 처음 명령을 보낼 때 맺는다.

    소켓 타임아웃을 짧게 두는 까닭: 죽은 Redis 때문에 요청이 기본값(무한)만큼 멈추면 안 된다.
    """
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
    )


async def ping(client: Redis) -> None:
    """`PING`이 `PONG`으로 돌아오는지 확인한다. 실패하면 예외가 그대로 난다."""
    await client.ping()

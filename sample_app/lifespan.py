"""시작할 때 자원을 열고, 끝날 때 닫는다 (07 레슨: 그레이스풀 셧다운).

서버(uvicorn, gunicorn 워커)는 SIGTERM을 받으면 새 연결을 받지 않고 처리 중인 요청을 끝낸 뒤
lifespan의 `yield` 뒤쪽을 실행한다. 여기서 연결 풀을 닫아야 DB 쪽에 끊긴 연결이 남지 않는다.
로그 줄은 `[lifespan]`으로 시작한다: 실습과 테스트가 이 줄로 종료 순서를 확인한다.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sample_app.cache import create_redis
from sample_app.config import get_settings, mask_url
from sample_app.db import create_engine, create_sessionmaker
from sample_app.logs import get_logger

log = get_logger("lifespan")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    log.info("[lifespan] 시작: %s %s (환경: %s)", settings.app_name, settings.app_version, settings.environment)

    log.info("[lifespan] 시작: 데이터베이스 연결 풀 생성 (%s)", mask_url(settings.database_url))
    engine = create_engine(settings)
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)

    if settings.redis_url:
        log.info("[lifespan] 시작: Redis 연결 풀 생성 (%s)", mask_url(settings.redis_url))
        app.state.redis = create_redis(settings.redis_url, timeout=settings.health_check_timeout)
    else:
        log.info("[lifespan] 시작: REDIS_URL이 없어 Redis 없이 실행 (카운터는 프로세스 메모리)")
        app.state.redis = None
    app.state.memory_counter = 0

    log.info("[lifespan] 시작 완료: 요청을 받는다")
    try:
        yield
    finally:
        log.info("[lifespan] 종료: 자원 정리 시작")
        if app.state.redis is not None:
            await app.state.redis.aclose()
            log.info("[lifespan] 종료: Redis 연결 풀 닫음")
        await engine.dispose()
        log.info("[lifespan] 종료: 데이터베이스 연결 풀 닫음")
        log.info("[lifespan] 종료: 정리 완료")

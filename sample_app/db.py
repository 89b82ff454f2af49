"""데이터베이스 엔진과 세션. 엔진은 lifespan이 앱마다 하나 만들어 `app.state`에 둔다."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from sample_app.config import DatabaseSettings


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """설정대로 비동기 엔진(연결 풀)을 만든다. 연결은 처음 쓸 때 맺는다."""
    options: dict = {"echo": settings.db_echo, "pool_pre_ping": True}
    if not settings.database_url.startswith("sqlite"):
        # 워커마다 풀이 하나씩 생긴다: 워커 수 × (pool_size + max_overflow)가 DB의 max_connections 안에 들어야 한다
        options |= {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
    return create_async_engine(settings.database_url, **options)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # 커밋 뒤에도 응답을 만들 때 속성을 읽으므로 만료시키지 않는다
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """`SELECT 1`로 DB가 쿼리를 받는지 확인한다. 실패하면 예외가 그대로 난다."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """요청 하나에 세션 하나. 요청이 끝나면 연결을 풀에 돌려준다."""
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


MISSING_TABLE_MARKERS = ("no such table", "does not exist")


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """DB 오류를 503과 한국어 설명으로 바꾼다. 테이블이 없으면 마이그레이션을 안내한다."""
    message = str(getattr(exc, "orig", None) or exc)
    detail = f"데이터베이스 오류: {message}"
    if any(marker in message for marker in MISSING_TABLE_MARKERS):
        detail += " — 테이블이 없다. 먼저 `python -m sample_app.migrate`로 마이그레이션을 적용한다."
    return JSONResponse(status_code=503, content={"detail": detail})

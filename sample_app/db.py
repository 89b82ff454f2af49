"""데이터베이스 엔진과 세션. 엔진은 lifespan이 앱마다 하나 만들어 `app.state`에 둔다."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from sample_app.config import DatabaseSettings
from sample_app.logs import get_logger


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


class ErrorBody(BaseModel):
    """오류 응답의 모양: 사람이 읽는 `detail`과 프로그램이 가려 쓰는 고정 `code`. 예외 문구는 넣지 않는다."""

    detail: str
    code: str


DATABASE_ERROR = ErrorBody(code="database_error",
                           detail="데이터베이스 오류로 요청을 처리하지 못했다. 원인은 서버 로그에 있다.")
SCHEMA_MISSING = ErrorBody(code="database_schema_missing",
                           detail="데이터베이스에 테이블이 없다. 먼저 `python -m sample_app.migrate`로 마이그레이션을 적용한다.")

log = get_logger("db")


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """DB 오류를 503과 고정된 한국어 설명·코드로 바꾼다. 드라이버의 오류 문구(호스트, 사용자, SQL)는 로그에만 남긴다."""
    message = str(getattr(exc, "orig", None) or exc)
    log.error("[db] %s %s 처리 중 데이터베이스 오류", request.method, request.url.path, exc_info=exc)
    body = SCHEMA_MISSING if any(marker in message for marker in MISSING_TABLE_MARKERS) else DATABASE_ERROR
    return JSONResponse(status_code=503, content=body.model_dump())

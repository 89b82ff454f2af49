"""Alembic 실행 환경: 비동기 엔진으로 마이그레이션을 돌린다 (SQLite·PostgreSQL 공통).

DB 주소는 앱과 같은 곳(DATABASE_URL 환경 변수, 없으면 `.env`, 없으면 기본 SQLite)에서 읽는다.
`DatabaseSettings`만 읽으므로 마이그레이션 잡에는 SECRET_KEY가 필요 없다.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from sample_app.config import DatabaseSettings, load_settings, normalise_database_url
from sample_app.models import Base

config = context.config

# `python -m sample_app.migrate`는 자기 진행 메시지를 찍으므로 로그 설정을 끈다.
# 이미 있는 로거(서버, 앱)를 꺼 버리지 않게 disable_existing_loggers=False로 둔다.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    """`-x url=...` 또는 코드에서 넣은 `sqlalchemy.url`이 있으면 그것을, 없으면 앱 설정을 쓴다."""
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    return normalise_database_url(url) if url else load_settings(DatabaseSettings).database_url


def configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: DB에 붙지 않고 SQL만 출력한다(DBA 검토용)."""
    configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    # SQLite는 ALTER TABLE이 약해서 "새 테이블에 복사" 방식(batch)으로 바꾼다
    configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    # 마이그레이션은 한 번 돌고 끝나므로 풀이 필요 없다
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())

"""`python -m sample_app.migrate`: 마이그레이션을 최신(head)까지 적용한다 (05·06 레슨).

`alembic -c sample_app/alembic.ini upgrade head`와 같은 일을 하되, 진행 상황을 한국어로 찍는다.
서버를 띄우기 전에 한 번 돌린다. 워커마다 시작할 때 돌리면 여러 워커가 동시에 같은
마이그레이션을 시도하므로, 배포에서도 별도 단계(Compose의 일회성 서비스 등)로 둔다.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from sample_app.config import ConfigError, DatabaseSettings, load_settings, mask_url

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config() -> Config:
    config = Config(str(ALEMBIC_INI))
    # 진행 메시지는 여기서 찍는다: alembic의 영어 로그 설정은 쓰지 않는다
    config.attributes["configure_logger"] = False
    return config


async def current_revision(url: str) -> str | None:
    """DB에 기록된 현재 리비전. 아직 마이그레이션한 적이 없으면 None."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision())
    finally:
        await engine.dispose()


def upgrade(target: str = "head") -> str | None:
    """`target`까지 올리고 적용 뒤 리비전을 돌려준다. 진행 상황을 stdout에 찍는다."""
    url = load_settings(DatabaseSettings).database_url
    print(f"[migrate] 데이터베이스: {mask_url(url)}", flush=True)
    before = asyncio.run(current_revision(url))
    print(f"[migrate] 현재 리비전: {before or '없음 (빈 데이터베이스)'}", flush=True)
    print(f"[migrate] 적용: {target}까지 올린다", flush=True)
    command.upgrade(alembic_config(), target)
    after = asyncio.run(current_revision(url))
    if after == before:
        print(f"[migrate] 완료: 이미 최신이다 (리비전 {after})", flush=True)
    else:
        print(f"[migrate] 완료: {before or '없음'} → {after}", flush=True)
    return after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_app.migrate", description="DB 마이그레이션을 적용한다.")
    parser.add_argument("target", nargs="?", default="head", help="올릴 리비전 (기본: head)")
    args = parser.parse_args(argv)
    try:
        upgrade(args.target)
    except ConfigError as exc:
        print(f"[migrate] 설정 오류: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # 원인을 한 줄로 알려 주고 실패 코드로 끝낸다
        print(f"[migrate] 실패: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("[migrate] DATABASE_URL이 가리키는 DB가 떠 있는지, 주소·계정이 맞는지 확인한다.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

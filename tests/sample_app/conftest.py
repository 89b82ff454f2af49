"""예제 앱 테스트의 공통 준비물: 깨끗한 설정 환경, 마이그레이션된 DB, 진짜 PostgreSQL·Redis.

기본은 SQLite 파일 하나로 돈다. `@pytest.mark.services` 테스트는 세션마다 한 번 PostgreSQL과
Redis를 띄운다. 프로그램이 없으면 건너뛰되, `COURSE_REQUIRE_ALL=1`(CI)이면 실패로 처리한다.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_processes import PROJECT_ROOT, ServiceUnavailable, free_port, start_postgres, start_redis
from labs.services import Postgres, Redis

with warnings.catch_warnings():
    # starlette 1.x는 TestClient 밑의 httpx를 httpx2로 바꾸라고 경고한다. httpx2를 설치하면 사라진다.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from sample_app.config import Settings, get_settings

SECRET = "test-secret-1f2e3d4c5b6a"
"""테스트용 SECRET_KEY. 응답 어디에도 나오면 안 되는 값이다."""

# 개발자 셸이나 CI의 설정이 테스트로 새어 들지 않도록 비운다
SETTING_ENV_VARS = [name.upper() for name in Settings.model_fields] + [
    "SECRETS_DIR", "WORKER_ID", "APP_WORKER_ID",
]


def require_all() -> bool:
    return os.environ.get("COURSE_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    """없는 프로그램 때문에 못 하는 테스트: 평소에는 건너뛰고, CI(COURSE_REQUIRE_ALL=1)에서는 실패시킨다."""
    if require_all():
        pytest.fail(f"{reason} (COURSE_REQUIRE_ALL=1이라 건너뛰지 않는다)")
    pytest.skip(reason)


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'sample_app.db'}"


def clean_env(**settings: str) -> dict[str, str]:
    """서버 하위 프로세스용 환경: 현재 환경에서 앱 설정만 지우고 `settings`를 넣는다."""
    env = {key: value for key, value in os.environ.items() if key not in SETTING_ENV_VARS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update({key.upper(): value for key, value in settings.items()})
    return env


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """설정 환경을 깨끗이 비우고 기본값(SECRET_KEY, 임시 SQLite, LAB_ENDPOINTS=true)을 넣는다. 호출하면 값을 덮어쓴다.

    작업 폴더도 tmp로 옮긴다: 프로젝트 루트에 개발자의 `.env`가 있어도 테스트가 읽지 않게 한다.
    """
    for name in SETTING_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path / "no-secrets"))
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("DATABASE_URL", sqlite_url(tmp_path))
    # 실습 도구(labs.app_env)처럼 실습 전용 엔드포인트를 켠다. 꺼진 모습은 `lab_endpoints="false"`로 본다.
    monkeypatch.setenv("LAB_ENDPOINTS", "true")
    get_settings.cache_clear()

    def set_env(**values: str | None) -> None:
        for key, value in values.items():
            if value is None:
                monkeypatch.delenv(key.upper(), raising=False)
            else:
                monkeypatch.setenv(key.upper(), value)
        get_settings.cache_clear()

    yield set_env
    get_settings.cache_clear()


def migrate() -> None:
    """현재 환경의 DATABASE_URL에 마이그레이션을 적용한다(실습 도구와 같은 진입점)."""
    from sample_app.migrate import upgrade

    upgrade("head")


@pytest.fixture
def make_client(app_env: Callable[..., None]) -> Iterator[Callable[..., TestClient]]:
    """설정을 받아 새 앱을 만들고 lifespan까지 돌린 TestClient를 돌려주는 팩토리."""
    opened: list[TestClient] = []

    def factory(migrated: bool = True, **settings: str | None) -> TestClient:
        app_env(**settings)
        if migrated:
            migrate()
        from sample_app.main import create_app

        client = TestClient(create_app())
        client.__enter__()
        opened.append(client)
        return client

    yield factory
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """SQLite에 마이그레이션까지 마친 앱. Redis는 없다."""
    return make_client()


def _service(start):
    try:
        return start()
    except ServiceUnavailable as exc:
        skip_or_fail(str(exc))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with _service(start_postgres) as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    with _service(start_redis) as server:
        yield server


@pytest.fixture
def fresh_redis() -> Iterator[Redis]:
    """테스트 하나만 쓰는 Redis. 죽여도 다른 테스트에 영향이 없다."""
    with _service(start_redis) as server:
        yield server


@pytest.fixture
def pg_url(postgres: Postgres, request: pytest.FixtureRequest) -> str:
    """테스트마다 새 데이터베이스. 시드처럼 `postgresql://` 주소로 준다."""
    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    return postgres.create_database(f"{name}_{free_port()}")

"""설정: 환경 변수에서 읽고, 없으면 `.env` 파일, 그다음 시크릿 폴더, 마지막으로 기본값 (08 레슨).

pydantic-settings v2의 우선순위(초기화 인자 > 환경 변수 > `.env` > 시크릿 폴더 > 기본값)를
그대로 쓴다. 마이그레이션 잡은 `DatabaseSettings`만 읽으므로 SECRET_KEY 없이도 돈다.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sample_app import __version__

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./sample_app.db"
"""기본 DB: 실행 폴더의 SQLite 파일. 설치할 것이 없어 첫 실습이 바로 돈다."""

DEFAULT_SECRETS_DIR = "/run/secrets"
"""Docker/Compose 시크릿이 파일로 마운트되는 곳. `SECRETS_DIR`로 바꿀 수 있다."""

SECRET_KEY_HOWTO = (
    "셸에서 값을 만들어 넣고 다시 실행한다:\n"
    "  export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')\n"
    "또는 실행하는 폴더의 .env 파일에 `SECRET_KEY=...` 한 줄을 적는다(.env는 커밋하지 않는다)."
)
SECRET_KEY_MISSING = (
    "SECRET_KEY 환경 변수가 없다. 시크릿은 코드가 아니라 환경에 둔다(12-팩터 III. 설정).\n" + SECRET_KEY_HOWTO
)

ENVIRONMENTS = ("development", "test", "lab", "staging", "production")
"""`ENVIRONMENT`가 받는 값. 오타(`prodution`)가 조용히 새 환경이 되지 않게 목록으로 막는다."""

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
"""`LOG_LEVEL`이 받는 값 (파이썬 logging과 gunicorn이 함께 아는 이름). 대소문자는 가리지 않는다."""

_DRIVER_ALIASES = {
    # 시드와 Compose 파일은 드라이버 없는 URL을 쓴다. 앱은 비동기 드라이버가 필요하다.
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


class ConfigError(RuntimeError):
    """설정이 잘못되어 애플리케이션을 시작할 수 없을 때 나는 오류. 메시지는 고치는 방법까지 담는다.

    `SystemExit`가 아니라 일반 예외로 둔다. gunicorn은 워커가 부팅 중 예외로 죽으면
    "Worker failed to boot"로 멈추지만, `SystemExit`로 끝나면 워커를 계속 다시 띄운다.
    """


def normalise_database_url(url: str) -> str:
    """`postgresql://`, `postgres://`, `sqlite://`를 비동기 드라이버 URL로 바꾼다. 다른 URL은 그대로 둔다."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    return f"{_DRIVER_ALIASES.get(scheme.lower(), scheme)}://{rest}"


def mask_url(url: str | None) -> str:
    """로그에 찍을 수 있게 URL의 비밀번호를 `***`로 가린다."""
    if not url:
        return "(없음)"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


class DatabaseSettings(BaseSettings):
    """DB 연결 설정만 담는다. 마이그레이션(`alembic`, `python -m sample_app.migrate`)이 이것만 읽는다."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_echo: bool = False

    @field_validator("database_url")
    @classmethod
    def _use_async_driver(cls, value: str) -> str:
        return normalise_database_url(value)


S = TypeVar("S", bound=DatabaseSettings)


class Settings(DatabaseSettings):
    """애플리케이션 전체 설정. 필드 이름의 대문자가 곧 환경 변수 이름이다(`app_name` → `APP_NAME`)."""

    app_name: str = "sample-api"
    environment: str = "development"
    """`ENVIRONMENTS` 중 하나. 시작할 때 검사한다."""
    debug: bool = False
    log_level: str = "INFO"
    """`LOG_LEVELS` 중 하나 (대문자로 맞춘다). 시작할 때 검사한다."""
    app_version: str = __version__

    lab_endpoints: bool = False
    """실습 전용 엔드포인트(`/hang`, `/work/block`, `/work/cpu`, `/debug/client`, `DELETE /counter`)를 켠다.
    기본은 꺼짐: 프로덕션에 워커를 붙잡거나 헤더를 되비추는 경로를 열어 두지 않는다. 실습 도구가 띄우는
    로컬 서버와 개발용 오버라이드(`compose.dev.yaml`)만 `LAB_ENDPOINTS=true`로 켠다."""

    secret_key: SecretStr

    redis_url: str | None = None
    """None이면 Redis 없이 돈다: 카운터는 프로세스 메모리에, 레디니스는 Redis를 건너뛴다."""

    health_check_timeout: float = 1.0
    """레디니스 프로브가 의존 서비스 하나를 기다리는 최대 초. 죽은 DB가 프로브를 붙잡지 못하게 한다."""

    @field_validator("secret_key")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("SECRET_KEY가 비어 있다")
        return value

    @field_validator("environment", mode="before")
    @classmethod
    def _known_environment(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in ENVIRONMENTS:
                raise ValueError(f"{', '.join(ENVIRONMENTS)} 중 하나여야 한다")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_log_level(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
            if value not in LOG_LEVELS:
                raise ValueError(f"{', '.join(LOG_LEVELS)} 중 하나여야 한다 (대소문자는 가리지 않는다)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _blank_means_none(cls, value: str | None) -> str | None:
        # `.env`에 `REDIS_URL=`만 적어 Redis를 끄는 경우
        return value or None

    @property
    def effective_log_level(self) -> str:
        return "DEBUG" if self.debug else self.log_level.upper()


def _source_kwargs() -> dict[str, Any]:
    """시크릿 폴더는 있을 때만 넘긴다. 없는 폴더를 넘기면 pydantic-settings가 경고를 낸다."""
    secrets_dir = os.environ.get("SECRETS_DIR", DEFAULT_SECRETS_DIR)
    return {"_secrets_dir": secrets_dir} if Path(secrets_dir).is_dir() else {}


def _explain(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        if field == "secret_key":
            # 받은 값은 시크릿이므로 메시지에 넣지 않는다
            blank = f"SECRET_KEY가 비어 있다.\n{SECRET_KEY_HOWTO}"
            lines.append(SECRET_KEY_MISSING if error["type"] == "missing" else blank)
        else:
            # field_validator가 낸 ValueError는 한국어 메시지를 그대로 쓴다 (pydantic의 "Value error, " 머리말은 뗀다)
            reason = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
            lines.append(f"{field.upper()} 설정 값이 잘못되었다: {reason} (받은 값: {error.get('input')!r})")
    return "\n".join(lines)


def load_settings(cls: type[S]) -> S:
    """설정을 읽는다. 검증에 실패하면 고치는 방법을 담은 `ConfigError`를 낸다."""
    try:
        return cls(**_source_kwargs())
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None


@lru_cache
def get_settings() -> Settings:
    """캐시된 설정. 처음 한 번 읽고 재사용한다. 테스트는 `get_settings.cache_clear()`로 다시 읽게 한다."""
    return load_settings(Settings)

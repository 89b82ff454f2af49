"""설정(config.py): 환경 변수 우선, `.env` 폴백, 시크릿 폴더, SECRET_KEY 필수, DB 주소 정규화."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from app_processes import PROJECT_ROOT, python_command
from conftest import clean_env

from sample_app.config import (
    ConfigError,
    DatabaseSettings,
    get_settings,
    load_settings,
    mask_url,
    normalise_database_url,
)


def test_missing_secret_key_raises_korean_error(app_env) -> None:
    app_env(secret_key=None)
    with pytest.raises(ConfigError) as caught:
        get_settings()
    message = str(caught.value)
    assert "SECRET_KEY 환경 변수가 없다" in message
    assert "secrets.token_hex(32)" in message


def test_blank_secret_key_is_rejected(app_env) -> None:
    app_env(secret_key="   ")
    with pytest.raises(ConfigError, match="SECRET_KEY가 비어 있다"):
        get_settings()


def test_server_stops_at_start_without_secret_key(tmp_path: Path) -> None:
    """서버는 첫 요청이 아니라 앱을 불러오는 순간 멈추고, 한국어 안내를 남긴다."""
    env = clean_env(secrets_dir=str(tmp_path / "none"))
    done = subprocess.run(python_command("-c", "import sample_app.main"), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "SECRET_KEY 환경 변수가 없다" in done.stderr
    assert "export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')" in done.stderr


def test_migrations_do_not_need_secret_key(app_env) -> None:
    app_env(secret_key=None)
    assert load_settings(DatabaseSettings).database_url.startswith("sqlite+aiosqlite://")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://app:secret@db:5432/myapp", "postgresql+asyncpg://app:secret@db:5432/myapp"),
        ("postgres://app@db/myapp", "postgresql+asyncpg://app@db/myapp"),
        ("postgresql+asyncpg://app@db/myapp", "postgresql+asyncpg://app@db/myapp"),
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("sqlite+aiosqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
    ],
)
def test_database_url_normalised(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_seed_style_url_from_environment(app_env) -> None:
    app_env(database_url="postgresql://app:secret@db:5432/myapp")
    assert get_settings().database_url == "postgresql+asyncpg://app:secret@db:5432/myapp"


def test_defaults(app_env, tmp_path: Path) -> None:
    app_env(database_url=None)
    settings = get_settings()
    assert settings.app_name == "sample-api"
    assert settings.environment == "development"
    assert settings.debug is False
    assert settings.app_version == "1.0.0"
    assert settings.redis_url is None
    assert settings.database_url == "sqlite+aiosqlite:///./sample_app.db"


def test_env_file_is_fallback_and_environment_wins(app_env, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "APP_NAME=from-dotenv\nENVIRONMENT=staging\nDEBUG=true\nREDIS_URL=redis://dotenv:6379/0\n",
        encoding="utf-8",
    )
    app_env(environment="production")
    settings = get_settings()
    assert settings.app_name == "from-dotenv"  # 환경에 없으니 .env 값
    assert settings.redis_url == "redis://dotenv:6379/0"
    assert settings.debug is True
    assert settings.environment == "production"  # 환경 변수가 .env를 이긴다


def test_secret_key_from_env_file(app_env, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SECRET_KEY=from-dotenv\n", encoding="utf-8")
    app_env(secret_key=None)
    assert get_settings().secret_key.get_secret_value() == "from-dotenv"


def test_secrets_dir_is_last_before_defaults(app_env, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "secret_key").write_text("from-secret-file", encoding="utf-8")
    (secrets / "app_name").write_text("from-secret-file", encoding="utf-8")
    app_env(secret_key=None, secrets_dir=str(secrets), app_name="from-env")
    settings = get_settings()
    assert settings.secret_key.get_secret_value() == "from-secret-file"
    assert settings.app_name == "from-env"


def test_app_version_override(app_env) -> None:
    app_env(app_version="2.3.4")
    assert get_settings().app_version == "2.3.4"


def test_blank_redis_url_means_no_redis(app_env) -> None:
    app_env(redis_url="")
    assert get_settings().redis_url is None


def test_secret_key_is_masked_in_repr(app_env) -> None:
    settings = get_settings()
    assert settings.secret_key.get_secret_value() not in repr(settings)


def test_invalid_value_gets_korean_message(app_env) -> None:
    app_env(db_pool_size="many")
    with pytest.raises(ConfigError, match="DB_POOL_SIZE 설정 값이 잘못되었다"):
        get_settings()


def test_mask_url_hides_password() -> None:
    assert mask_url("postgresql+asyncpg://app:s3cret@db:5432/x") == "postgresql+asyncpg://app:***@db:5432/x"
    assert mask_url("redis://:pw@cache:6379/0") == "redis://:***@cache:6379/0"
    assert mask_url("sqlite+aiosqlite:///./a.db") == "sqlite+aiosqlite:///./a.db"
    assert mask_url(None) == "(없음)"


def test_settings_come_from_get_settings_dependency() -> None:
    """라우트는 `Depends(get_settings)`로 설정을 받는다(테스트가 dependency_overrides로 바꿀 수 있다)."""
    source = (PROJECT_ROOT / "sample_app" / "routes" / "info.py").read_text(encoding="utf-8")
    assert "Depends(get_settings)" in source


@pytest.mark.parametrize("value", ["prodution", "prod", "live", ""])
def test_unknown_environment_is_rejected_in_korean(app_env, value: str) -> None:
    app_env(environment=value)
    with pytest.raises(ConfigError) as caught:
        get_settings()
    message = str(caught.value)
    assert "ENVIRONMENT 설정 값이 잘못되었다" in message
    assert "development, test, lab, staging, production 중 하나여야 한다" in message
    assert "Value error" not in message


@pytest.mark.parametrize(("given", "expected"), [("Production", "production"), (" staging ", "staging"),
                                                  ("lab", "lab"), ("TEST", "test")])
def test_environment_is_normalised(app_env, given: str, expected: str) -> None:
    app_env(environment=given)
    assert get_settings().environment == expected


@pytest.mark.parametrize(("given", "expected"), [("debug", "DEBUG"), ("Warning", "WARNING"), ("INFO", "INFO")])
def test_log_level_is_normalised(app_env, given: str, expected: str) -> None:
    app_env(log_level=given)
    assert get_settings().log_level == expected


@pytest.mark.parametrize("value", ["verbose", "WARN", "trace", "10"])
def test_unknown_log_level_is_rejected_in_korean(app_env, value: str) -> None:
    app_env(log_level=value)
    with pytest.raises(ConfigError, match="LOG_LEVEL 설정 값이 잘못되었다: DEBUG, INFO, WARNING, ERROR, CRITICAL 중"):
        get_settings()


def test_server_stops_at_start_with_bad_environment(tmp_path: Path) -> None:
    """잘못된 ENVIRONMENT는 첫 요청이 아니라 앱을 불러오는 순간 한국어 ConfigError로 멈춘다."""
    env = clean_env(secret_key="x", environment="prodution", secrets_dir=str(tmp_path / "none"))
    done = subprocess.run(python_command("-c", "import sample_app.main"), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "sample_app.config.ConfigError" in done.stderr
    assert "ENVIRONMENT 설정 값이 잘못되었다" in done.stderr and "'prodution'" in done.stderr


def test_lab_endpoints_default_off(app_env) -> None:
    app_env(lab_endpoints=None)
    assert get_settings().lab_endpoints is False

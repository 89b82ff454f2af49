"""08 레슨(12-팩터 설정)의 체크포인트 채점기.

- 8-1 `violations_found`: 어느 팀의 설정 파일(`BAD_SETTINGS`)에서 어긴 12-팩터 원칙을 로마 숫자로 고른다.
- 8-2 `settings_class`: 학생이 쓴 pydantic-settings 클래스 `ShopSettings`를 실제 환경 변수·`.env`·
  시크릿 폴더로 만들어 보며 필수 값, 중첩 설정, 시크릿 파일, 우선순위를 본다.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..config_lab import FACTORS, environ
from ..grading import Criterion, Grader, need
from ..korean import particle

# ---- 8-1: 12-팩터 위반 찾기 ----------------------------------------------------------

BAD_SETTINGS = '''\
# shop/settings.py — 어느 팀의 설정 파일 (줄여서 옮겼다)
import logging
import os
import sqlite3

PORT = int(os.environ.get("PORT", "8000"))             # (가) 플랫폼이 정한 포트에서 스스로 듣는다
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "2"))   # (나) 워커 수는 배포 환경이 정한다

SECRET_KEY = "django-insecure-7f3k2b9x"                  # (다)
if os.uname().nodename.startswith("prod-"):             # (라) 서버 이름을 보고 결제 API를 고른다
    PAYMENT_API = "https://api.pay.example/v2"
else:
    PAYMENT_API = "https://sandbox.pay.example/v2"

orders_db = sqlite3.connect("/srv/shop/orders.db")      # (마) 주문 데이터는 이 서버의 로컬 파일에
SESSIONS: dict[str, dict] = {}                          # (바) 로그인 세션은 프로세스 메모리에

logging.basicConfig(filename="/var/log/shop/app.log",   # (사) 로그는 서버의 파일에 쓰고 cron이 날마다 돌린다
                    level=logging.INFO)
'''
"""8-1에서 보여 주는 설정 파일."""

EXPECTED = {"III", "IV", "VI", "XI"}
"""어긴 원칙: III(다·라: 시크릿과 환경별 값이 코드에), IV(마: DB가 URL로 바꿔 끼울 수 있는 리소스가 아니다),
VI(마·바: 상태를 프로세스·로컬 디스크에), XI(사: 로그를 파일로 직접 관리)."""

NEUTRAL = {"X"}
"""골라도 감점하지 않는 원칙: (라)는 개발·프로덕션 일치(X)를 해친다고도 볼 수 있다."""

_WHY = {
    "III": "(다) 시크릿이 코드에 있고, (라) 환경마다 다른 값을 코드의 분기로 고른다",
    "IV": "(마) DB가 URL 하나로 바꿔 끼울 수 있는 연결된 리소스가 아니라 이 서버의 파일이다",
    "VI": "(바) 세션을 프로세스 메모리에 두면 인스턴스마다 로그인 상태가 다르고, 재시작하면 사라진다",
    "XI": "(사) 로그 파일과 회전은 플랫폼의 일이다: 앱은 stdout에 쓴다",
}


def _chosen(ns: Mapping[str, Any]) -> set[str]:
    value = need(ns, "violations")
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise TypeError("`violations`는 {\"III\", ...}처럼 로마 숫자 문자열의 집합이다.")
    return {str(v).strip().upper() for v in value}


def _valid(ns: Mapping[str, Any]) -> tuple[bool, str]:
    chosen = _chosen(ns)
    unknown = sorted(chosen - set(FACTORS))
    return not unknown and bool(chosen), f"로마 숫자가 아니다: {unknown}" if unknown else ""


def _found(factor: str) -> Callable[[Mapping[str, Any]], tuple[bool, str]]:
    def check(ns: Mapping[str, Any]) -> tuple[bool, str]:
        ok = factor in _chosen(ns)
        return ok, _WHY[factor] if ok else ""
    return check


def _no_false_alarm(ns: Mapping[str, Any]) -> tuple[bool, str]:
    # 로마 숫자가 아닌 것은 첫 기준이 이미 짚는다
    wrong = sorted((_chosen(ns) & set(FACTORS)) - EXPECTED - NEUTRAL, key=list(FACTORS).index)
    notes = {"VII": "(가)는 포트 바인딩을 지킨다", "VIII": "(나)는 동시성을 환경이 정하게 둔다"}
    return not wrong, "; ".join(notes.get(f, f"{f}. {FACTORS[f][0]}{particle(FACTORS[f][0], '은')} 이 파일과 상관없다")
                                for f in wrong)


violations_found = Grader("체크포인트 8-1: 12-팩터 위반 찾기", [
    Criterion("`violations`가 로마 숫자 집합이다", 1, _valid, '예: `violations = {"I", "II"}`'),
    Criterion("III. 설정 위반을 찾았다", 1, _found("III"), "코드에 들어 있는 시크릿과 환경별 분기를 본다."),
    Criterion("IV. 백킹 서비스 위반을 찾았다", 1, _found("IV"), "DB를 URL 하나로 바꿔 끼울 수 있는가?"),
    Criterion("VI. 프로세스 위반을 찾았다", 1, _found("VI"), "인스턴스가 셋이면 로그인 세션은 어디에 있나?"),
    Criterion("XI. 로그 위반을 찾았다", 1, _found("XI"), "로그를 누가 모으고 돌리는가?"),
    Criterion("지키고 있는 원칙을 고르지 않았다", 1, _no_false_alarm, "(가)·(나)는 12-팩터를 따른 줄이다."),
])


# ---- 8-2: 설정 클래스 ----------------------------------------------------------------

_CLEAR = ("DATABASE_URL", "SECRET_KEY", "DEBUG", "SMTP__HOST", "SMTP__PORT", "SMTP", "SECRETS_DIR")


def _build(ns: Mapping[str, Any], env: Mapping[str, str], dotenv: str = "",
           secrets: Mapping[str, str] | None = None) -> Any:
    """학생 클래스를 깨끗한 환경 변수 + 주어진 값 + 임시 `.env`·시크릿 폴더로 만든다 (이 프로세스 안에서)."""
    from pydantic_settings import BaseSettings

    cls = need(ns, "ShopSettings")
    if not (isinstance(cls, type) and issubclass(cls, BaseSettings)):
        raise TypeError("`ShopSettings`가 BaseSettings를 상속하지 않아 환경 변수를 읽지 않는다")
    tmp = Path(tempfile.mkdtemp(prefix="course-grade-"))
    try:
        (tmp / ".env").write_text(dotenv, encoding="utf-8")
        (tmp / "secrets").mkdir()
        for name, value in (secrets or {}).items():
            (tmp / "secrets" / name).write_text(value, encoding="utf-8")
        values: dict[str, str | None] = {k: None for k in _CLEAR}
        values.update(env)
        with environ(**values):
            return cls(_env_file=tmp / ".env", _secrets_dir=tmp / "secrets")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


BASE = {"DATABASE_URL": "postgresql://shop@db:5432/shop", "SECRET_KEY": "grader-secret-123"}


def _is_settings(ns: Mapping[str, Any]) -> tuple[bool, str]:
    from pydantic_settings import BaseSettings

    cls = need(ns, "ShopSettings")
    ok = isinstance(cls, type) and issubclass(cls, BaseSettings)
    return ok, "" if ok else "`class ShopSettings(BaseSettings):`로 정의한다"


def _required(ns: Mapping[str, Any]) -> tuple[bool, str]:
    from pydantic import ValidationError

    missing = []
    for name in ("DATABASE_URL", "SECRET_KEY"):
        env = {k: v for k, v in BASE.items() if k != name}
        try:
            _build(ns, env)
            missing.append(name)
        except ValidationError:
            pass
    return not missing, f"{', '.join(missing)} 없이도 만들어진다: 기본값 없는 필수 필드로 둔다" if missing else ""


def _reads_env(ns: Mapping[str, Any]) -> tuple[bool, str]:
    from pydantic import SecretStr

    s = _build(ns, BASE)
    if s.database_url != BASE["DATABASE_URL"]:
        return False, f"database_url = {s.database_url!r}"
    if not isinstance(s.secret_key, SecretStr):
        return False, "secret_key가 SecretStr가 아니다: repr과 로그에 값이 그대로 찍힌다"
    leaked = BASE["SECRET_KEY"] in repr(s)
    return not leaked and s.secret_key.get_secret_value() == BASE["SECRET_KEY"], "repr에 시크릿이 보인다" if leaked else ""


def _nested(ns: Mapping[str, Any]) -> tuple[bool, str]:
    s = _build(ns, {**BASE, "SMTP__HOST": "mail.internal", "SMTP__PORT": "2525"})
    smtp = getattr(s, "smtp", None)
    if smtp is None:
        return False, "`smtp` 필드가 없다"
    host, port = getattr(smtp, "host", None), getattr(smtp, "port", None)
    ok = host == "mail.internal" and port == 2525 and isinstance(port, int)
    return ok, "" if ok else f"smtp.host={host!r}, smtp.port={port!r} (env_nested_delimiter=\"__\"와 int 타입)"


def _nested_defaults(ns: Mapping[str, Any]) -> tuple[bool, str]:
    smtp = getattr(_build(ns, BASE), "smtp", None)
    host, port = getattr(smtp, "host", None), getattr(smtp, "port", None)
    ok = (host, port) == ("localhost", 587)
    return ok, "" if ok else f"SMTP__ 변수가 없을 때 smtp = ({host!r}, {port!r})"


def _secret_file(ns: Mapping[str, Any]) -> tuple[bool, str]:
    env = {k: v for k, v in BASE.items() if k != "SECRET_KEY"}
    s = _build(ns, env, secrets={"secret_key": "from-secret-file"})
    value = s.secret_key.get_secret_value() if hasattr(s.secret_key, "get_secret_value") else s.secret_key
    return value == "from-secret-file", f"secret_key = {value!r}"


def _env_beats_dotenv(ns: Mapping[str, Any]) -> tuple[bool, str]:
    s = _build(ns, {**BASE, "DEBUG": "false"}, dotenv="DEBUG=true\n")
    only_dotenv = _build(ns, BASE, dotenv="DEBUG=true\n")
    ok = s.debug is False and only_dotenv.debug is True
    return ok, "" if ok else f"환경 변수 false + .env true → {s.debug!r}, .env만 true → {only_dotenv.debug!r}"


settings_class = Grader("체크포인트 8-2: 설정 클래스", [
    Criterion("`ShopSettings`가 BaseSettings를 상속한다", 1, _is_settings),
    Criterion("DATABASE_URL과 SECRET_KEY가 없으면 검증 오류", 1, _required, "기본값을 주지 않는다."),
    Criterion("환경 변수를 읽고 secret_key를 SecretStr로 가린다", 1, _reads_env, "`secret_key: SecretStr`"),
    Criterion("`SMTP__HOST`·`SMTP__PORT`가 중첩 설정 smtp.host·smtp.port(int)가 된다", 2, _nested,
              "`model_config = SettingsConfigDict(env_nested_delimiter=\"__\")`와 `smtp: SmtpSettings`"),
    Criterion("smtp의 기본값은 localhost:587", 1, _nested_defaults, "`SmtpSettings`에 기본값을 둔다."),
    Criterion("시크릿 폴더의 `secret_key` 파일을 읽는다", 1, _secret_file,
              "환경 변수가 없으면 pydantic-settings가 `secrets_dir`의 파일을 읽는다."),
    Criterion("환경 변수가 `.env`보다 이긴다", 1, _env_beats_dotenv, "`debug: bool = False`"),
])

"""08 레슨(12-팩터 설정)의 체크포인트 채점기. 8-1~8-4는 학습자의 파일로 진짜 앱을 띄워 채점한다 (각 60초 안).

학습자는 `settings.py`·`.env`·`compose.yaml`을 `%%lab_file 이름` 셀(`labs.tasks`)에 쓰고, 채점기는 노트북 이름 공간의
`LAB_FILES[이름]`을 읽어 임시 폴더(`.labs_state/files/<레슨>/checkpoint-…`)에 옮긴 뒤 `uvicorn app:app`이나
`docker compose up`으로 실제로 띄운다 (`labs.config_lab.try_app`, `compose_try`).

- 8-1 `secret_fixed`: 기본값이 박힌 시크릿을 고친 `settings.py` — 시크릿·DB 주소 없이는 시작을 거부하고(종료 코드),
  다 주면 뜨며, 시작 로그와 `/info`에 시크릿 값이 보이지 않는다.
- 8-2 `dotenv_file`: 로컬 개발용 `.env` — 환경 변수 없이 `.env`만으로 뜨고, 시크릿은 자리표시자가 아닌 무작위 값이다.
- 8-3 `typo_caught`: 이름이 틀린 `.env`를 조용히 건너뛰던 `settings.py` — 오타 난 `.env`로는 시작을 거부한다.
- 8-4 `compose_secret`: 시크릿을 환경 변수로 넘기던 `compose.yaml` — Compose 시크릿(`/run/secrets`)으로 넘긴다.
- 8-5 `violations_found`: 어느 팀의 설정 파일(`BAD_SETTINGS`)에서 어긴 12-팩터 원칙을 로마 숫자로 고른다.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import tasks
from ..config_lab import APP_PY, FACTORS, AppRun, ComposeRun, compose_try, try_app, write_secret_file
from ..grading import Criterion, Grader, need
from ..korean import particle

LAB = "08_twelve_factor_config"

# ---- 8-5: 12-팩터 위반 찾기 ----------------------------------------------------------

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


violations_found = Grader("체크포인트 8-5: 12-팩터 위반 찾기", [
    Criterion("`violations`가 로마 숫자 집합이다", 1, _valid, '예: `violations = {"I", "II"}`'),
    Criterion("III. 설정 위반을 찾았다", 1, _found("III"), "코드에 들어 있는 시크릿과 환경별 분기를 본다."),
    Criterion("IV. 백킹 서비스 위반을 찾았다", 1, _found("IV"), "DB를 URL 하나로 바꿔 끼울 수 있는가?"),
    Criterion("VI. 프로세스 위반을 찾았다", 1, _found("VI"), "인스턴스가 셋이면 로그인 세션은 어디에 있나?"),
    Criterion("XI. 로그 위반을 찾았다", 1, _found("XI"), "로그를 누가 모으고 돌리는가?"),
    Criterion("지키고 있는 원칙을 고르지 않았다", 1, _no_false_alarm, "(가)·(나)는 12-팩터를 따른 줄이다."),
])




# ---- 공통: 학습자의 파일을 임시 폴더에 옮겨 띄운다 ----------------------------------------

GRADER_SECRET = "grader-secret-7c41d2e9b05a"
"""채점기가 환경 변수로 주는 시크릿: 시작 로그와 `/info`에 이 값이 보이면 샌 것이다."""

GRADER_DB = "postgresql://shop@db.internal:5432/shop"

SEED_PLACEHOLDER = "your-256-bit-secret-key-here"
"""시드의 `.env`에 적힌 자리표시자: 이 값으로 배포하면 누구나 아는 시크릿이다."""

STAGING_ENV = f"DATABASE_URL={GRADER_DB}\nSECRET_KEY={GRADER_SECRET}\nENVIRONMENT=staging\n"
TYPO_ENV = STAGING_ENV.replace("ENVIRONMENT=", "ENVIROMENT=")
"""8-3: 이름이 한 글자 빠진 스테이징 `.env` (레슨의 고장 난 `.env`와 같은 오타)."""

REFERENCE_SETTINGS = '''\
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", case_sensitive=False)

    app_name: str = "MyAPI"
    debug: bool = False
    environment: str = "production"
    database_url: str
    db_pool_size: int = 10
    db_max_overflow: int = 20
    redis_url: str = "redis://localhost:6379/0"
    secret_key: SecretStr
    access_token_expire_minutes: int = 15
    smtp_host: str = ""
    smtp_port: int = 587
    sentry_dsn: str = ""
'''
"""8-2에서 학습자의 `.env`를 읽는 설정 클래스 (레슨이 8-1·8-3에서 고친 모양: 시크릿 필수, 모르는 이름은 거부)."""


def _lab(ns: Mapping[str, Any]) -> str:
    return str(ns.get("LAB", LAB))


def _folder(lab: str, name: str, files: Mapping[str, str]) -> Path:
    """채점용 빈 폴더에 파일들을 쓴다 (`app.py`는 레슨의 글 그대로)."""
    folder = tasks.files_dir(lab) / f"checkpoint-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for file, text in {"app.py": APP_PY, **files}.items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder


def _run(lab: str, folder: Path, env: Mapping[str, str]) -> AppRun:
    return try_app(lab, folder=folder, env=env, echo=False, show=False)


def _refused(run: AppRun, field: str) -> tuple[bool, str]:
    """시작을 거부했고(종료 코드가 0이 아니다) 오류가 `field`를 짚는가."""
    if run.started:
        return False, f"그래도 떴다: /info {json.dumps(run.info, ensure_ascii=False)}"
    errors = run.errors()
    named = any(field in e.lower() for e in errors)
    detail = "; ".join(errors) or "로그에 오류 줄이 없다"
    return bool(named and run.returncode), f"종료 코드 {run.returncode}: {detail}"


def _started(run: AppRun) -> tuple[bool, str]:
    if not run.started:
        return False, "시작을 거부했다: " + ("; ".join(run.errors()) or f"종료 코드 {run.returncode}")
    return run.status == 200, f"GET /info → {run.status} {json.dumps(run.info, ensure_ascii=False)}"


# ---- 8-1: 기본값이 박힌 시크릿 고치기 --------------------------------------------------------

SETTINGS = "settings.py"


@lru_cache(maxsize=8)
def _secret_runs(text: str, lab: str) -> dict[str, AppRun]:
    folder = _folder(lab, "8-1", {SETTINGS: text})
    return {
        "full": _run(lab, folder, {"DATABASE_URL": GRADER_DB, "SECRET_KEY": GRADER_SECRET, "DEBUG": "true"}),
        "no_secret": _run(lab, folder, {"DATABASE_URL": GRADER_DB}),
        "no_db": _run(lab, folder, {"SECRET_KEY": GRADER_SECRET}),
    }


def _secret(ns: Mapping[str, Any]) -> dict[str, AppRun]:
    return _secret_runs(tasks.text(ns, SETTINGS), _lab(ns))


def _full_starts(ns):
    return _started(_secret(ns)["full"])


def _no_secret_refused(ns):
    ok, note = _refused(_secret(ns)["no_secret"], "secret_key")
    if _secret(ns)["no_secret"].started:
        note = "SECRET_KEY 없이도 떴다: 시크릿에 기본값이 남아 있다"
    return ok, note


def _no_db_refused(ns):
    ok, note = _refused(_secret(ns)["no_db"], "database_url")
    if _secret(ns)["no_db"].started:
        note = "DATABASE_URL 없이도 떴다: DB 주소에 기본값이 있다"
    return ok, note


def _secret_hidden(ns):
    run = _secret(ns)["full"]
    if not run.started:
        return False, "먼저 앱이 떠야 한다."
    in_log = GRADER_SECRET in run.log
    in_info = GRADER_SECRET in json.dumps(run.info)
    if in_log:
        return False, f"시작 로그에 시크릿이 그대로 찍혔다: {run.settings_line().replace(GRADER_SECRET, '<채점기의 시크릿>')}"
    if in_info:
        return False, "/info 응답에 시크릿이 있다"
    return True, "시작 로그의 secret_key가 가려졌다: " + (
        "SecretStr('**********')" if "SecretStr(" in run.settings_line() else "보이지 않는다")


def _seed_values(ns):
    run = _secret(ns)["full"]
    if not run.started:
        return False, "먼저 앱이 떠야 한다."
    info = run.info or {}
    ok = info.get("debug") is True and info.get("environment") == "production" and info.get("app") == "MyAPI"
    return ok, f"DEBUG=true를 주면 /info: app={info.get('app')!r}, environment={info.get('environment')!r}, " \
               f"debug={info.get('debug')!r}"


secret_fixed = Grader("체크포인트 8-1: 기본값이 박힌 시크릿 고치기", [
    Criterion("DATABASE_URL과 SECRET_KEY를 주면 앱이 뜨고 /info가 200", 2, _full_starts,
              "settings.py가 파이썬으로 읽히는지, 필드 이름이 시드와 같은지 본다."),
    Criterion("SECRET_KEY가 없으면 시작을 거부한다 (종료 코드, 오류가 secret_key를 짚는다)", 2, _no_secret_refused,
              "시크릿에 기본값을 두지 않는다: `secret_key: SecretStr`"),
    Criterion("DATABASE_URL이 없으면 시작을 거부한다", 1, _no_db_refused, "`database_url: str`에도 기본값을 두지 않는다."),
    Criterion("시작 로그와 /info에 시크릿 값이 보이지 않는다", 2, _secret_hidden,
              "`SecretStr`은 repr과 str에서 `**********`로 가려진다."),
    Criterion("나머지는 시드 그대로: DEBUG=true가 debug true로, 기본 environment production, app_name MyAPI", 1,
              _seed_values, "시크릿 줄 말고는 바꾸지 않는다."),
])


# ---- 8-2: 로컬 개발용 .env ----------------------------------------------------------------

DOTENV = ".env"


@lru_cache(maxsize=8)
def _dotenv_run(text: str, lab: str) -> AppRun:
    folder = _folder(lab, "8-2", {SETTINGS: REFERENCE_SETTINGS, DOTENV: text})
    return _run(lab, folder, {})


def _dotenv(ns: Mapping[str, Any]) -> AppRun:
    return _dotenv_run(tasks.text(ns, DOTENV), _lab(ns))


def _dotenv_values(ns: Mapping[str, Any]) -> dict[str, str | None]:
    from dotenv import dotenv_values

    return dict(dotenv_values(stream=io.StringIO(tasks.text(ns, DOTENV))))


def _dotenv_starts(ns):
    return _started(_dotenv(ns))


def _dotenv_dev(ns):
    run = _dotenv(ns)
    if not run.started:
        return False, "먼저 앱이 떠야 한다."
    info = run.info or {}
    ok = info.get("environment") == "development" and info.get("debug") is True
    return ok, f"/info: environment={info.get('environment')!r}, debug={info.get('debug')!r}"


def _dotenv_secret(ns):
    values = {k.upper(): v for k, v in _dotenv_values(ns).items()}
    secret = (values.get("SECRET_KEY") or "").strip()
    if not secret:
        return False, "SECRET_KEY가 없다"
    if secret == SEED_PLACEHOLDER:
        return False, "시드의 자리표시자 그대로다: 문서에 적힌 값은 누구나 아는 시크릿이다"
    if len(secret) < 32:
        return False, f"SECRET_KEY가 {len(secret)}자다: `secrets.token_hex(32)`는 64자를 만든다"
    return True, f"SECRET_KEY {len(secret)}자 (값은 보이지 않는다)"


dotenv_file = Grader("체크포인트 8-2: 로컬 개발용 .env", [
    Criterion("환경 변수 없이 `.env`만으로 앱이 뜬다 (모르는 이름 없이)", 2, _dotenv_starts,
              "DATABASE_URL과 SECRET_KEY가 `.env`에 있어야 한다. 이름은 시드 그대로 쓴다."),
    Criterion("/info: environment development, debug true", 1, _dotenv_dev, "`ENVIRONMENT=development`, `DEBUG=true`"),
    Criterion("SECRET_KEY는 자리표시자가 아닌 무작위 값이다 (32자 이상)", 2, _dotenv_secret,
              "`python -c 'import secrets; print(secrets.token_hex(32))'`로 만든다."),
])


# ---- 8-3: 조용히 버려지는 .env의 오타 ----------------------------------------------------------

@lru_cache(maxsize=8)
def _typo_runs(text: str, lab: str) -> dict[str, AppRun]:
    return {
        "typo": _run(lab, _folder(lab, "8-3-typo", {SETTINGS: text, DOTENV: TYPO_ENV}), {}),
        "good": _run(lab, _folder(lab, "8-3-good", {SETTINGS: text, DOTENV: STAGING_ENV}), {}),
        "no_secret": _run(lab, _folder(lab, "8-3-nosecret", {
            SETTINGS: text, DOTENV: STAGING_ENV.replace(f"SECRET_KEY={GRADER_SECRET}\n", "")}), {}),
    }


def _typo(ns: Mapping[str, Any]) -> dict[str, AppRun]:
    return _typo_runs(tasks.text(ns, SETTINGS), _lab(ns))


def _typo_good(ns):
    run = _typo(ns)["good"]
    ok, note = _started(run)
    return ok and (run.info or {}).get("environment") == "staging", note


def _typo_refused(ns):
    run = _typo(ns)["typo"]
    ok, note = _refused(run, "enviroment")
    if run.started:
        note = f"오타 난 `.env`로도 떴다: environment={(run.info or {}).get('environment')!r} (ENVIROMENT는 조용히 버려졌다)"
    return ok, note


def _typo_keeps_secret(ns):
    run = _typo(ns)["no_secret"]
    ok, note = _refused(run, "secret_key")
    if run.started:
        note = "SECRET_KEY 없이도 떴다: 8-1에서 고친 `secret_key: SecretStr`을 지킨다"
    return ok, note


typo_caught = Grader("체크포인트 8-3: 조용히 버려지는 .env의 오타 잡기", [
    Criterion("이름이 맞는 `.env`로는 뜨고 /info의 environment가 staging", 2, _typo_good,
              "필드와 `.env`의 이름이 맞으면 그대로 떠야 한다."),
    Criterion("이름이 틀린 `.env`(ENVIROMENT)로는 시작을 거부하고, 오류가 그 이름을 짚는다", 3, _typo_refused,
              "`extra=\"ignore\"`는 모르는 이름을 버린다: BaseSettings의 기본값 `extra=\"forbid\"`로 되돌린다."),
    Criterion("SECRET_KEY는 여전히 필수다 (8-1에서 고친 것)", 1, _typo_keeps_secret, "`secret_key: SecretStr`"),
])


# ---- 8-4: Compose 시크릿 -----------------------------------------------------------------

COMPOSE = "compose.yaml"
GRADER_COMPOSE_SECRET = "grader-compose-secret-5e8b1f0c93d2a6"
_SECRET_IN_FILE = re.compile(r"^\s*-?\s*SECRET_KEY\s*[:=]", re.M)


@lru_cache(maxsize=8)
def _compose_run(text: str, lab: str) -> ComposeRun:
    folder = _folder(lab, "8-4", {COMPOSE: text})
    (folder / "app.py").unlink()
    folder.chmod(0o755)
    write_secret_file(lab, folder=folder, value=GRADER_COMPOSE_SECRET, show=False)
    return compose_try(lab, folder=folder, project="course-08-check", echo=False, show=False)


def _compose(ns: Mapping[str, Any]) -> ComposeRun:
    return _compose_run(tasks.text(ns, COMPOSE), _lab(ns))


def _stack_up(ns):
    run = _compose(ns)
    if not run.ok:
        return False, run.error
    env = (run.info or {}).get("environment")
    return env == "staging", f"GET /info → 200, environment={env!r}"


def _secret_mounted(ns):
    run = _compose(ns)
    if not run.ok:
        return False, "먼저 스택이 떠야 한다."
    ok = "secret_key" in (run.secret_files or [])
    return ok, "/run/secrets: " + (", ".join(run.secret_files or []) or "(없음)")


def _not_in_env(ns):
    run = _compose(ns)
    if not run.ok:
        return False, "먼저 스택이 떠야 한다."
    leaked = [n for n in run.env_names() if n == "SECRET_KEY"]
    value_leaked = any(GRADER_COMPOSE_SECRET in item for item in run.env or [])
    if leaked or value_leaked:
        return False, "docker inspect의 환경 변수에 SECRET_KEY가 있다: 누구나 `docker inspect`로 본다"
    return True, "docker inspect의 환경 변수에 SECRET_KEY가 없다"


def _not_in_file(ns):
    text = tasks.text(ns, COMPOSE)
    found = _SECRET_IN_FILE.search(text)
    return not found, (f"compose.yaml에 `{found.group(0).strip()}` 줄이 있다: 파일과 함께 저장소에 들어간다"
                       if found else "compose.yaml에 시크릿 값이 없다")


compose_secret = Grader("체크포인트 8-4: 시크릿을 Compose 시크릿으로", [
    Criterion("docker compose up으로 스택이 뜨고 /info의 environment가 staging", 2, _stack_up,
              "서비스 이름(app), 이미지, 포트(127.0.0.1::8000)는 그대로 둔다."),
    Criterion("시크릿이 컨테이너 안의 /run/secrets/secret_key 파일로 들어간다", 1, _secret_mounted,
              "서비스의 `secrets: [secret_key]`와 최상위 `secrets: secret_key: file: ./secret_key.txt`"),
    Criterion("docker inspect의 환경 변수에 SECRET_KEY가 없다", 2, _not_in_env,
              "`environment:`에서 SECRET_KEY 줄을 지운다 (앱은 /run/secrets/secret_key를 읽는다)."),
    Criterion("compose.yaml에 시크릿 값이 적혀 있지 않다", 1, _not_in_file, "값은 secret_key.txt에만 둔다."),
])

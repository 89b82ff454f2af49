"""00 레슨(시작하기)의 체크포인트 채점기. 0-1·0-2·0-3·0-5는 실제 uvicorn을 띄워 채점한다 (각 60초 안).

학습자는 환경 파일과 실행 스크립트를 `%%lab_file 이름` 셀(`labs.tasks`)에 쓰고, 채점기는 노트북 이름 공간의
`LAB_FILES[이름]`을 읽어 그 글 그대로 서버를 띄운다 (`labs.launch`: 예제 앱 설정은 파일에서만 읽는다).

- 0-1 `env_file`: `app.env`로 띄운 앱이 `/health`·`/info`·`/health/ready`에 조건대로 답하는지.
- 0-2 `prod_env_fixed`: 앱이 거부하던 `prod.env`(`ENVIRONMENT=prod`, `LOG_LEVEL=warn`)를 고쳤는지, 띄워서 본다.
- 0-3 `run_script_fixed`: `run.sh`가 플랫폼이 준 `PORT`에서 듣는지, 포트 두 개로 두 번 띄워 헬스 체크를 한다.
- 0-4 `littles_law`: 리틀의 법칙 계산.
- 0-5 `live_server`: `WEB_CONCURRENCY=2`로 띄운 서버의 워커가 정말 두 개인지.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import launch, tasks
from ..errors import LabError
from ..grading import Criterion, Grader, need
from ..korean import particle
from ..procs import Server, free_port

LAB = "00_start_here"

APP_ENV = "app.env"
PROD_ENV = "prod.env"
RUN_SH = "run.sh"

WANT_NAME, WANT_ENVIRONMENT = "hello-api", "development"
"""0-1의 조건: `APP_NAME`과 `ENVIRONMENT`."""

SCRIPT_APP_NAME = "checkpoint-run-sh"
"""0-3에서 채점기가 스크립트 옆에 두는 `app.env`의 `APP_NAME` (스크립트가 옆의 파일을 읽는지 본다)."""


def _lab(ns: Mapping[str, Any]) -> str:
    return str(ns.get("LAB", LAB))


def _parse(text: str) -> dict[str, str]:
    """환경 파일을 uvicorn `--env-file`이 쓰는 python-dotenv로 읽는다."""
    from dotenv import dotenv_values

    return {k: (v or "") for k, v in dotenv_values(stream=io.StringIO(text)).items()}


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def _checkpoint_dir(lab: str, name: str) -> Path:
    path = tasks.files_dir(lab) / f"checkpoint-{name}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _failure(exc: LabError) -> str:
    """시작 실패를 한 줄로: 앱이 남긴 설정 오류가 있으면 그것, 없으면 첫 줄."""
    reasons = launch.app_error(exc)
    return " / ".join(reasons[:2]) if reasons else str(exc).splitlines()[0].removeprefix("❌ ").strip()


@lru_cache(maxsize=16)
def _run_env_file(text: str, lab: str, name: str) -> dict[str, Any]:
    """환경 파일을 그대로 써서 uvicorn을 띄우고 `/health`·`/info`·`/health/ready`와 로그를 본다."""
    path = _checkpoint_dir(lab, name) / name
    path.write_text(text, encoding="utf-8")
    out: dict[str, Any] = {}
    try:
        with launch.start_uvicorn(lab, env_file=path, timeout=20, echo=False) as srv:
            out["health"] = _get(srv.url + "/health")
            out["info"] = _get(srv.url + "/info")[1]
            out["ready"] = _get(srv.url + "/health/ready")[1].get("status")
            out["logs"] = srv.logs()
    except LabError as exc:
        out["error"] = _failure(exc)
    return out


def _live(info: dict[str, Any]) -> dict[str, Any]:
    if "error" in info:
        raise ValueError(f"앱이 시작하지 못했다: {info['error']}")
    return info


# ---- 0-1: 내 환경 파일 -------------------------------------------------------------

def _app_env(ns: Mapping[str, Any]) -> dict[str, str]:
    return _parse(tasks.text(ns, APP_ENV))


def _secret(ns: Mapping[str, Any]) -> tuple[bool, str]:
    value = _app_env(ns).get("SECRET_KEY", "")
    ok = bool(value.strip())
    return ok, "SECRET_KEY가 있다 (값은 보이지 않는다)" if ok else "`SECRET_KEY=값` 줄이 없거나 값이 비어 있다."


def _names(ns: Mapping[str, Any]) -> tuple[bool, str]:
    env = _app_env(ns)
    got = (env.get("APP_NAME"), env.get("ENVIRONMENT"))
    ok = got == (WANT_NAME, WANT_ENVIRONMENT)
    return ok, f"APP_NAME={got[0]}, ENVIRONMENT={got[1]}"


def _app_run(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _live(_run_env_file(tasks.text(ns, APP_ENV), _lab(ns), APP_ENV))


def _app_health(ns: Mapping[str, Any]) -> tuple[bool, str]:
    status, body = _app_run(ns)["health"]
    ok = status == 200 and body.get("status") == "ok"
    return ok, "앱이 시작했고 /health → 200" if ok else f"/health 응답: {status} {body}"


def _app_info(ns: Mapping[str, Any]) -> tuple[bool, str]:
    info = _app_run(ns)["info"]
    got = (info.get("name"), info.get("environment"))
    ok = got == (WANT_NAME, WANT_ENVIRONMENT)
    return ok, f"/info: name={got[0]}, environment={got[1]}"


def _app_ready(ns: Mapping[str, Any]) -> tuple[bool, str]:
    status = _app_run(ns)["ready"]
    return status == "ok", f"/health/ready: {status}"


env_file = Grader("체크포인트 0-1: 내 환경 파일 `app.env`", [
    Criterion("`SECRET_KEY`에 값이 있다", 1, _secret, "`SECRET_KEY=아무-긴-값` 한 줄을 쓴다 (따옴표 없이)."),
    Criterion(f"`APP_NAME={WANT_NAME}`, `ENVIRONMENT={WANT_ENVIRONMENT}`", 1, _names,
              "한 줄에 `이름=값` 하나, `=` 앞뒤에 띄어쓰기 없이."),
    Criterion("그 파일로 띄운 앱이 시작해 `/health`에 200으로 답한다", 2, _app_health),
    Criterion("`/info`가 파일에 적은 이름과 환경을 보인다", 1, _app_info),
    Criterion("`/health/ready`가 ok다 (`DATABASE_URL`의 데이터베이스에 닿는다)", 1, _app_ready,
              "주어진 `DATABASE_URL` 줄은 그대로 둔다."),
])


# ---- 0-2: 앱이 거부하던 prod.env 고치기 -------------------------------------------------------

def _prod(ns: Mapping[str, Any]) -> dict[str, str]:
    return _parse(tasks.text(ns, PROD_ENV))


def _prod_values(ns: Mapping[str, Any]) -> tuple[bool, str]:
    env = _prod(ns)
    environment, level = env.get("ENVIRONMENT", ""), env.get("LOG_LEVEL", "")
    ok = environment.strip().lower() == "production" and level.strip().upper() == "WARNING"
    return ok, f"ENVIRONMENT={environment}, LOG_LEVEL={level}"


def _prod_run(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _live(_run_env_file(tasks.text(ns, PROD_ENV), _lab(ns), PROD_ENV))


def _prod_starts(ns: Mapping[str, Any]) -> tuple[bool, str]:
    status, _ = _prod_run(ns)["health"]
    return status == 200, "앱이 설정을 받아들이고 시작했다, /health → 200" if status == 200 else f"/health → {status}"


def _prod_environment(ns: Mapping[str, Any]) -> tuple[bool, str]:
    environment = _prod_run(ns)["info"].get("environment")
    return environment == "production", f"/info: environment={environment}"


def _prod_quiet(ns: Mapping[str, Any]) -> tuple[bool, str]:
    logs = _prod_run(ns)["logs"]
    quiet = "[lifespan]" not in logs
    return quiet, ("로그에 INFO 줄(`[lifespan] …`)이 없다: WARNING 이상만 찍힌다" if quiet
                   else "로그에 INFO 줄(`[lifespan] …`)이 찍혔다: LOG_LEVEL이 WARNING이 아니다")


prod_env_fixed = Grader("체크포인트 0-2: 앱이 거부한 `prod.env` 고치기", [
    Criterion("`ENVIRONMENT`와 `LOG_LEVEL`이 앱이 받는 값이다 (production, WARNING)", 2, _prod_values,
              "앱의 오류 줄이 받는 값을 알려 준다: `ENVIRONMENT=production`, `LOG_LEVEL=WARNING`."),
    Criterion("그 파일로 띄운 앱이 시작해 `/health`에 200으로 답한다", 2, _prod_starts),
    Criterion("`/info`의 환경이 production이다", 1, _prod_environment),
    Criterion("로그가 WARNING 이상만 찍는다 (INFO인 `[lifespan]` 줄이 없다)", 1, _prod_quiet),
])


# ---- 0-3: 헬스 체크가 닿지 않던 run.sh 고치기 ---------------------------------------------------

@lru_cache(maxsize=8)
def _run_script(text: str, lab: str) -> dict[str, Any]:
    """스크립트를 (채점기가 옆에 둔 `app.env`와 함께) 서로 다른 PORT로 두 번 띄운다."""
    folder = _checkpoint_dir(lab, RUN_SH)
    (folder / APP_ENV).write_text(
        f"SECRET_KEY=checkpoint-only-secret\nENVIRONMENT=lab\nAPP_NAME={SCRIPT_APP_NAME}\n"
        f"DATABASE_URL=sqlite+aiosqlite:///{folder / 'checkpoint.db'}\n", encoding="utf-8")
    script = folder / RUN_SH
    script.write_text(text, encoding="utf-8")
    runs: list[dict[str, Any]] = []
    for _ in range(2):
        port = free_port()
        run: dict[str, Any] = {"port": port}
        try:
            with launch.start_script(lab, script, port=port, timeout=8, echo=False) as srv:
                run["health"] = _get(srv.url + "/health")[0]
                run["name"] = _get(srv.url + "/info")[1].get("name")
                run["listening"] = launch.listening(srv)
                run["command"] = launch.command_of(srv)
        except LabError as exc:
            running = launch.log_line(exc, "Uvicorn running on")
            run["error"] = (f"PORT={port}에서 답하지 않았다, 로그: {running.split('INFO:', 1)[-1].strip()}"
                            if running else _failure(exc))
        runs.append(run)
        if "error" in run:
            break  # 망가진 스크립트로 한 번 더 기다리지 않는다 (60초 안)
    return {"runs": runs}


def _runs(ns: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _run_script(tasks.text(ns, RUN_SH), _lab(ns))["runs"]


def _answered(ns: Mapping[str, Any]) -> tuple[bool, str]:
    runs = _runs(ns)
    bad = next((r for r in runs if "error" in r or r.get("health") != 200), None)
    if bad is not None:
        return False, bad.get("error", f"PORT={bad['port']}: /health → {bad.get('health')}")
    return True, "PORT를 두 번 바꿔 띄웠고 두 번 모두 그 포트에서 /health → 200"


def _first_live(ns: Mapping[str, Any]) -> dict[str, Any]:
    run = _runs(ns)[0]
    if "error" in run:
        raise ValueError("먼저 PORT에서 답하게 고친다.")
    return run


def _loopback(ns: Mapping[str, Any]) -> tuple[bool, str]:
    addrs = _first_live(ns)["listening"]
    ok = bool(addrs) and all(a.startswith("127.0.0.1:") for a in addrs)
    return ok, f"듣는 주소: {', '.join(addrs) or '없음'}"


def _exec(ns: Mapping[str, Any]) -> tuple[bool, str]:
    command = _first_live(ns)["command"]
    return command == "uvicorn", f"스크립트가 시작한 프로세스가 지금 실행하는 것: {command}"


def _reads_env_file(ns: Mapping[str, Any]) -> tuple[bool, str]:
    name = _first_live(ns)["name"]
    return name == SCRIPT_APP_NAME, f"/info의 name: {name}"


run_script_fixed = Grader("체크포인트 0-3: 헬스 체크가 닿지 않던 `run.sh` 고치기", [
    Criterion("플랫폼이 준 `PORT`에서 헬스 체크에 답한다 (포트를 바꿔 두 번)", 3, _answered,
              "포트 번호를 적지 말고 환경 변수를 쓴다: `--port \"$PORT\"`."),
    Criterion("루프백(127.0.0.1)에서만 듣는다", 1, _loopback,
              "`--host 127.0.0.1`: 0.0.0.0은 이 기계의 모든 네트워크 인터페이스에서 듣는다."),
    Criterion("`exec`로 셸 대신 uvicorn이 그 프로세스가 된다", 1, _exec,
              "`exec uvicorn …`: 플랫폼이 보내는 종료 신호가 셸이 아니라 uvicorn에 간다 (07 레슨)."),
    Criterion("스크립트 옆의 `app.env`를 읽는다", 1, _reads_env_file,
              "`--env-file \"$(dirname \"$0\")/app.env\"`는 그대로 둔다."),
])


# ---- 0-4: 리틀의 법칙 -----------------------------------------------------------------

def _is_number(ns: Mapping[str, Any]) -> tuple[bool, str]:
    value = need(ns, "in_flight")
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return ok, "" if ok else f"숫자가 아니다: {value!r}"


def _littles_law(ns: Mapping[str, Any]) -> tuple[bool, str]:
    if not _is_number(ns)[0]:
        return False, "먼저 숫자로 적는다."
    value = need(ns, "in_flight")
    ok = abs(float(value) - 10) < 1e-6
    return ok, "초당 200건 × 0.05초 = 동시에 10건" if ok else f"{value}{particle(value, '은')} 아니다"


littles_law = Grader("체크포인트 0-4: 리틀의 법칙", [
    Criterion("`in_flight`가 숫자다", 1, _is_number, "정수나 실수로 적는다."),
    Criterion("동시에 처리 중인 요청 수가 맞다", 2, _littles_law,
              "동시 요청 수 = 도착률(초당 요청) × 평균 응답 시간(초)."),
])


# ---- 0-5: 워커 두 개짜리 서버 -------------------------------------------------------------

def _server(ns: Mapping[str, Any]) -> Server:
    srv = need(ns, "my_server")
    if not isinstance(srv, Server):
        raise TypeError("`labs.launch.start_script(...)`가 돌려준 서버 객체를 `my_server`에 담는다.")
    return srv


def _alive(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    return srv.alive(), "" if srv.alive() else "서버 프로세스가 이미 끝났다. 셀을 다시 실행한다."


def _health(ns: Mapping[str, Any]) -> tuple[bool, str]:
    status, body = _get(_server(ns).url + "/health")
    ok = status == 200 and body.get("status") == "ok"
    return ok, "" if ok else f"/health 응답: {status} {body}"


def _two_workers(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    n = len(srv.worker_pids())
    return n == 2, "" if n == 2 else f"워커가 {n}개다. 환경 변수 `WEB_CONCURRENCY=2`를 주고 시작한다."


def _served_by_worker(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    _, who = _get(srv.url + "/whoami")
    ok = who.get("pid") in srv.worker_pids()
    return ok, "" if ok else "응답한 프로세스가 이 서버의 워커가 아니다."


live_server = Grader("체크포인트 0-5: 워커 두 개짜리 서버", [
    Criterion("`my_server`가 실습 도구로 띄운 서버다", 1, lambda ns: (_server(ns) is not None, ""),
              "`my_server = labs.launch.start_script(LAB, labs.tasks.path(\"run.sh\"), env={…})`"),
    Criterion("서버 프로세스가 살아 있다", 1, _alive),
    Criterion("`/health`가 200과 status=ok로 답한다", 1, _health),
    Criterion("워커 프로세스가 두 개다", 2, _two_workers),
    Criterion("`/whoami`에 답한 프로세스가 그 워커 중 하나다", 1, _served_by_worker),
])

"""02 레슨(WSGI 서버: gunicorn)의 체크포인트 채점기. 모두 실제 gunicorn으로 채점한다 (각 60초 안).

학습자는 설정 파일을 `%%lab_file 이름` 셀(`labs.tasks`)에 쓰고, 채점기는 노트북 이름 공간의 `LAB_FILES[이름]`을 읽는다.

- 2-1 `typo_fixed`: 오타 난 설정(`worker`, `thread`)을 고쳤는지 `--print-config`와 실제 워커 수로 본다.
- 2-2 `timeout_fixed`: 느린 요청을 `timeout`이 끊지 않는지, 고친 설정으로 띄워 느린 요청을 실제로 보내 본다.
- 2-3 `config_file`: 학생이 쓴 `gunicorn.conf.py`를 gunicorn 자신에게 읽히고(`--print-config`), 실제로 띄워 본다.
- 2-4 `worker_choice`: 상황마다 알맞은 워커 클래스를 고른다.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import psutil

from .. import gunicorn_conf, tasks
from ..errors import LabError
from ..grading import Criterion, Grader, need
from ..gunicorn_lab import settled_workers
from ..korean import particle
from ..procs import DEFAULT_WSGI, Server, free_port

LAB = "02_wsgi_gunicorn"

CONFIG = "gunicorn.conf.py"
TYPO = "typo.conf.py"
SLOW = "slow.conf.py"

SLOW_SECONDS = 4
"""2-2의 느린 요청이 걸리는 시간(초): `/slow?duration=4`."""


def _lab(ns: Mapping[str, Any]) -> str:
    return str(ns.get("LAB", LAB))


def _listening_ports(srv: Server) -> set[int]:
    """마스터 프로세스가 듣고 있는 TCP 포트 (gunicorn은 마스터가 소켓을 연다)."""
    try:
        conns = psutil.Process(srv.pid).net_connections(kind="tcp")
    except psutil.Error:
        return set()
    return {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}


def _whoami(srv: Server) -> dict:
    with urllib.request.urlopen(srv.url + "/whoami", timeout=5) as r:
        return json.loads(r.read())


@lru_cache(maxsize=16)
def _inspect(text: str, lab: str, name: str, env_items: tuple[tuple[str, str], ...], bind_env: str | None) -> dict[str, Any]:
    """설정 파일을 gunicorn에게 읽히고(환경 변수 없이, `env_items`로) 실제로 띄워 본 결과 (같은 답이면 다시 재지 않는다)."""
    path = gunicorn_conf.write(lab, f"checkpoint-{name}", text)
    out: dict[str, Any] = {"error": None}
    try:
        plain = gunicorn_conf.load(path, DEFAULT_WSGI)
        with_env = gunicorn_conf.load(path, DEFAULT_WSGI, env=dict(env_items)) if env_items else plain
    except LabError as exc:
        out["error"] = str(exc).splitlines()[-1].strip()
        return out
    out.update(settings=dict(plain.settings), env_settings=dict(with_env.settings), ignored=plain.ignored)
    port = free_port()
    try:
        with gunicorn_conf.start_with_config(lab, path, DEFAULT_WSGI, port=port, timeout=15,
                                             bind_env=bind_env) as srv:
            workers = settled_workers(srv)  # 첫 워커가 답해도 나머지는 아직 뜨는 중일 수 있다
            who = _whoami(srv)
            out["live"] = {"workers": len(workers), "thread": who.get("thread", ""),
                           "master_listens": port in _listening_ports(srv), "port": port}
    except (LabError, OSError) as exc:
        out["live_error"] = str(exc).splitlines()[0]
    return out


def _value(info: dict[str, Any], key: str, env: bool = False) -> Any:
    if info["error"]:
        raise ValueError("gunicorn이 설정을 읽지 못했다.")
    return gunicorn_conf.parse_value(info["env_settings" if env else "settings"][key])


def _accepted(info: dict[str, Any]) -> tuple[bool, str]:
    if info["error"]:
        return False, f"gunicorn이 거부했다: {info['error']}"
    return True, "gunicorn --print-config 통과"


def _no_ignored(info: dict[str, Any]) -> tuple[bool, str]:
    if info["error"]:
        return False, "먼저 gunicorn이 받아들이게 한다."
    ignored = info["ignored"]
    return not ignored, "" if not ignored else f"gunicorn이 모르는 이름이라 무시된다: {', '.join(ignored)}"


def _live(info: dict[str, Any]) -> dict[str, Any]:
    if info["error"]:
        raise ValueError("먼저 gunicorn이 받아들이게 한다.")
    if "live_error" in info:
        raise ValueError(f"띄우지 못했다: {info['live_error']}")
    return info["live"]


# ---- 2-1: 오타 고치기 --------------------------------------------------------------

def _typo(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _inspect(tasks.text(ns, TYPO), _lab(ns), TYPO, (), None)


def _typo_values(ns):
    info = _typo(ns)
    workers, threads = _value(info, "workers"), _value(info, "threads")
    ok = workers == 4 and threads == 4
    return ok, f"gunicorn이 적용할 값: workers = {workers}, threads = {threads}"


def _typo_live(ns):
    live = _live(_typo(ns))
    ok = live["workers"] == 4 and "ThreadPoolExecutor" in live["thread"]
    return ok, (f"워커 {live['workers']}개, 요청을 스레드 풀이 처리했다" if ok
                else f"워커 {live['workers']}개, 처리한 스레드 {live['thread']!r}")


typo_fixed = Grader("체크포인트 2-1: 조용히 버려진 설정 고치기", [
    Criterion("gunicorn이 설정 파일을 받아들인다", 1, lambda ns: _accepted(_typo(ns)), "문법 오류가 없는지 본다."),
    Criterion("gunicorn이 모르는 이름(오타)이 없다", 1, lambda ns: _no_ignored(_typo(ns)),
              "설정 이름은 gunicorn 문서의 이름 그대로 쓴다: `workers`, `threads`."),
    Criterion("--print-config: workers 4, threads 4", 2, _typo_values, "`workers = 4`, `threads = 4`"),
    Criterion("실제로 띄우면 워커 4개가 스레드로 요청을 처리한다", 2, _typo_live,
              "이름을 고치면 gunicorn이 워커 4개를 띄운다."),
])


# ---- 2-2: 느린 요청과 timeout ----------------------------------------------------------

@lru_cache(maxsize=8)
def _slow_run(text: str, lab: str) -> dict[str, Any]:
    """고친 설정으로 띄워 `SLOW_SECONDS`초 걸리는 요청을 보낸다: 상태 코드와 로그의 WORKER TIMEOUT."""
    path = gunicorn_conf.write(lab, f"checkpoint-{SLOW}", text)
    out: dict[str, Any] = {"error": None}
    try:
        cfg = gunicorn_conf.load(path, DEFAULT_WSGI)
    except LabError as exc:
        out["error"] = str(exc).splitlines()[-1].strip()
        return out
    out["timeout"] = cfg["timeout"]
    try:
        with gunicorn_conf.start_with_config(lab, path, DEFAULT_WSGI, timeout=15) as srv:
            try:
                with urllib.request.urlopen(f"{srv.url}/slow?duration={SLOW_SECONDS}",
                                            timeout=SLOW_SECONDS + 15) as r:
                    out["status"] = r.status
            except OSError as exc:
                out["status"] = None
                out["client"] = type(exc).__name__
            out["killed"] = "WORKER TIMEOUT" in srv.logs()
    except LabError as exc:
        out["live_error"] = str(exc).splitlines()[0]
    return out


def _slow(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _slow_run(tasks.text(ns, SLOW), _lab(ns))


def _slow_accepted(ns):
    return _accepted(_slow(ns))


def _slow_timeout(ns):
    info = _slow(ns)
    if info["error"]:
        return False, "먼저 gunicorn이 받아들이게 한다."
    t = gunicorn_conf.parse_value(str(info["timeout"]))
    if t == 0:
        return False, "`timeout = 0`은 타임아웃을 끈다: 멈춘 워커를 마스터가 영영 거두지 못한다."
    ok = isinstance(t, (int, float)) and t > SLOW_SECONDS
    return ok, f"timeout = {t}초, 느린 요청은 {SLOW_SECONDS}초"


def _slow_live(ns):
    info = _slow(ns)
    if info["error"]:
        return False, "먼저 gunicorn이 받아들이게 한다."
    if "live_error" in info:
        return False, f"띄우지 못했다: {info['live_error']}"
    if info["status"] == 200 and not info["killed"]:
        return True, f"{SLOW_SECONDS}초 걸리는 요청이 200으로 끝났다, 로그에 WORKER TIMEOUT 없음"
    if info["killed"]:
        return False, f"마스터가 워커를 죽였다 (로그에 WORKER TIMEOUT), 클라이언트는 {info.get('client') or info['status']}"
    return False, f"응답 상태 {info['status']}"


timeout_fixed = Grader("체크포인트 2-2: 느린 요청을 끊는 timeout 고치기", [
    Criterion("gunicorn이 설정 파일을 받아들인다", 1, _slow_accepted, "문법 오류가 없는지 본다."),
    Criterion(f"timeout이 느린 요청({SLOW_SECONDS}초)보다 길다 (0으로 끄지 않는다)", 1, _slow_timeout,
              "`timeout`을 가장 느린 정상 요청보다 넉넉히 길게 둔다 (예: 30)."),
    Criterion(f"실제로 띄워 {SLOW_SECONDS}초 걸리는 요청을 보내면 200으로 끝난다", 2, _slow_live,
              "sync 워커는 요청을 처리하는 동안 마스터에 살아 있다고 알리지 못한다."),
])


# ---- 2-3: 설정 파일 -----------------------------------------------------------

_CHECK_BIND = "127.0.0.1:8123"
"""`GUNICORN_BIND`를 읽는지 볼 때 주는 값 (`--print-config`만 하므로 실제로 그 포트를 열지 않는다)."""


def _config(ns: Mapping[str, Any]) -> dict[str, Any]:
    env = (("WEB_CONCURRENCY", "3"), ("GUNICORN_BIND", _CHECK_BIND))
    return _inspect(tasks.text(ns, CONFIG), _lab(ns), CONFIG, env, "GUNICORN_BIND")


def _setting(ns: Mapping[str, Any], key: str) -> Any:
    return _value(_config(ns), key)


def _gthread(ns):
    wc, threads = _setting(ns, "worker_class"), _setting(ns, "threads")
    ok = wc == "gthread" and threads == 4
    return ok, "" if ok else f"worker_class={wc}, threads={threads}"


def _workers_from_env(ns):
    info = _config(ns)
    plain, env = _value(info, "workers"), _value(info, "workers", env=True)
    ok = plain == 2 and env == 3
    return ok, ("WEB_CONCURRENCY가 없으면 2, 3이면 3" if ok
                else f"환경 변수 없이 {plain}, WEB_CONCURRENCY=3일 때 {env}")


def _bind_from_env(ns):
    info = _config(ns)
    plain, env = _value(info, "bind"), _value(info, "bind", env=True)
    ok = plain == ["127.0.0.1:8000"] and env == [_CHECK_BIND]
    return ok, (f"GUNICORN_BIND가 없으면 {plain[0]}, 있으면 그 값" if ok
                else f"환경 변수 없이 {plain}, GUNICORN_BIND={_CHECK_BIND}일 때 {env}")


def _timeouts(ns):
    timeout, graceful = _setting(ns, "timeout"), _setting(ns, "graceful_timeout")
    ok = timeout == 30 and graceful == 20
    return ok, "" if ok else f"timeout={timeout}, graceful_timeout={graceful}"


def _recycling(ns):
    mr, jitter = _setting(ns, "max_requests"), _setting(ns, "max_requests_jitter")
    ok = mr == 1000 and isinstance(jitter, int) and jitter > 0
    return ok, "" if ok else f"max_requests={mr}, max_requests_jitter={jitter}"


def _accesslog(ns):
    value = _setting(ns, "accesslog")
    return value == "-", "" if value == "-" else f"accesslog={value}"


def _config_live(ns):
    live = _live(_config(ns))
    ok = live["master_listens"] and live["workers"] == 2 and "ThreadPoolExecutor" in live["thread"]
    where = "마스터가 GUNICORN_BIND의 포트에서 듣는다" if live["master_listens"] else "마스터가 GUNICORN_BIND의 포트에서 듣지 않는다"
    return ok, (f"{where}, 워커 {live['workers']}개, 요청을 스레드 풀이 처리했다" if ok
                else f"{where}, 워커 {live['workers']}개, 처리한 스레드 {live['thread']!r}")


def _config_grader_check(fn):
    def check(ns):
        info = _config(ns)
        if info["error"] and fn not in (_accepted,):
            return False, "먼저 gunicorn이 받아들이게 한다."
        return fn(ns)
    return check


config_file = Grader("체크포인트 2-3: gunicorn 설정 파일", [
    Criterion("gunicorn이 설정 파일을 받아들인다", 2, lambda ns: _accepted(_config(ns)),
              "문법 오류나 잘못된 값이 없는지 본다."),
    Criterion("gunicorn이 모르는 이름(오타)이 없다", 1, lambda ns: _no_ignored(_config(ns)),
              "설정 이름은 gunicorn 문서의 이름 그대로 쓴다 (`workers`, `threads`, …)."),
    Criterion("gthread 워커, 워커마다 스레드 4개", 1, _config_grader_check(_gthread),
              '`worker_class = "gthread"`, `threads = 4`'),
    Criterion("워커 수를 WEB_CONCURRENCY에서 읽고, 없으면 2", 2, _config_grader_check(_workers_from_env),
              '`workers = int(os.environ.get("WEB_CONCURRENCY", "2"))`'),
    Criterion("바인드를 GUNICORN_BIND에서 읽고, 없으면 127.0.0.1:8000", 1, _config_grader_check(_bind_from_env),
              '`bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")`'),
    Criterion("timeout 30초, graceful_timeout 20초", 1, _config_grader_check(_timeouts),
              "`timeout = 30`, `graceful_timeout = 20`"),
    Criterion("요청 1000건 안팎마다 워커 교체 (지터 포함)", 1, _config_grader_check(_recycling),
              "`max_requests = 1000`, `max_requests_jitter`는 0보다 크게"),
    Criterion("접근 로그를 표준 출력으로", 1, _config_grader_check(_accesslog), '`accesslog = "-"`'),
    Criterion("실제로 띄우면 GUNICORN_BIND의 포트에서 워커 2개가 스레드로 요청을 처리한다", 2, _config_live,
              "설정 파일만으로 gunicorn이 떠야 한다 (채점기는 GUNICORN_BIND로 빈 포트를 준다)."),
])


# ---- 2-4: 워커 클래스 고르기 ----------------------------------------------------

SCENARIOS = {
    "A": "Flask 앱. 요청 대부분이 외부 결제 API의 응답을 1~2초 기다리고, 동시 접속이 수천이다. 라이브러리는 모두 순수 파이썬이다.",
    "B": "Flask 앱. 요청마다 이미지를 변환하느라 CPU를 100 ms씩 쓴다.",
    "C": "FastAPI 앱 (ASGI).",
    "D": "Django 앱. I/O 대기가 적당히 있는데, 쓰는 C 확장 DB 드라이버가 gevent의 몽키 패치와 맞지 않는다.",
}
"""노트북이 보여 주는 상황 설명."""

_SHORT = {
    "A": "긴 I/O 대기, 동시 접속 수천",
    "B": "요청마다 CPU 100 ms",
    "C": "FastAPI(ASGI) 앱",
    "D": "I/O 대기, 몽키 패치 불가",
}

_ACCEPT = {
    "A": {"gevent"},
    "B": {"sync"},
    "C": {"uvicorn_worker.UvicornWorker", "asgi"},
    "D": {"gthread"},
}

_WHY = {
    "A": "기다림이 길고 동시 접속이 많다: 그린 스레드(gevent)가 워커 하나로 수천 연결을 기다린다.",
    "B": "CPU 작업은 동시성 모델로 빨라지지 않는다: 코어 수만큼의 sync 워커(프로세스)가 맞다.",
    "C": "ASGI 앱에는 ASGI 워커: uvicorn_worker.UvicornWorker 또는 gunicorn 내장 asgi.",
    "D": "몽키 패치를 쓸 수 없으면 스레드: gthread 워커가 I/O를 기다리는 동안 다른 스레드가 일한다.",
}


def _normalise(value: Any) -> str:
    text = str(value).strip().strip("`'\"")
    for prefix in ("-k ", "--worker-class ", "--worker-class="):
        if text.startswith(prefix):
            text = text[len(prefix):].strip()
    return text


def _choice(key: str):
    def check(ns):
        answers = need(ns, "worker_choice")
        if not isinstance(answers, Mapping):
            raise TypeError("`worker_choice`는 {\"A\": \"…\", …} 모양의 사전이다.")
        if key not in answers:
            return False, f"상황 {key}의 답이 없다."
        value = _normalise(answers[key])
        if value in _ACCEPT[key]:
            return True, _WHY[key]
        if value == "eventlet":
            return False, "eventlet 워커는 gunicorn 26에서 제거됐다."
        if value == "uvicorn.workers.UvicornWorker":
            return False, "uvicorn.workers.UvicornWorker는 폐기 예정이다: uvicorn_worker.UvicornWorker를 쓴다."
        if not gunicorn_conf.worker_class_ok(value):
            return False, f"gunicorn이 불러올 수 없는 워커 클래스다: {value!r}"
        return False, f"{value!r}{particle(repr(value), '은')} 이 상황에 맞지 않는다."
    return check


worker_choice = Grader("체크포인트 2-4: 워커 클래스 고르기", [
    Criterion(f"상황 {key} ({_SHORT[key]})", 1, _choice(key), "동시성 모델과 작업의 종류(I/O·CPU)를 짝짓는다.")
    for key in SCENARIOS
])

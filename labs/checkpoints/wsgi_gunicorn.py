"""02 레슨(WSGI 서버: gunicorn)의 체크포인트 채점기.

- 2-1 `config_file`: 학생이 쓴 `gunicorn.conf.py`를 gunicorn 자신에게 읽히고(`--print-config`), 실제로 띄워 본다.
- 2-2 `worker_choice`: 상황마다 알맞은 워커 클래스를 고른다.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .. import gunicorn_conf
from ..errors import LabError
from ..grading import Criterion, Grader, need
from ..gunicorn_lab import wait_workers
from ..korean import particle
from ..procs import DEFAULT_WSGI

LAB = "02_wsgi_gunicorn"

# ---- 2-1: 설정 파일 -----------------------------------------------------------


@lru_cache(maxsize=8)
def _inspect_config(text: str, lab: str) -> dict[str, Any]:
    """설정 파일을 두 번 읽히고(환경 변수 없이, WEB_CONCURRENCY=3으로) 한 번 띄워 본 결과."""
    path = gunicorn_conf.write(lab, "checkpoint_2_1.conf.py", text)
    out: dict[str, Any] = {"error": None}
    try:
        plain = gunicorn_conf.load(path, DEFAULT_WSGI)
        with_env = gunicorn_conf.load(path, DEFAULT_WSGI, env={"WEB_CONCURRENCY": "3"})
    except LabError as exc:
        out["error"] = str(exc).splitlines()[-1].strip()
        return out
    out.update(settings=dict(plain.settings), env_workers=with_env["workers"], ignored=plain.ignored)
    try:
        with gunicorn_conf.start_with_config(lab, path, DEFAULT_WSGI, timeout=20) as srv:
            # 첫 워커가 답해도 나머지는 아직 뜨는 중일 수 있다: 설정한 수만큼 설 때까지 잠깐 기다린다
            try:
                wait_workers(srv, min(int(plain["workers"]), 8), timeout=10)
            except LabError:
                pass
            with urllib.request.urlopen(srv.url + "/whoami", timeout=5) as r:
                who = json.loads(r.read())
            out["live"] = {"workers": len(srv.worker_pids()), "thread": who.get("thread", "")}
    except (LabError, OSError) as exc:
        out["live_error"] = str(exc).splitlines()[0]
    return out


def _config(ns: Mapping[str, Any]) -> dict[str, Any]:
    text = need(ns, "my_config")
    if not isinstance(text, str) or not text.strip():
        raise TypeError("`my_config`에 설정 파일 내용을 문자열(\"\"\"…\"\"\")로 담는다.")
    return _inspect_config(text, str(ns.get("LAB", LAB)))


def _setting(ns: Mapping[str, Any], key: str) -> Any:
    info = _config(ns)
    if info["error"]:
        raise ValueError("gunicorn이 설정을 읽지 못했다.")
    return gunicorn_conf.parse_value(info["settings"][key])


def _accepted(ns):
    info = _config(ns)
    if info["error"]:
        return False, f"gunicorn이 거부했다: {info['error']}"
    return True, "gunicorn --print-config 통과"


def _no_ignored(ns):
    info = _config(ns)
    if info["error"]:
        return False, "먼저 gunicorn이 받아들이게 한다."
    ignored = info["ignored"]
    return not ignored, "" if not ignored else f"gunicorn이 모르는 이름이라 무시된다: {', '.join(ignored)}"


def _gthread(ns):
    wc, threads = _setting(ns, "worker_class"), _setting(ns, "threads")
    ok = wc == "gthread" and threads == 4
    return ok, "" if ok else f"worker_class={wc}, threads={threads}"


def _workers_from_env(ns):
    info = _config(ns)
    if info["error"]:
        return False, "먼저 gunicorn이 받아들이게 한다."
    plain = gunicorn_conf.parse_value(info["settings"]["workers"])
    env = info["env_workers"]
    ok = plain == 2 and env == 3
    return ok, ("WEB_CONCURRENCY가 없으면 2, 3이면 3" if ok
                else f"환경 변수 없이 {plain}, WEB_CONCURRENCY=3일 때 {env}")


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


def _live(ns):
    info = _config(ns)
    if info["error"]:
        return False, "먼저 gunicorn이 받아들이게 한다."
    if "live_error" in info:
        return False, f"띄우지 못했다: {info['live_error']}"
    live = info["live"]
    ok = live["workers"] == 2 and "ThreadPoolExecutor" in live["thread"]
    return ok, (f"워커 {live['workers']}개, 요청을 스레드 풀이 처리했다" if ok
                else f"워커 {live['workers']}개, 처리한 스레드 {live['thread']!r}")


config_file = Grader("체크포인트 2-1: gunicorn 설정 파일", [
    Criterion("gunicorn이 설정 파일을 받아들인다", 2, _accepted, "문법 오류나 잘못된 값이 없는지 본다."),
    Criterion("gunicorn이 모르는 이름(오타)이 없다", 1, _no_ignored,
              "설정 이름은 gunicorn 문서의 이름 그대로 쓴다 (`workers`, `threads`, …)."),
    Criterion("gthread 워커, 워커마다 스레드 4개", 1, _gthread, '`worker_class = "gthread"`, `threads = 4`'),
    Criterion("워커 수를 WEB_CONCURRENCY에서 읽고, 없으면 2", 2, _workers_from_env,
              '`workers = int(os.environ.get("WEB_CONCURRENCY", "2"))`'),
    Criterion("timeout 30초, graceful_timeout 20초", 1, _timeouts, "`timeout = 30`, `graceful_timeout = 20`"),
    Criterion("요청 1000건 안팎마다 워커 교체 (지터 포함)", 1, _recycling,
              "`max_requests = 1000`, `max_requests_jitter`는 0보다 크게"),
    Criterion("접근 로그를 표준 출력으로", 1, _accesslog, '`accesslog = "-"`'),
    Criterion("실제로 띄우면 워커 2개가 스레드로 요청을 처리한다", 2, _live,
              "설정 파일만으로 gunicorn이 떠야 한다 (바인드는 채점기가 바꾼다)."),
])


# ---- 2-2: 워커 클래스 고르기 ----------------------------------------------------

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


worker_choice = Grader("체크포인트 2-2: 워커 클래스 고르기", [
    Criterion(f"상황 {key} ({_SHORT[key]})", 1, _choice(key), "동시성 모델과 작업의 종류(I/O·CPU)를 짝짓는다.")
    for key in SCENARIOS
])

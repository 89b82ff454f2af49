"""WSGI 쌍둥이: 프레임워크 없는 WSGI 앱 (02 레슨: gunicorn sync·gthread·gevent 워커 비교).

    gunicorn sample_app.wsgi:application -w 2 -k sync
    gunicorn sample_app.wsgi:application -w 2 -k gthread --threads 4
    gunicorn sample_app.wsgi:application -w 2 -k gevent --worker-connections 100

`/work/io`는 `time.sleep`으로 기다린다. gevent 워커는 앱을 불러오기 전에 `time.sleep`을 협조적인 버전으로
바꿔 끼우므로(몽키 패치) 워커 하나가 여러 요청을 동시에 기다린다. sync 워커는 한 번에 하나만 처리한다.
FastAPI와 설정을 불러오지 않으므로 SECRET_KEY 없이 뜬다.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

from sample_app import process
from sample_app.workload import burn_cpu, clamp

_served = 0
_served_lock = threading.Lock()  # gthread 워커에서는 여러 스레드가 동시에 센다

StartResponse = Callable[..., object]
Handler = Callable[[dict], dict]


def _duration(environ: dict, default: float) -> float:
    raw = parse_qs(environ.get("QUERY_STRING", "")).get("duration", [default])[0]
    try:
        value = float(raw)
    except ValueError:
        value = default
    return clamp(value)


def health(environ: dict) -> dict:
    return {"status": "ok"}


def whoami(environ: dict) -> dict:
    return {
        **process.identity(),
        "requests_served": _served,
        "thread": threading.current_thread().name,
        "server": environ.get("SERVER_SOFTWARE"),
    }


def work_io(environ: dict) -> dict:
    duration = _duration(environ, 0.1)
    time.sleep(duration)
    return {"pid": os.getpid(), "duration": duration}


def work_cpu(environ: dict) -> dict:
    duration = _duration(environ, 0.05)
    return {"pid": os.getpid(), "duration": duration, "iterations": burn_cpu(duration)}


def slow(environ: dict) -> dict:
    duration = _duration(environ, 5.0)
    print(f"[slow] 시작: {duration:.1f}초 걸리는 요청 (pid {os.getpid()})", flush=True)
    time.sleep(duration)
    print(f"[slow] 완료: {duration:.1f}초 요청에 응답 (pid {os.getpid()})", flush=True)
    return {"pid": os.getpid(), "duration": duration, "status": "done"}


ROUTES: dict[str, Handler] = {
    "/health": health,
    "/whoami": whoami,
    "/work/io": work_io,
    "/work/cpu": work_cpu,
    "/slow": slow,
}


def _json(start_response: StartResponse, status: str, body: dict) -> Iterable[bytes]:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                            ("Content-Length", str(len(payload)))])
    return [payload]


def application(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
    """WSGI 진입점. GET만 받고, 응답은 모두 JSON이다."""
    global _served
    with _served_lock:
        _served += 1
    handler = ROUTES.get(environ.get("PATH_INFO", "/"))
    if handler is None:
        return _json(start_response, "404 Not Found", {"detail": "없는 경로다", "paths": sorted(ROUTES)})
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return _json(start_response, "405 Method Not Allowed", {"detail": "GET만 받는다"})
    return _json(start_response, "200 OK", handler(environ))

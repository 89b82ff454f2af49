"""이 프로세스가 누구인지: 호스트, pid, 워커 ID, 시작 시각, 처리한 요청 수 (01·02·06 레슨).

워커가 여러 개일 때 응답이 어느 프로세스에서 왔는지 보여 주려고 쓴다.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # WSGI 쌍둥이도 이 모듈을 쓰므로 실행 중에는 starlette를 불러오지 않는다
    from starlette.types import ASGIApp, Receive, Scope, Send

STARTED_AT = datetime.now(UTC)
"""모듈을 불러온 시각. 워커 프로세스마다 따로 불러오므로 워커마다 다르다."""


def worker_id() -> str:
    """워커를 구분하는 ID. 실행기가 `APP_WORKER_ID`나 `WORKER_ID`를 주면 그것을, 아니면 pid로 만든다."""
    return os.environ.get("APP_WORKER_ID") or os.environ.get("WORKER_ID") or f"pid-{os.getpid()}"


def server_software() -> str | None:
    """이 프로세스를 띄운 서버를 짐작한다. 모르면 None.

    gunicorn이 uvicorn 워커를 쓰면 둘 다 불러와져 있으므로 바깥쪽(gunicorn)부터 본다.
    """
    for module, dist in (("gunicorn", "gunicorn"), ("hypercorn", "hypercorn"), ("uvicorn.server", "uvicorn")):
        if module in sys.modules:
            try:
                return f"{dist}/{metadata.version(dist)}"
            except metadata.PackageNotFoundError:
                return dist
    return None


def identity() -> dict:
    return {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "worker_id": worker_id(),
        "started_at": STARTED_AT.isoformat(),
    }


class RequestCounter:
    """처리한 HTTP 요청 수를 `app.state.requests_served`에 센다(순수 ASGI 미들웨어).

    이벤트 루프는 스레드 하나에서 돌므로 잠금 없이 더해도 안전하다.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = scope["app"].state
            state.requests_served = getattr(state, "requests_served", 0) + 1
        await self.app(scope, receive, send)

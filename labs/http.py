"""노트북에서 HTTP 요청을 보내고 결과를 읽기 좋게 보여 준다 (00 레슨부터 모든 레슨).

`get()`은 응답을 한 줄 요약(`GET /health → 200`)과 JSON 본문으로 출력하고 돌려준다.
바뀌는 값(pid, 시각)은 `hide=`로 가려 nbval 비교를 안정시킨다.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from .errors import LabError
from .korean import particle


def request(method: str, url: str, *, show: bool = True, hide: tuple[str, ...] = (), timeout: float = 10.0,
            **kwargs: Any) -> httpx.Response:
    """요청을 보내고 응답을 돌려준다. 연결이 안 되면 한국어 `LabError`."""
    try:
        resp = httpx.request(method, url, timeout=timeout, **kwargs)
    except httpx.ConnectError as exc:
        raise LabError(f"❌ {url}에 연결할 수 없다: 서버가 켜져 있는지, 포트가 맞는지 확인한다.") from exc
    except httpx.TimeoutException as exc:
        raise LabError(f"❌ {url}{particle(url, '이')} {timeout:.0f}초 안에 답하지 않았다.") from exc
    if show:
        print(describe(resp, hide))
    return resp


def describe(resp: httpx.Response, hide: tuple[str, ...] = ()) -> str:
    parts = urlsplit(str(resp.request.url))
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    line = f"{resp.request.method} {path} → {resp.status_code}"
    try:
        body: Any = resp.json()
    except ValueError:
        text = resp.text.strip()
        return f"{line}\n{text[:300]}" if text else line
    if isinstance(body, dict):
        body = {k: ("…" if k in hide else v) for k, v in body.items()}
    return f"{line}\n{json.dumps(body, ensure_ascii=False, indent=2)}"


def get(url: str, **kwargs: Any) -> httpx.Response:
    """GET 요청을 보내고 응답을 돌려준다 (`show=True`면 출력도 한다)."""
    return request("GET", url, **{"show": False, **kwargs})


def post(url: str, **kwargs: Any) -> httpx.Response:
    return request("POST", url, **{"show": False, **kwargs})


def show(url: str, method: str = "GET", **kwargs: Any) -> None:
    """요청 결과를 `메서드 경로 → 상태 코드`와 JSON 본문으로 출력한다 (셀에 값이 두 번 찍히지 않게 None)."""
    request(method, url, show=True, **kwargs)

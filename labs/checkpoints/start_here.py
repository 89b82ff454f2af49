"""00 레슨(시작하기)의 체크포인트 채점기."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any

from ..grading import Criterion, Grader, need
from ..korean import particle
from ..procs import Server


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


littles_law = Grader("체크포인트 0-1: 리틀의 법칙", [
    Criterion("`in_flight`가 숫자다", 1, _is_number, "정수나 실수로 적는다."),
    Criterion("동시에 처리 중인 요청 수가 맞다", 2, _littles_law,
              "동시 요청 수 = 도착률(초당 요청) × 평균 응답 시간(초)."),
])


def _server(ns: Mapping[str, Any]) -> Server:
    srv = need(ns, "my_server")
    if not isinstance(srv, Server):
        raise TypeError("`labs.start_uvicorn(...)`이 돌려준 서버 객체를 `my_server`에 담는다.")
    return srv


def _alive(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    return srv.alive(), "" if srv.alive() else "서버 프로세스가 이미 끝났다. 셀을 다시 실행한다."


def _get(srv: Server, path: str) -> tuple[int, dict]:
    with urllib.request.urlopen(srv.url + path, timeout=5) as r:
        return r.status, json.loads(r.read())


def _health(ns: Mapping[str, Any]) -> tuple[bool, str]:
    status, body = _get(_server(ns), "/health")
    ok = status == 200 and body.get("status") == "ok"
    return ok, "" if ok else f"/health 응답: {status} {body}"


def _two_workers(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    n = len(srv.worker_pids())
    return n == 2, "" if n == 2 else f"워커가 {n}개다. `workers=2`로 시작한다."


def _served_by_worker(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    _, who = _get(srv, "/whoami")
    ok = who.get("pid") in srv.worker_pids()
    return ok, "" if ok else "응답한 프로세스가 이 서버의 워커가 아니다."


live_server = Grader("체크포인트 0-2: 워커 두 개짜리 서버", [
    Criterion("`my_server`가 실습 도구로 띄운 서버다", 1, lambda ns: (_server(ns) is not None, ""),
              "`my_server = labs.start_uvicorn(LAB, workers=2)`"),
    Criterion("서버 프로세스가 살아 있다", 1, _alive),
    Criterion("`/health`가 200과 status=ok로 답한다", 1, _health),
    Criterion("워커 프로세스가 두 개다", 2, _two_workers),
    Criterion("`/whoami`에 답한 프로세스가 그 워커 중 하나다", 1, _served_by_worker),
])

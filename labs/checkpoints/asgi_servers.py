"""01 레슨(ASGI 서버)의 체크포인트 채점기.

- 1-1 gunicorn 띄우기: 학생이 띄운 gunicorn의 실제 상태를 본다. 워커 프로세스 수, 로그의 워커 클래스,
  접근 로그, 요청을 보내 관찰한 재시작 한도, 이벤트 루프를 막았을 때 타임아웃으로 죽는지.
- 1-2 워커 수: 주어진 기계와 작업에 맞는 워커 수를 `labs.sizing.recommend()`와 견준다.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..asgi_lab import events, gunicorn_settings, request_limits, wait_for_log, wait_ready_workers, worker_class
from ..errors import LabError
from ..grading import Criterion, Grader, need
from ..korean import particle
from ..load import load
from ..procs import Server
from ..sizing import recommend

Check = Callable[[Mapping[str, Any]], tuple[bool, str]]

# ---- 체크포인트 1-2: 워커 수 ------------------------------------------------------------

MACHINE = {"cores": 4, "ram_mb": 1024, "worker_mb": 200}
"""문제의 기계: 코어 4개, 앱에 줄 수 있는 메모리 1024 MB, 워커 하나가 200 MB."""


def _answer(ns: Mapping[str, Any], name: str) -> int:
    value = need(ns, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}`{particle(name, '은')} 정수여야 한다: {value!r}")
    return value


def _both_ints(ns: Mapping[str, Any]) -> tuple[bool, str]:
    values = [_answer(ns, "workers_sync_io"), _answer(ns, "workers_async_io")]
    ok = all(v >= 1 for v in values)
    return ok, "" if ok else "워커 수는 1 이상이다."


def _sync_io(ns: Mapping[str, Any]) -> tuple[bool, str]:
    value = _answer(ns, "workers_sync_io")
    rec = recommend(**MACHINE, workload="io", model="sync")
    if value == rec.workers:
        return True, f"CPU 기준 {rec.by_cpu}개, 메모리 기준 {rec.by_memory}개 → {rec.workers}개"
    if value == rec.by_cpu:
        return False, (f"2 × 코어 + 1 = {rec.by_cpu}개는 CPU 기준일 뿐이다. {rec.by_cpu} × {MACHINE['worker_mb']} MB가 "
                       f"메모리 {MACHINE['ram_mb']} MB를 넘는다.")
    return False, f"{value}개는 아니다. 동기 워커의 CPU 기준과 메모리 기준을 각각 계산해 작은 쪽을 고른다."


def _async_io(ns: Mapping[str, Any]) -> tuple[bool, str]:
    value = _answer(ns, "workers_async_io")
    rec = recommend(**MACHINE, workload="io", model="async")
    if value == rec.workers:
        return True, f"비동기 워커는 코어당 1개: {rec.workers}개 (메모리 기준 {rec.by_memory}개 안쪽)"
    if value == 2 * MACHINE["cores"] + 1:
        return False, ("2 × 코어 + 1은 동기 워커의 규칙이다. 비동기 워커 하나는 이벤트 루프로 대기 중인 요청 여럿을 "
                       "함께 처리하므로 코어당 1개면 된다.")
    return False, f"{value}개는 아니다. 비동기 워커는 코어당 몇 개인지, 메모리 기준 안쪽인지 본다."


worker_count = Grader("체크포인트 1-2: 워커 수 정하기", [
    Criterion("두 답이 모두 1 이상의 정수다", 1, _both_ints, "`workers_sync_io = 숫자`처럼 정수로 적는다."),
    Criterion("동기(WSGI) 워커, I/O 위주: 메모리 한도까지 따졌다", 2, _sync_io,
              "CPU 기준(2 × 코어 + 1)과 메모리 기준(메모리 ÷ 워커당 메모리) 중 작은 쪽."),
    Criterion("비동기(ASGI) 워커, I/O 위주: 코어당 1개", 2, _async_io,
              "비동기 워커는 I/O를 기다리는 동안 다른 요청을 처리한다."),
])


# ---- 체크포인트 1-1: gunicorn을 플래그대로 띄우기 --------------------------------------------

TASK = {"workers": 3, "worker_class": "uvicorn_worker.UvicornWorker", "timeout": 3,
        "max_requests": 100, "max_requests_jitter": 20}
"""학생이 띄울 gunicorn: 워커 3개, uvicorn-worker 패키지의 워커, 타임아웃 3초, 요청 100건(+0~20건)마다 재시작."""

BLOCK_SECONDS = 6
"""타임아웃 관찰: 이벤트 루프를 이만큼 막는다. `--timeout 3`이면 그 전에 죽고, 기본값 30이면 살아남는다."""


def _server(ns: Mapping[str, Any]) -> Server:
    srv = need(ns, "my_gunicorn")
    if not isinstance(srv, Server):
        raise TypeError("`labs.start_gunicorn(...)`이 돌려준 서버 객체를 `my_gunicorn`에 담는다.")
    return srv


def _live(check: Check) -> Check:
    """gunicorn이 아니거나 꺼져 있으면 부하를 보내 보지 않고 바로 0점: 채점이 헛되이 기다리지 않게 한다."""
    def wrapped(ns: Mapping[str, Any]) -> tuple[bool, str]:
        srv = _server(ns)
        if srv.argv[0] != "gunicorn":
            return False, "gunicorn이 아니어서 확인하지 않는다."
        if not srv.alive():
            return False, "서버가 꺼져 있어 확인할 수 없다."
        return check(ns)
    return wrapped


def _alive_gunicorn(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    if srv.argv[0] != "gunicorn":
        return False, f"gunicorn이 아니라 {srv.argv[0]}이다. `labs.start_gunicorn()`으로 띄운다."
    if not srv.alive():
        return False, "서버 프로세스가 이미 끝났다. 셀을 다시 실행한다."
    return True, ""


def _workers(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    n = len(srv.worker_pids())
    ok = n == TASK["workers"]
    return ok, f"워커 프로세스 {n}개" if ok else f"워커 프로세스가 {n}개다. `workers={TASK['workers']}`로 띄운다."


def _worker_class(ns: Mapping[str, Any]) -> tuple[bool, str]:
    used = worker_class(_server(ns))
    if used == TASK["worker_class"]:
        return True, f"로그: Using worker: {used}"
    if used == "uvicorn.workers.UvicornWorker":
        return False, ("`uvicorn.workers.UvicornWorker`는 uvicorn 0.30부터 폐기 예정(deprecated)이다. "
                       "`uvicorn-worker` 패키지의 `uvicorn_worker.UvicornWorker`를 쓴다.")
    return False, f"로그의 워커 클래스가 {used!r}이다. `worker_class=\"{TASK['worker_class']}\"`로 띄운다."


def _access_log(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    token = f"grader-{secrets.token_hex(4)}"
    load(f"{srv.url}/health?{token}", requests=1, concurrency=1)
    try:
        wait_for_log(srv, token, timeout=3)
    except LabError:
        return False, "요청을 보냈는데 접근 로그 줄이 없다. `--access-logfile -`로 표준 출력에 쓴다."
    return True, "요청 한 건이 접근 로그에 찍혔다"


def _jitter(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    if srv.argv[0] != "gunicorn":
        return False, "gunicorn이 아니어서 gunicorn 설정을 읽을 수 없다."
    cfg = gunicorn_settings(srv.argv)
    ok = cfg.max_requests_jitter == TASK["max_requests_jitter"]
    return ok, (f"--max-requests-jitter {cfg.max_requests_jitter}" if ok else
                f"gunicorn이 읽은 max_requests_jitter가 {cfg.max_requests_jitter}이다. "
                f"`--max-requests-jitter {TASK['max_requests_jitter']}`를 준다.")


def _recycling(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    low, high = TASK["max_requests"], TASK["max_requests"] + TASK["max_requests_jitter"]
    # 연결 4개를 워커 3개가 나눠 받으면 어느 워커든 1/3 이상을 받는다: 450건이면 한 워커는 한도(최대 120)를 넘는다.
    load(srv.url + "/health", requests=450, concurrency=4)
    deadline = time.monotonic() + 5
    limits = request_limits(srv.logs())
    while not limits and time.monotonic() < deadline:
        time.sleep(0.1)
        limits = request_limits(srv.logs())
    if not limits:
        return False, ("요청 450건을 보냈는데 한도에 닿아 재시작한 워커가 없다. "
                       f"`--max-requests {TASK['max_requests']}`를 준다.")
    bad = sorted(v for v in limits.values() if not low <= v <= high)
    if bad:
        return False, f"관찰한 요청 한도 {bad}{particle(bad, '가')} {low}~{high} 밖이다. `--max-requests {TASK['max_requests']}`를 준다."
    return True, f"워커가 {low}~{high}건 사이의 한도에 닿아 재시작했다"


def _timeout(ns: Mapping[str, Any]) -> tuple[bool, str]:
    srv = _server(ns)
    for _attempt in range(2):
        # 앞의 재시작 관찰로 교체 중인 워커가 있으면 다 뜰 때까지 기다린다: 물러나는 워커가 받은 요청은 타임아웃 없이 끊긴다.
        try:
            wait_ready_workers(srv, len(srv.worker_pids()) or 1, timeout=20)
        except LabError:
            pass
        before = {e.pid for e in events(srv.logs()) if e.kind == "타임아웃"}
        result = load(f"{srv.url}/work/block?duration={BLOCK_SECONDS}", requests=1, concurrency=1,
                      timeout=BLOCK_SECONDS + 5)
        if not result.failed:
            return False, (f"이벤트 루프를 {BLOCK_SECONDS}초 막았는데 워커가 살아서 답했다: 타임아웃이 그보다 길다. "
                           f"`--timeout {TASK['timeout']}`을 준다.")
        try:
            wait_for_log(srv, r"WORKER TIMEOUT", count=len(before) + 1, timeout=2)
            return True, f"루프를 {BLOCK_SECONDS}초 막은 워커가 타임아웃으로 교체됐다"
        except LabError:
            continue  # 요청이 마침 물러나던 워커에 닿았다: 한 번 더 해 본다
    return False, "요청은 끊겼지만 로그에 WORKER TIMEOUT이 없다. 서버 로그를 확인한다."


live_gunicorn = Grader("체크포인트 1-1: 플래그대로 띄운 gunicorn", [
    Criterion("`my_gunicorn`이 살아 있는 gunicorn이다", 1, _alive_gunicorn,
              "`my_gunicorn = labs.start_gunicorn(LAB, ...)`"),
    Criterion("워커 프로세스가 3개다", 1, _live(_workers)),
    Criterion("워커 클래스가 `uvicorn_worker.UvicornWorker`다 (로그로 확인)", 2, _live(_worker_class)),
    Criterion("접근 로그가 표준 출력에 찍힌다 (요청을 보내 확인)", 1, _live(_access_log)),
    Criterion("`--max-requests-jitter 20` (gunicorn이 읽은 설정)", 1, _jitter),
    Criterion("요청을 보내면 워커가 100~120건에서 재시작한다 (관찰)", 2, _live(_recycling)),
    Criterion("이벤트 루프를 막은 워커가 3초 타임아웃으로 교체된다 (관찰)", 2, _live(_timeout)),
])

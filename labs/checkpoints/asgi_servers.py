"""01 레슨(ASGI 서버)의 체크포인트 채점기. 1-1~1-3은 학습자의 파일로 실제 서버를 띄워 채점한다 (각 60초 안).

학습자는 파일을 `%%lab_file 이름` 셀(`labs.tasks`)에 쓰고, 채점기는 노트북 이름 공간의 `LAB_FILES[이름]`을 읽는다.

- 1-1 `blocking_fixed`: 이벤트 루프를 막던 `report_app.py`를 고쳤는지, uvicorn으로 띄워 느린 요청 8건을 동시에 보내고
  그사이 헬스 체크가 바로 답하는지 본다.
- 1-2 `config_file`: 시드의 gunicorn 플래그를 옮긴 `gunicorn.conf.py`를 gunicorn에게 읽히고(`--print-config`), 그 파일로
  띄워 워커 수·워커 클래스·접근 로그·요청 한도에 따른 교체·이벤트 루프를 막은 워커의 타임아웃을 관찰한다.
- 1-3 `hypercorn_config`: 키 이름이 틀려 조용히 버려지던 `hypercorn.toml`을 고쳤는지, hypercorn으로 띄워 워커 수와
  접근 로그를 본다.
- 1-4 `worker_count`: 주어진 기계와 작업에 맞는 워커 수를 `labs.sizing.recommend()`와 견준다.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .. import gunicorn_conf, tasks
from ..asgi_lab import (
    access_lines,
    events,
    request_limits,
    send_marked,
    stall_probe,
    start_app_file,
    start_hypercorn_config,
    unknown_hypercorn_keys,
    wait_for_log,
    wait_ready_workers,
    worker_class,
)
from ..errors import LabError
from ..grading import Criterion, Grader, need
from ..korean import particle
from ..load import load
from ..procs import DEFAULT_ASGI, Server
from ..sizing import recommend

LAB = "01_asgi_servers"

REPORT = "report_app.py"
CONFIG = "gunicorn.conf.py"
HYPERCORN = "hypercorn.toml"


def _lab(ns: Mapping[str, Any]) -> str:
    return str(ns.get("LAB", LAB))


def _checkpoint_dir(lab: str, name: str):
    """채점기가 학습자의 파일을 옮겨 쓰는 폴더 (학습자의 파일은 건드리지 않는다)."""
    folder = gunicorn_conf.lab_dir(lab) / "checkpoint" / name.replace(".", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


# ---- 체크포인트 1-1: 이벤트 루프를 막는 호출 고치기 --------------------------------------------

REPORT_SECONDS = 0.5
"""`/report`가 기다리는 시간(초): 외부 보고서 서비스의 응답."""

REPORT_BURST = 8
"""채점할 때 동시에 보내는 `/report` 요청 수. 루프를 막으면 8 × 0.5초 = 4초, 고치면 0.5초 남짓이다."""


@lru_cache(maxsize=8)
def _report_run(text: str, lab: str) -> dict[str, Any]:
    """고친 앱을 uvicorn 프로세스 하나로 띄워 `/report` 8건을 동시에 보내고, 그사이 `/health`의 지연 시간을 잰다."""
    out: dict[str, Any] = {"error": None}
    try:
        compile(text, REPORT, "exec")
    except SyntaxError as exc:
        out["error"] = f"파이썬 문법 오류 ({exc.lineno}번째 줄): {exc.msg}"
        return out
    path = _checkpoint_dir(lab, REPORT) / REPORT
    path.write_text(text, encoding="utf-8")
    try:
        with start_app_file(lab, path, timeout=15) as srv:
            stall = stall_probe(srv, "/report", REPORT_BURST, timeout=20)
    except LabError as exc:
        out["error"] = f"uvicorn이 앱을 띄우지 못했다: {_first_line(exc)}"
        return out
    out.update(ok=stall.result.status_counts.get(200, 0), slowest=stall.slowest, fastest=stall.fastest,
               health=stall.health, health_status=stall.health_status)
    return out


def _report(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _report_run(tasks.text(ns, REPORT), _lab(ns))


def _report_starts(ns):
    info = _report(ns)
    if info["error"]:
        return False, info["error"]
    ok = info["ok"] == REPORT_BURST
    return ok, (f"`/report` {REPORT_BURST}건 모두 200" if ok else
                f"`/report` {REPORT_BURST}건 중 200은 {info['ok']}건")


def _report_concurrent(ns):
    info = _report(ns)
    if info["error"]:
        return False, "먼저 앱이 뜨게 한다."
    ok = info["slowest"] < 3 * REPORT_SECONDS
    return ok, (f"{REPORT_BURST}건이 겹쳐 처리됐다: 가장 늦은 응답 {info['slowest']:.1f}초" if ok else
                f"가장 늦은 응답이 {info['slowest']:.1f}초다: {REPORT_BURST}건이 한 건씩 차례로 처리됐다 "
                f"(이벤트 루프가 막혀 있다).")


def _report_health(ns):
    info = _report(ns)
    if info["error"]:
        return False, "먼저 앱이 뜨게 한다."
    ok = info["health_status"] == 200 and info["health"] < 0.3
    return ok, (f"느린 요청을 처리하는 동안에도 `/health`가 {info['health'] * 1000:.0f} ms 만에 답했다" if ok else
                f"`/health`가 {info['health']:.1f}초 뒤에야 답했다: 루프가 막혀 헬스 체크도 줄을 섰다.")


def _report_still_waits(ns):
    info = _report(ns)
    if info["error"]:
        return False, "먼저 앱이 뜨게 한다."
    ok = info["fastest"] >= 0.9 * REPORT_SECONDS
    return ok, (f"요청마다 보고서 서비스를 {REPORT_SECONDS}초 기다린다" if ok else
                f"가장 빠른 응답이 {info['fastest']:.2f}초다: 기다림을 지우지 말고 루프를 막지 않게 바꾼다.")


blocking_fixed = Grader("체크포인트 1-1: 이벤트 루프를 막는 호출 고치기", [
    Criterion("uvicorn이 앱을 띄우고 `/report`가 200으로 답한다", 1, _report_starts,
              "파이썬 문법과 `/health`·`/report` 경로를 확인한다."),
    Criterion(f"`/report` {REPORT_BURST}건을 동시에 보내면 겹쳐 처리된다 (1.5초 안)", 2, _report_concurrent,
              "`async def` 안의 `time.sleep()`은 이벤트 루프를 막는다: `await asyncio.sleep()`이나 "
              "`await asyncio.to_thread(...)`를 쓰거나, 엔드포인트를 `def`로 바꿔 스레드 풀에서 돌린다."),
    Criterion("그동안 `/health`가 바로 답한다 (0.3초 안)", 1, _report_health,
              "루프가 막히면 헬스 체크도 기다린다: 오케스트레이터는 멀쩡한 워커를 죽은 것으로 본다."),
    Criterion(f"`/report`는 여전히 {REPORT_SECONDS}초 기다린다 (일을 지우지 않았다)", 1, _report_still_waits,
              "기다림은 그대로 두고, 기다리는 동안 루프를 놓아주게 한다."),
])


# ---- 체크포인트 1-2: 시드의 플래그를 gunicorn.conf.py로 -----------------------------------------

TASK = {"workers": 3, "worker_class": "uvicorn_worker.UvicornWorker", "timeout": 3,
        "max_requests": 100, "max_requests_jitter": 20}
"""학생이 띄울 gunicorn: 워커 3개, uvicorn-worker 패키지의 워커, 타임아웃 3초, 요청 100건(+0~20건)마다 재시작."""

BLOCK_SECONDS = 6
"""타임아웃 관찰: 이벤트 루프를 이만큼 막는다. `timeout = 3`이면 그 전에 죽고, 기본값 30이면 살아남는다."""


def _observe_access_log(srv: Server) -> bool:
    token = f"grader-{secrets.token_hex(4)}"
    load(f"{srv.url}/health?{token}", requests=1, concurrency=1)
    try:
        wait_for_log(srv, token, timeout=3)
    except LabError:
        return False
    return True


def _observe_recycling(srv: Server) -> dict[int, int]:
    # 연결 4개를 워커 3개가 나눠 받으면 어느 워커든 1/3 이상을 받는다: 450건이면 한 워커는 한도(최대 120)를 넘는다.
    load(srv.url + "/health", requests=450, concurrency=4)
    deadline = time.monotonic() + 5
    limits = request_limits(srv.logs())
    while not limits and time.monotonic() < deadline:
        time.sleep(0.1)
        limits = request_limits(srv.logs())
    return limits


def _observe_timeout(srv: Server) -> str:
    """이벤트 루프를 막아 본다: "killed"(WORKER TIMEOUT으로 교체), "survived"(워커가 살아 답함), "unclear"."""
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
            return "survived"
        try:
            wait_for_log(srv, r"WORKER TIMEOUT", count=len(before) + 1, timeout=2)
            return "killed"
        except LabError:
            continue  # 요청이 마침 물러나던 워커에 닿았다: 한 번 더 해 본다
    return "unclear"


@lru_cache(maxsize=8)
def _config_run(text: str, lab: str) -> dict[str, Any]:
    """설정 파일을 gunicorn에게 읽히고(`--print-config`), 그 파일 그대로 띄워 관찰한다 (같은 답이면 다시 재지 않는다)."""
    path = gunicorn_conf.write(lab, f"checkpoint/{CONFIG}", text)
    out: dict[str, Any] = {"error": None}
    try:
        cfg = gunicorn_conf.load(path, DEFAULT_ASGI)
    except LabError as exc:
        out["error"] = str(exc).splitlines()[-1].strip()
        return out
    out.update(settings=dict(cfg.settings), ignored=cfg.ignored)
    try:
        with gunicorn_conf.start_with_config(lab, path, DEFAULT_ASGI, timeout=20) as srv:
            try:
                wait_ready_workers(srv, max(1, int(cfg["workers"])), timeout=20)
            except (LabError, ValueError):
                pass
            live: dict[str, Any] = {"workers": len(srv.worker_pids()), "worker_class": worker_class(srv)}
            live["access_log"] = _observe_access_log(srv)
            live["limits"] = _observe_recycling(srv)
            live["timeout"] = _observe_timeout(srv)
            out["live"] = live
    except LabError as exc:
        out["live_error"] = _first_line(exc)
    return out


def _config(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _config_run(tasks.text(ns, CONFIG), _lab(ns))


def _live(ns: Mapping[str, Any]) -> dict[str, Any]:
    info = _config(ns)
    if info["error"]:
        raise ValueError("먼저 gunicorn이 설정 파일을 받아들이게 한다.")
    if "live_error" in info:
        raise ValueError(f"그 파일로 gunicorn을 띄우지 못했다: {info['live_error']}")
    return info["live"]


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


def _workers(ns):
    n = _live(ns)["workers"]
    ok = n == TASK["workers"]
    return ok, f"워커 프로세스 {n}개" if ok else f"워커 프로세스가 {n}개다. `workers = {TASK['workers']}`"


def _worker_class(ns):
    used = _live(ns)["worker_class"]
    if used == TASK["worker_class"]:
        return True, f"로그: Using worker: {used}"
    if used == "uvicorn.workers.UvicornWorker":
        return False, ("`uvicorn.workers.UvicornWorker`는 uvicorn 0.30부터 폐기 예정(deprecated)이다. "
                       "`uvicorn-worker` 패키지의 `uvicorn_worker.UvicornWorker`를 쓴다.")
    return False, f"로그의 워커 클래스가 {used!r}이다. `worker_class = \"{TASK['worker_class']}\"`"


def _access_log(ns):
    ok = _live(ns)["access_log"]
    return ok, ("요청 한 건이 접근 로그에 찍혔다" if ok else
                "요청을 보냈는데 접근 로그 줄이 없다. `accesslog = \"-\"`로 표준 출력에 쓴다.")


def _jitter(ns):
    info = _config(ns)
    if info["error"]:
        return False, "먼저 gunicorn이 받아들이게 한다."
    value = gunicorn_conf.parse_value(info["settings"].get("max_requests_jitter", "0"))
    ok = value == TASK["max_requests_jitter"]
    return ok, (f"--print-config: max_requests_jitter = {value}" if ok else
                f"gunicorn이 읽은 max_requests_jitter가 {value}이다. `max_requests_jitter = {TASK['max_requests_jitter']}`")


def _recycling(ns):
    limits = _live(ns)["limits"]
    low, high = TASK["max_requests"], TASK["max_requests"] + TASK["max_requests_jitter"]
    if not limits:
        return False, f"요청 450건을 보냈는데 한도에 닿아 재시작한 워커가 없다. `max_requests = {TASK['max_requests']}`"
    bad = sorted(v for v in limits.values() if not low <= v <= high)
    if bad:
        return False, f"관찰한 요청 한도 {bad}{particle(bad, '가')} {low}~{high} 밖이다. `max_requests = {TASK['max_requests']}`"
    return True, f"워커가 {low}~{high}건 사이의 한도에 닿아 재시작했다"


def _timeout(ns):
    seen = _live(ns)["timeout"]
    if seen == "killed":
        return True, f"루프를 {BLOCK_SECONDS}초 막은 워커가 타임아웃으로 교체됐다"
    if seen == "survived":
        return False, (f"이벤트 루프를 {BLOCK_SECONDS}초 막았는데 워커가 살아서 답했다: 타임아웃이 그보다 길다. "
                       f"`timeout = {TASK['timeout']}`")
    return False, "요청은 끊겼지만 로그에 WORKER TIMEOUT이 없다. 서버 로그를 확인한다."


config_file = Grader("체크포인트 1-2: 시드의 플래그를 gunicorn.conf.py로", [
    Criterion("gunicorn이 설정 파일을 받아들인다", 1, _accepted, "문법 오류가 없는지 본다."),
    Criterion("gunicorn이 모르는 이름(오타)이 없다", 1, _no_ignored,
              "설정 파일의 이름은 명령행 플래그에서 `--`를 떼고 `-`를 `_`로 바꾼 것이다 (`--max-requests` → `max_requests`)."),
    Criterion("그 파일로 띄우면 워커 프로세스가 3개다", 1, _workers),
    Criterion("워커 클래스가 `uvicorn_worker.UvicornWorker`다 (로그로 확인)", 2, _worker_class),
    Criterion("접근 로그가 표준 출력에 찍힌다 (요청을 보내 확인)", 1, _access_log),
    Criterion("`max_requests_jitter = 20` (gunicorn이 읽은 설정)", 1, _jitter),
    Criterion("요청을 보내면 워커가 100~120건에서 재시작한다 (관찰)", 2, _recycling),
    Criterion("이벤트 루프를 막은 워커가 3초 타임아웃으로 교체된다 (관찰)", 2, _timeout),
])


# ---- 체크포인트 1-3: hypercorn.toml의 조용히 버려진 키 ------------------------------------------

HYPERCORN_WORKERS = 2


@lru_cache(maxsize=8)
def _hypercorn_run(text: str, lab: str) -> dict[str, Any]:
    """`hypercorn.toml`의 키를 hypercorn의 설정 이름과 견주고, 그 파일 그대로 hypercorn을 띄워 관찰한다."""
    out: dict[str, Any] = {"error": None}
    try:
        out["unknown"] = unknown_hypercorn_keys(text)
    except LabError as exc:
        out["error"] = _first_line(exc)
        return out
    path = _checkpoint_dir(lab, HYPERCORN) / HYPERCORN
    path.write_text(text, encoding="utf-8")
    marker = f"grader-{secrets.token_hex(4)}"
    try:
        with start_hypercorn_config(lab, path, timeout=20) as srv:
            try:
                wait_ready_workers(srv, HYPERCORN_WORKERS, timeout=15)
            except LabError:
                pass
            out["workers"] = len(srv.worker_pids())
            send_marked(srv, marker, count=2)
            out["access"] = len(access_lines(srv, marker, count=2))
    except LabError as exc:
        out["error"] = f"hypercorn이 뜨지 못했다: {_first_line(exc)}"
    return out


def _hypercorn(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _hypercorn_run(tasks.text(ns, HYPERCORN), _lab(ns))


def _hc_starts(ns):
    info = _hypercorn(ns)
    if info["error"]:
        return False, info["error"]
    return True, "hypercorn -c hypercorn.toml 으로 떴다"


def _hc_known(ns):
    info = _hypercorn(ns)
    if "unknown" not in info:
        return False, "먼저 TOML 문법을 고친다."
    unknown = info["unknown"]
    return not unknown, ("모든 키가 hypercorn의 설정 이름이다" if not unknown else
                         f"hypercorn이 모르는 키라 오류 없이 버려진다: {', '.join(unknown)}")


def _hc_workers(ns):
    info = _hypercorn(ns)
    if info["error"]:
        return False, "먼저 hypercorn이 뜨게 한다."
    ok = info["workers"] == HYPERCORN_WORKERS
    return ok, f"워커 프로세스 {info['workers']}개" if ok else f"워커 프로세스가 {info['workers']}개다"


def _hc_access(ns):
    info = _hypercorn(ns)
    if info["error"]:
        return False, "먼저 hypercorn이 뜨게 한다."
    ok = info["access"] >= 2
    return ok, ("요청 2건이 접근 로그에 찍혔다" if ok else
                f"요청 2건을 보냈는데 접근 로그 줄이 {info['access']}개다: 접근 로그 키 이름을 확인한다.")


hypercorn_config = Grader("체크포인트 1-3: hypercorn.toml의 조용히 버려진 키 고치기", [
    Criterion("hypercorn이 파일을 읽고 뜬다", 1, _hc_starts, "TOML 문법(`키 = \"값\"`)을 확인한다."),
    Criterion("hypercorn이 모르는 키가 없다", 2, _hc_known,
              "설정 파일의 키는 명령행 플래그와 이름이 다르다: `--access-logfile` → `accesslog`, "
              "`--error-logfile` → `errorlog`."),
    Criterion("워커 프로세스가 2개다", 1, _hc_workers, "`workers = 2`"),
    Criterion("접근 로그가 표준 출력에 찍힌다 (요청을 보내 확인)", 2, _hc_access, "`accesslog = \"-\"`"),
])


# ---- 체크포인트 1-4: 워커 수 ------------------------------------------------------------

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


worker_count = Grader("체크포인트 1-4: 워커 수 정하기", [
    Criterion("두 답이 모두 1 이상의 정수다", 1, _both_ints, "`workers_sync_io = 숫자`처럼 정수로 적는다."),
    Criterion("동기(WSGI) 워커, I/O 위주: 메모리 한도까지 따졌다", 2, _sync_io,
              "CPU 기준(2 × 코어 + 1)과 메모리 기준(메모리 ÷ 워커당 메모리) 중 작은 쪽."),
    Criterion("비동기(ASGI) 워커, I/O 위주: 코어당 1개", 2, _async_io,
              "비동기 워커는 I/O를 기다리는 동안 다른 요청을 처리한다."),
])

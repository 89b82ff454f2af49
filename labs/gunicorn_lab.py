"""gunicorn 워커 클래스 비교, `preload_app`의 메모리·시작 시간, SIGHUP 리로드 실습 (02 레슨).

- `compare()`: 같은 워커 수로 워커 클래스만 바꿔 가며 같은 엔드포인트를 여러 동시성으로 잰다.
- `memory()`: 마스터와 워커의 RSS·USS·PSS. `preload_app`의 쓰기 시 복사(copy-on-write) 효과를 본다.
- `write_versioned_app()`: 버전 문자열만 다른 작은 WSGI 모듈. SIGHUP 리로드가 새 코드를 읽는지 본다.
- `wait_workers()`, `wait_workers_replaced()`: `sleep` 대신 마스터가 띄운 워커 프로세스를 보고 기다린다.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psutil

from .errors import LabError
from .gunicorn_conf import lab_dir
from .korean import particle
from .load import LoadResult, ensure_quiet, load
from .procs import DEFAULT_ASGI, DEFAULT_WSGI, Server, start_gunicorn


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    """`check()`가 참이 될 때까지 짧은 간격으로 묻는다. 시간이 지나면 무엇을 기다렸는지 적은 한국어 오류."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise LabError(f"❌ {what}: {timeout:g}초 안에 이뤄지지 않았다. 서버 로그(`srv.logs()`)를 확인한다.")


def wait_workers_replaced(srv: Server, old: Iterable[int], count: int, timeout: float = 30.0) -> list[int]:
    """워커가 `count`개이고 그중 어느 것도 `old`에 없을 때까지 기다려 새 워커 pid를 돌려준다.

    SIGHUP 뒤에 옛 워커가 모두 물러나고 새 워커가 섰는지 볼 때 쓴다.
    """
    previous = set(old)

    def done() -> bool:
        if not srv.alive():
            raise LabError(f"❌ {srv.name}{particle(srv.name, '이')} 워커를 기다리는 동안 끝났다.\n{srv.logs(15)}")
        pids = srv.worker_pids()
        return len(pids) == count and not previous & set(pids)

    wait_for(done, timeout, f"워커 {count}개 시작")
    return srv.worker_pids()


def settled_workers(srv: Server, steady: float = 1.0, timeout: float = 10.0) -> list[int]:
    """워커 수가 `steady`초 동안 바뀌지 않을 때까지 기다려 그 pid 목록을 돌려준다 (몇 개가 뜰지 모를 때: 채점기).

    워커는 하나씩 뜨므로 "2개가 됐다"는 순간만 보면 4개를 띄우는 설정도 2개로 잘못 셀 수 있다."""
    deadline = time.monotonic() + timeout
    last: list[int] = []
    since = time.monotonic()
    while time.monotonic() < deadline:
        pids = srv.worker_pids()
        if pids != last:
            last, since = pids, time.monotonic()
        elif pids and time.monotonic() - since >= steady:
            return pids
        time.sleep(0.1)
    return last


def wait_workers(srv: Server, count: int, timeout: float = 30.0) -> list[int]:
    """워커 프로세스가 `count`개가 될 때까지 기다려 pid 목록을 돌려준다 (첫 워커가 답한 뒤에도 나머지는 늦게 뜬다)."""
    return wait_workers_replaced(srv, (), count, timeout)


def slow_request(srv: Server, path: str, timeout: float = 30.0) -> tuple[str, float]:
    """느린 요청 하나를 보내고 (결과, 걸린 초)를 돌려준다. 결과는 `200`처럼 상태 코드이거나, 응답 없이 끊긴
    연결이면 그 오류 이름(`RemoteDisconnected`)이다 (앞에 nginx가 있었다면 502로 보였을 것이다)."""
    import urllib.error
    import urllib.request

    started = time.monotonic()
    try:
        with urllib.request.urlopen(srv.url + path, timeout=timeout) as r:
            outcome = str(r.status)
    except urllib.error.HTTPError as exc:
        outcome = str(exc.code)
    except OSError as exc:
        outcome = type(exc).__name__
    return outcome, time.monotonic() - started


def log_lines(srv: Server, *needles: str) -> list[str]:
    """서버 로그에서 `needles` 가운데 하나가 든 줄. gunicorn 로그 앞의 시각과 마스터 pid(`[…] [123]`)는 뺀다."""
    import re

    prefix = re.compile(r"^\[[^\]]*\d{4}-\d\d-\d\d[^\]]*\] \[\d+\] ")
    return [prefix.sub("", line) for line in srv.logs().splitlines() if any(n in line for n in needles)]


# ---- 워커 클래스 비교 ----------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    """비교할 gunicorn 구성 하나: 이름, 워커 클래스, 앱, 덧붙일 명령행 인자."""

    label: str
    worker_class: str
    app: str = DEFAULT_WSGI
    args: tuple[str, ...] = ()
    note: str = ""


WORKER_CLASSES: tuple[Setup, ...] = (
    Setup("sync", "sync", DEFAULT_WSGI, (), "WSGI 쌍둥이, 워커 하나가 요청 하나"),
    Setup("gthread", "gthread", DEFAULT_WSGI, ("--threads", "4"), "WSGI 쌍둥이, 워커마다 스레드 4개"),
    Setup("gevent", "gevent", DEFAULT_WSGI, (), "WSGI 쌍둥이, 그린 스레드(몽키 패치)"),
    Setup("uvicorn", "uvicorn_worker.UvicornWorker", DEFAULT_ASGI, (), "FastAPI 앱, uvicorn-worker 패키지"),
    Setup("asgi", "asgi", DEFAULT_ASGI, (), "FastAPI 앱, gunicorn 내장 ASGI 워커"),
)
"""02 레슨이 비교하는 다섯 구성. 워커 수는 모두 같게 둔다."""


@dataclass
class Comparison:
    """워커 클래스 × 동시성 측정 결과."""

    path: str
    workers: int
    rows: list[dict] = field(default_factory=list)

    def throughput(self, label: str, concurrency: int) -> float:
        for row in self.rows:
            if row["워커 클래스"] == label and row["동시성"] == concurrency:
                return row["처리량(req/s)"]
        raise KeyError((label, concurrency))

    def ratio(self, label: str, base: str, concurrency: int) -> float:
        """`label`의 처리량이 `base`의 몇 배인가."""
        return self.throughput(label, concurrency) / self.throughput(base, concurrency)

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(r["워커 클래스"] for r in self.rows))

    @property
    def concurrencies(self) -> list[int]:
        return sorted({r["동시성"] for r in self.rows})

    @property
    def failed(self) -> int:
        return sum(r["실패"] for r in self.rows)

    def best(self, concurrency: int) -> str:
        return max(self.labels, key=lambda label: self.throughput(label, concurrency))

    def series(self) -> dict[str, list[float]]:
        """그림용: {워커 클래스: [동시성별 처리량]}."""
        return {label: [self.throughput(label, c) for c in self.concurrencies] for label in self.labels}

    def table(self):
        """워커 클래스(행) × 동시성(열)의 처리량, p99 지연 시간, 응답한 워커 수 표."""
        import pandas as pd

        df = pd.DataFrame(self.rows)
        wide = df.pivot(index="워커 클래스", columns="동시성", values="처리량(req/s)").loc[self.labels]
        wide.columns = [f"동시성 {c} (req/s)" for c in wide.columns]
        for value, name in (("p99(ms)", "p99 @{} (ms)"), ("응답한 워커 수", "워커 수 @{}")):
            part = df.pivot(index="워커 클래스", columns="동시성", values=value).loc[self.labels]
            for c in self.concurrencies:
                wide[name.format(c)] = part[c]
        return wide


def _pids(result: LoadResult) -> Counter:
    pids: Counter = Counter()
    for s in result.samples:
        if s.status == 200 and s.body:
            try:
                pids[json.loads(s.body)["pid"]] += 1
            except (ValueError, KeyError, TypeError):
                pass
    return pids


def measure(srv: Server, path: str, concurrency: int, seconds: float) -> dict:
    """서버 하나를 한 동시성으로 `seconds`초 두드리고 표의 한 행을 돌려준다."""
    r = load(srv.url + path, concurrency=concurrency, duration=seconds, keep_body=True, timeout=15)
    return {
        "동시성": concurrency,
        "처리량(req/s)": round(r.throughput, 1),
        "p50(ms)": round(r.percentile(50) * 1000, 1),
        "p99(ms)": round(r.percentile(99) * 1000, 1),
        "실패": r.failed,
        "재시도": r.retried,
        "응답한 워커 수": len(_pids(r)),
    }


def compare(lab: str, path: str, setups: tuple[Setup, ...] = WORKER_CLASSES, *,
            concurrencies: tuple[int, ...] = (1, 8, 32), seconds: float = 1.5, workers: int = 2,
            warmup: int = 20, echo: bool = False, quiet: bool = True) -> Comparison:
    """구성마다 gunicorn을 띄워 `path`를 동시성별로 재고 멈춘다. 구성마다 한 줄씩 진행 상황을 출력한다.

    - `quiet=True`: 재기 전에 기계가 조용한지 본다 (`labs.ensure_quiet`, 너무 바쁘면 재지 않고 멈춘다).
    - `echo=True`: 구성마다 띄우는 gunicorn 명령 줄(`$ gunicorn …`)을 보여 준다.
    판정 줄에는 실패와 함께 부하 생성기의 재시도 건수가 늘 보인다 (`labs.load`의 재시도 설명 참고)."""
    if quiet:
        ensure_quiet()
    result = Comparison(path, workers)
    for setup in setups:
        with start_gunicorn(lab, setup.app, workers=workers, worker_class=setup.worker_class,
                            args=list(setup.args), echo=echo) as srv:
            wait_workers(srv, workers)
            load(srv.url + path, concurrency=min(4, warmup), requests=warmup)  # 첫 요청의 준비 비용을 뺀다
            rows = [measure(srv, path, c, seconds) for c in concurrencies]
        for row in rows:
            result.rows.append({"워커 클래스": setup.label, **row})
        failed = sum(row["실패"] for row in rows)
        retried = sum(row["재시도"] for row in rows)
        mark = "✅" if failed == 0 else "❌"
        levels = "·".join(str(c) for c in concurrencies)
        print(f"{mark} {setup.label:8} 동시성 {levels} 측정 끝, 실패 {failed}건, 재시도 {retried}건", flush=True)
    return result


# ---- 메모리: preload_app과 쓰기 시 복사 -----------------------------------------

def memory(srv: Server) -> list[dict]:
    """마스터와 워커 프로세스마다 RSS·USS·PSS(MB).

    - RSS: 프로세스가 쓰는 물리 메모리. 공유 페이지를 프로세스마다 다시 세므로 합하면 부풀려진다.
    - USS: 그 프로세스만 쓰는 페이지. 프로세스를 끝내면 돌아오는 양.
    - PSS: 공유 페이지를 나눠 쓰는 프로세스 수로 나눠 더한 값. 합하면 실제 총사용량에 가깝다.
    """
    if not srv.alive():
        raise LabError("❌ 서버가 실행 중이 아니라 메모리를 잴 수 없다.")
    master = psutil.Process(srv.pid)
    rows = []
    for role, proc in [("마스터", master)] + [("워커", p) for p in master.children()]:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rows.append({"역할": role, "pid": proc.pid, "RSS(MB)": round(info.rss / 2**20, 1),
                     "USS(MB)": round(info.uss / 2**20, 1), "PSS(MB)": round(getattr(info, "pss", 0) / 2**20, 1)})
    return rows


def totals(rows: list[dict]) -> dict[str, float]:
    """`memory()` 행들의 합계."""
    return {key: round(sum(r[key] for r in rows), 1) for key in ("RSS(MB)", "USS(MB)", "PSS(MB)")}


def start_and_time(lab: str, *, preload: bool, workers: int = 4, app: str = DEFAULT_ASGI,
                   worker_class: str = "uvicorn_worker.UvicornWorker",
                   marker: str = "Application startup complete", timeout: float = 45.0,
                   echo: bool = False) -> tuple[Server, float]:
    """gunicorn을 띄우고 **모든** 워커가 앱을 다 올릴 때까지 걸린 시간(초)을 잰다.

    첫 워커가 답하는 시각이 아니라, 워커마다 로그에 `marker`를 남긴 시각까지 기다린다.
    """
    args = ["--preload"] if preload else []
    started = time.perf_counter()
    srv = start_gunicorn(lab, app, workers=workers, worker_class=worker_class, args=args, timeout=timeout,
                         echo=echo)
    try:
        wait_for(lambda: srv.logs().count(marker) >= workers, timeout, f"워커 {workers}개가 모두 준비되기")
    except BaseException:
        srv.stop()
        raise
    return srv, time.perf_counter() - started


# ---- SIGHUP 리로드와 preload ----------------------------------------------------

VERSIONED_APP = '''\
"""02 레슨 리로드 실습용 WSGI 앱: 버전 문자열만 바뀐다."""
import json
import os

VERSION = {version!r}


def application(environ, start_response):
    body = json.dumps({{"version": VERSION, "pid": os.getpid()}}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
'''

VERSIONED_MODULE = "versioned_app"


def write_versioned_app(lab: str, version: str) -> str:
    """레슨 폴더에 `versioned_app.py`를 (다시) 쓰고 그 폴더 경로를 돌려준다 (`--pythonpath`로 넘긴다)."""
    folder = lab_dir(lab) / "reload_demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{VERSIONED_MODULE}.py").write_text(VERSIONED_APP.format(version=version), encoding="utf-8")
    return str(folder)


def plot_comparison(io: Comparison, cpu: Comparison, *, title: str = "워커 클래스별 처리량 (워커 2개)",
                    save: str | None = None) -> None:
    """I/O 작업과 CPU 작업의 비교를 나란히 그린다. 두 축 모두 0에서 시작해 차이를 부풀리지 않는다."""
    from .plots import _finish, plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
    for ax, comp, name in ((axes[0], io, "I/O 작업"), (axes[1], cpu, "CPU 작업")):
        for label, values in comp.series().items():
            ax.plot(comp.concurrencies, values, marker="o", label=label)
        ax.set_title(f"{name}: {comp.path}")
        ax.set_xlabel("동시 연결 수")
        ax.set_ylabel("처리량 (req/s)")
        ax.set_ylim(bottom=0)
        ax.set_xticks(comp.concurrencies)
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle(title)
    _finish(fig, save)

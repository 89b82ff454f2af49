"""ASGI 서버 실습 도구: 로그에서 워커의 탄생·죽음을 읽고, 재시작을 응답으로 재고, 그림으로 그린다 (01 레슨).

gunicorn 마스터와 uvicorn 워커의 로그 줄, 예제 애플리케이션의 `[lifespan]` 줄,
부하 결과의 응답 본문(`pid`)만 쓴다. 그래서 gunicorn, `uvicorn --workers`, hypercorn 어디에나 쓸 수 있다.

- `wait_for_log()`, `wait_ready_workers()`: 잠깐 `sleep`하는 대신 로그와 프로세스 상태를 보고 기다린다.
- `events()`, `request_limits()`: gunicorn·uvicorn 로그에서 워커 부팅, 타임아웃, 신호, 요청 한도 도달을 뽑는다.
- `lifetimes()`, `restart_waves()`, `longest_gap()`, `plot_recycling()`: `--max-requests`의 워커 교체를
  클라이언트가 받은 응답으로 재고 그린다.
- `gunicorn_settings()`: 서버를 띄운 명령줄을 gunicorn 자신의 파서로 읽어 실제 설정값을 얻는다 (채점기용).
- `dev_certificate()`, `negotiate()`, `has_http3()`: HTTP/2가 실제로 협상됐는지 클라이언트 쪽에서 확인한다.
- `start_app_file()`, `stall_probe()`: 파일 셀로 쓴 앱을 uvicorn으로 띄우고, 느린 요청이 이벤트 루프를 막는지 잰다.
- `start_hypercorn_config()`, `unknown_hypercorn_keys()`: `hypercorn.toml`을 그대로 적용하고, hypercorn이 모르는
  키(조용히 버려지는 오타)를 골라낸다.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import registry
from .errors import LabError
from .korean import particle
from .load import LoadResult, start_load
from .procs import DEFAULT_ASGI, Server, app_env, free_port, start_process, tree_cpu_seconds

if TYPE_CHECKING:  # gunicorn은 채점기가 설정을 읽을 때만 불러온다
    from gunicorn.config import Config

READY_LINE = re.compile(r"\[pid (\d+)\] \[lifespan\] 시작 완료")
"""예제 애플리케이션이 요청을 받을 준비를 마친 워커가 남기는 줄."""

_STAMP = r"^(?:\[(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)[^\]]*\] )?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # gunicorn 마스터와 워커
    ("부팅", re.compile(_STAMP + r"\[\d+\] \[INFO\] Booting worker with pid: (?P<pid>\d+)")),
    ("타임아웃", re.compile(_STAMP + r"\[\d+\] \[CRITICAL\] WORKER TIMEOUT \(pid:(?P<pid>\d+)\)")),
    ("신호", re.compile(_STAMP + r"\[\d+\] \[\w+\] Worker \(pid:(?P<pid>\d+)\) was sent (?P<detail>SIG\w+)")),
    ("종료 코드", re.compile(_STAMP + r"\[\d+\] \[\w+\] Worker \(pid:(?P<pid>\d+)\) exited with code (?P<detail>\d+)")),
    ("요청 한도", re.compile(_STAMP + r"\[(?P<pid>\d+)\] \[INFO\] Maximum request limit of (?P<detail>\d+) exceeded")),
    ("요청 한도", re.compile(_STAMP + r"\[(?P<pid>\d+)\] \[INFO\] Autorestarting worker after current request")),
    ("마스터 SIGTERM", re.compile(_STAMP + r"\[(?P<pid>\d+)\] \[INFO\] Handling signal: term")),
    # uvicorn --workers의 부모 프로세스 (0.30부터 워커를 지켜보고 다시 띄운다)
    ("워커 죽음", re.compile(r"^INFO:\s+Child process \[(?P<pid>\d+)\] died")),
    ("SIGHUP", re.compile(r"^INFO:\s+Received SIGHUP, restarting processes")),
    ("워커 시작", re.compile(r"^INFO:\s+Started server process \[(?P<pid>\d+)\]")),
    ("워커 내림", re.compile(r"^INFO:\s+Terminated child process \[(?P<pid>\d+)\]")),
)


@dataclass(frozen=True)
class WorkerEvent:
    """로그에서 읽은 워커 사건 하나. `time`은 로그의 시각 문자열(초 단위)."""

    time: str
    kind: str
    pid: int | None
    detail: str = ""

    def __str__(self) -> str:
        who = f": pid {self.pid}" if self.pid is not None else ""
        return f"{self.kind}{who}" + (f" ({self.detail})" if self.detail else "")


def events(log: str) -> list[WorkerEvent]:
    """gunicorn·uvicorn 로그에서 워커 사건(부팅, 타임아웃, 신호, 종료 코드, 요청 한도, 재시작)을 순서대로 뽑는다."""
    found: list[WorkerEvent] = []
    for line in log.splitlines():
        for kind, pattern in _PATTERNS:
            m = pattern.search(line)
            if m:
                groups = m.groupdict()
                pid = groups.get("pid")
                found.append(WorkerEvent(groups.get("time") or "", kind, int(pid) if pid else None,
                                         groups.get("detail") or ""))
                break
    return found


def request_limits(log: str) -> dict[int, int]:
    """uvicorn 워커가 `Maximum request limit of N exceeded`로 알린 워커별 요청 한도 {pid: N}."""
    return {e.pid: int(e.detail) for e in events(log) if e.kind == "요청 한도" and e.detail and e.pid}


def ready_pids(srv: Server) -> set[int]:
    """로그에 '준비 완료'를 남긴 프로세스의 pid."""
    return {int(p) for p in READY_LINE.findall(srv.logs())}


def wait_for_log(srv: Server, pattern: str, count: int = 1, timeout: float = 15.0) -> list[str]:
    """로그에 `pattern`(정규식)과 맞는 줄이 `count`개 나타날 때까지 기다려 그 줄들을 돌려준다."""
    regex = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in srv.logs().splitlines() if regex.search(line)]
        if len(lines) >= count:
            return lines
        if time.monotonic() > deadline:
            raise LabError(f"❌ {timeout:.0f}초 안에 로그에 {pattern!r} 줄이 {count}개 나오지 않았다 "
                           f"({len(lines)}개). 서버 로그(`srv.logs()`)를 확인한다.")
        time.sleep(0.02)


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """`predicate()`가 참이 될 때까지 기다린다. 시간이 지나면 `what`을 넣은 한국어 오류."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise LabError(f"❌ {timeout:.0f}초 안에 {what}")
        time.sleep(0.02)


def wait_ready_workers(srv: Server, count: int, *, replacing: Iterable[int] = (), timeout: float = 30.0) -> list[int]:
    """워커 `count`개가 모두 요청을 받을 준비를 마칠 때까지 기다린다.

    `replacing`에 준 pid는 세지 않는다: 죽은 워커 대신 새 워커가 뜨기를 기다릴 때 쓴다.
    """
    old = set(replacing)
    deadline = time.monotonic() + timeout
    while True:
        pids = srv.worker_pids()
        ready = ready_pids(srv)
        if len(pids) == count and not old & set(pids) and set(pids) <= ready:
            return pids
        if not srv.alive():
            raise LabError(f"❌ {srv.name}{particle(srv.name, '이')} 워커를 기다리는 동안 끝났다.\n{srv.logs(15)}")
        if time.monotonic() > deadline:
            raise LabError(f"❌ {timeout:.0f}초 안에 워커 {count}개가 준비되지 않았다 (지금 {len(pids)}개, "
                           f"준비된 것 {len(set(pids) & ready)}개). 서버 로그를 확인한다.")
        time.sleep(0.05)


def process_tree(srv: Server) -> str:
    """서버의 프로세스 구조를 한국어로 그린다: 부모 하나와 워커들, 또는 혼자 요청을 받는 프로세스 하나."""
    workers = srv.worker_pids()
    if not workers:
        return f"{srv.name} (pid {srv.pid}): 프로세스 하나가 직접 요청을 받는다"
    lines = [f"{srv.name} (pid {srv.pid}): 부모. 요청은 받지 않고 워커를 띄우고 지켜본다"]
    for i, pid in enumerate(workers):
        lines.append(f"{'└─' if i == len(workers) - 1 else '├─'} 워커 (pid {pid})")
    return "\n".join(lines)


def server_processes() -> list[int]:
    """이 파이썬 프로세스(커널)가 띄워 아직 살아 있는 uvicorn·gunicorn·hypercorn 프로세스의 pid. 정리 확인용."""
    import psutil

    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if any(name in " ".join(proc.cmdline()) for name in ("uvicorn", "gunicorn", "hypercorn")):
                found.append(proc.pid)
        except psutil.Error:
            continue
    return found


def worker_class(srv: Server) -> str | None:
    """gunicorn 로그의 `Using worker: ...` 줄에서 워커 클래스를 읽는다."""
    m = re.search(r"Using worker: (\S+)", srv.logs())
    return m.group(1) if m else None


def gunicorn_settings(argv: list[str]) -> Config:
    """gunicorn 명령줄을 gunicorn 자신의 파서로 읽어 설정 객체(`gunicorn.config.Config`)를 돌려준다.

    `-t 3`, `--timeout=3`, `--timeout 3`처럼 어떻게 써도 gunicorn이 이해한 값과 같다.
    """
    from gunicorn.config import Config

    cfg = Config()
    words = list(argv[1:]) if argv and Path(argv[0]).name == "gunicorn" else list(argv)
    try:
        args = cfg.parser().parse_args(words)
    except SystemExit as exc:  # argparse는 모르는 인자에 프로세스를 끝내려 한다
        raise LabError(f"❌ gunicorn이 이해하지 못하는 명령줄이다: {' '.join(words)}") from exc
    for key, value in vars(args).items():
        if value is not None and key != "args":
            cfg.set(key.lower(), value)
    return cfg


# ---- --max-requests: 워커 교체를 응답으로 재기 ----------------------------------------

@dataclass(frozen=True)
class Lifetime:
    """워커 하나가 응답한 구간: 첫 응답과 마지막 응답 시각(부하 시작부터 초), 응답 수, 요청 한도."""

    pid: int
    first: float
    last: float
    served: int
    limit: int | None = None


def lifetimes(result: LoadResult, limits: Mapping[int, int] | None = None) -> list[Lifetime]:
    """응답 본문의 `pid`로 워커별 응답 구간을 만든다 (`keep_body=True`로 잰 부하, `/work/*`·`/whoami`)."""
    spans: dict[int, list[float]] = {}
    for s in result.samples:
        if s.status != 200 or not s.body:
            continue
        try:
            pid = int(json.loads(s.body)["pid"])
        except (ValueError, KeyError, TypeError):
            continue
        done = s.start + s.latency
        span = spans.setdefault(pid, [done, done, 0])
        span[0], span[1], span[2] = min(span[0], done), max(span[1], done), span[2] + 1
    limits = limits or {}
    return sorted((Lifetime(pid, a, b, int(n), limits.get(pid)) for pid, (a, b, n) in spans.items()),
                  key=lambda lt: lt.first)


def retired(spans: list[Lifetime]) -> list[Lifetime]:
    """요청 한도에 닿아 물러난 워커 (로그에 한도를 남긴 것)."""
    return [lt for lt in spans if lt.limit is not None]


def restart_waves(spans: list[Lifetime], window: float = 0.5) -> int:
    """`window`초 안에 함께 물러난 워커 수의 최댓값: 동시에 재시작한 워커가 몇 개였나."""
    ends = sorted(lt.last for lt in retired(spans))
    best = 0
    for i, t in enumerate(ends):
        best = max(best, sum(1 for u in ends[i:] if u - t <= window))
    return best


def longest_gap(result: LoadResult) -> float:
    """응답이 하나도 끝나지 않은 가장 긴 구간(초): 모든 워커가 동시에 멈췄는지 보여 준다."""
    done = sorted(s.start + s.latency for s in result.samples if s.status is not None)
    return max((b - a for a, b in zip(done, done[1:])), default=0.0)


def _lanes(spans: list[Lifetime], lanes: int) -> list[int]:
    """앞 워커가 물러난 자리에 새 워커를 앉힌다: 그림의 줄 하나 = 워커 자리 하나."""
    ends = [float("-inf")] * lanes
    placed = []
    for lt in spans:
        lane = min(range(lanes), key=lambda i: (ends[i] > lt.first, ends[i]))
        ends[lane] = lt.last
        placed.append(lane)
    return placed


def replacement_gaps(spans: list[Lifetime], workers: int) -> list[float]:
    """물러난 워커의 마지막 응답부터 그 자리의 새 워커가 첫 응답을 하기까지 걸린 시간(초) 목록."""
    lanes: dict[int, list[Lifetime]] = {}
    for lt, lane in zip(spans, _lanes(spans, workers)):
        lanes.setdefault(lane, []).append(lt)
    return [nxt.first - prev.last for row in lanes.values() for prev, nxt in zip(row, row[1:])
            if prev.limit is not None]


def plot_recycling(runs: Mapping[str, tuple[LoadResult, list[Lifetime]]], *, workers: int,
                   title: str = "--max-requests 워커 교체", save: str | Path | None = None) -> None:
    """위: 워커 자리별 응답 구간(막대 끝의 숫자는 그 워커의 요청 한도), 아래: 0.1초마다 끝난 응답 수.

    지터가 없으면 막대 끝이 세로로 줄을 서고 그 순간 아래 그래프가 0으로 떨어진다.
    """
    from .plots import _finish, plt

    fig, axes = plt.subplots(2, len(runs), figsize=(5.6 * len(runs), 5.4), sharex="col",
                             gridspec_kw={"height_ratios": [1.3, 1]}, squeeze=False)
    for col, (name, (result, spans)) in enumerate(runs.items()):
        top, bottom = axes[0][col], axes[1][col]
        for lt, lane in zip(spans, _lanes(spans, workers)):
            color = "tab:orange" if lt.limit is not None else "tab:blue"
            top.barh(lane, max(lt.last - lt.first, 0.02), left=lt.first, height=0.6, color=color, alpha=0.85)
            if lt.limit is not None:
                top.annotate(str(lt.limit), (lt.last, lane), xytext=(2, 0), textcoords="offset points",
                             va="center", fontsize=8)
        top.set_yticks(range(workers), [f"자리 {i + 1}" for i in range(workers)])
        top.set_ylim(-0.6, workers - 0.4)
        top.invert_yaxis()
        top.set_title(f"{name}\n워커별 응답 구간 (주황 = 한도에 닿아 교체)", fontsize=10)
        width = 0.1
        bins = max(1, int(result.seconds / width) + 1)
        counts = [0] * bins
        for s in result.samples:
            if s.status is not None:
                counts[min(int((s.start + s.latency) / width), bins - 1)] += 1
        bottom.bar([i * width for i in range(bins)], counts, width=width * 0.95, align="edge", color="tab:gray")
        bottom.set_xlabel("부하 시작부터 경과 시간 (초)")
        bottom.set_ylabel("0.1초마다 끝난 응답 수")
        bottom.set_title(f"응답 공백 최대 {longest_gap(result):.2f}초", fontsize=10)
    fig.suptitle(title)
    _finish(fig, save)


# ---- HTTP/2: 클라이언트가 실제로 어떤 프로토콜로 받았나 ------------------------------------

@dataclass(frozen=True)
class TlsFiles:
    """실습용 인증서 파일: 클라이언트가 믿을 CA, 서버 인증서, 서버 개인 키."""

    ca: Path
    cert: Path
    key: Path


def dev_certificate(lab: str) -> TlsFiles:
    """`trustme`로 실습용 CA와 `127.0.0.1`·`localhost` 서버 인증서를 만들어 실습 상태 폴더에 쓴다.

    실행할 때마다 새로 만든다: 개인 키는 저장소에 들어가지 않는다. 진짜 인증서는 09 레슨에서 다룬다.
    """
    import trustme

    folder = registry.state_dir() / "files" / lab / "h2-tls"
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    ca.cert_pem.write_to_path(str(files.ca))
    issued.cert_chain_pems[0].write_to_path(str(files.cert))
    issued.private_key_pem.write_to_path(str(files.key))
    files.key.chmod(0o600)
    return files


def negotiate(url: str, *, http1: bool = True, http2: bool = True, ca: Path | None = None) -> tuple[str, int]:
    """httpx로 요청 하나를 보내고 (클라이언트가 받은 HTTP 버전, 상태 코드)를 돌려준다.

    - TLS(`https://`)에서 `http2=True`면 ALPN으로 h2를 제안한다. 서버가 고르면 "HTTP/2".
    - 평문(`http://`)에서 `http1=False, http2=True`면 h2c를 사전 지식(prior knowledge)으로 바로 쓴다.
    """
    import ssl

    import httpx

    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca)) if ca else True
    with httpx.Client(http1=http1, http2=http2, verify=verify, timeout=10) as client:
        resp = client.get(url)
    return resp.http_version, resp.status_code


def has_http3() -> bool:
    """hypercorn의 HTTP/3(QUIC)에 필요한 `aioquic`이 설치돼 있는가."""
    import importlib.util

    return importlib.util.find_spec("aioquic") is not None


# ---- 워커 수를 바꿔 가며 재기 ----------------------------------------------------------

def _server_cpu_seconds(srv: Server) -> float:
    """마스터와 모든 워커가 지금까지 쓴 CPU 시간(초)."""
    return tree_cpu_seconds(srv.pid)


def _iterations(result: LoadResult) -> int:
    total = 0
    for s in result.samples:
        if s.status == 200 and s.body:
            try:
                total += int(json.loads(s.body).get("iterations", 0))
            except (ValueError, AttributeError):
                continue
    return total


def measure_workers(lab: str, counts: Iterable[int], workloads: Mapping[str, tuple[str, int]], *,
                    seconds: float = 2.5, worker_class: str = "uvicorn_worker.UvicornWorker",
                    echo: bool = False) -> list[dict]:
    """워커 수마다 gunicorn을 새로 띄우고 작업 종류마다 부하를 걸어 잰다. 진행 상황을 한 줄씩 출력한다.

    `workloads`: {"I/O 위주": ("/work/io?duration=0.1", 동시 연결 수), ...}.
    한 줄의 값: 처리량(req/s), p50·p90(ms), 실패, 서버가 쓴 코어 수(CPU 시간 ÷ 경과 시간),
    계산량(백만 회/s: `/work/cpu`가 돌려준 반복 횟수의 합). `echo=True`면 띄우는 gunicorn 명령 줄을 먼저 보여 준다.

    `/work/cpu`는 정해진 *시간* 동안 계산한다. 코어보다 워커가 많으면 요청 하나가 하는 일이 줄어
    req/s가 부풀어 보이므로, CPU 작업은 요청 수가 아니라 계산량과 사용한 코어 수로 본다.
    """
    from .load import load
    from .procs import start_gunicorn

    rows: list[dict] = []
    for n in counts:
        with start_gunicorn(lab, workers=n, worker_class=worker_class, echo=echo) as srv:
            wait_ready_workers(srv, n)
            for kind, (path, concurrency) in workloads.items():
                cpu_before, t0 = _server_cpu_seconds(srv), time.perf_counter()
                result = load(srv.url + path, concurrency=concurrency, duration=seconds, keep_body=True)
                cores = (_server_cpu_seconds(srv) - cpu_before) / (time.perf_counter() - t0)
                row = {"작업": kind, "워커": n, "처리량": round(result.throughput, 1),
                       "p50": round(result.percentile(50) * 1000, 1), "p90": round(result.percentile(90) * 1000, 1),
                       "실패": result.failed, "사용한 코어": round(cores, 2),
                       "계산량": round(_iterations(result) / result.seconds / 1e6, 2)}
                rows.append(row)
                print(f"  워커 {n}개, {kind}: {row['처리량']} req/s, p50 {row['p50']} ms, "
                      f"코어 {row['사용한 코어']}개 사용, 실패 {row['실패']}건", flush=True)
    return rows


SCALING_PANELS: dict[str, tuple[tuple[str, str], ...]] = {
    "I/O 위주": (("처리량", "처리량 (req/s)"), ("지연 시간", "지연 시간 (ms)")),
    "CPU 위주": (("계산량", "계산량 (백만 회/s)"), ("사용한 코어", "서버가 쓴 코어 수")),
}


def plot_scaling(rows: list[Mapping[str, float]], *, panels: Mapping[str, tuple[tuple[str, str], ...]] = SCALING_PANELS,
                 cores: int | None = None, title: str = "워커 수에 따라 달라지는 것",
                 save: str | Path | None = None) -> None:
    """작업 종류마다 한 줄, 줄마다 지표 두 칸. 지표 "지연 시간"은 p50과 p90을 함께 그린다.

    `cores`를 주면 '사용한 코어' 칸에 이 기계의 코어 수를 점선으로 긋는다."""
    from .plots import _finish, plt

    kinds = [k for k in panels if any(r["작업"] == k for r in rows)]
    fig, axes = plt.subplots(len(kinds), 2, figsize=(10, 3.3 * len(kinds)), squeeze=False)
    for i, kind in enumerate(kinds):
        sub = [r for r in rows if r["작업"] == kind]
        xs = [r["워커"] for r in sub]
        for ax, (metric, ylabel) in zip(axes[i], panels[kind]):
            if metric == "지연 시간":
                ax.plot(xs, [r["p50"] for r in sub], marker="o", label="p50")
                ax.plot(xs, [r["p90"] for r in sub], marker="s", label="p90")
                ax.legend()
                top = max(r["p90"] for r in sub)
            else:
                ax.plot(xs, [r[metric] for r in sub], marker="o")
                top = max(r[metric] for r in sub)
            if metric == "사용한 코어" and cores:
                ax.axhline(cores, linestyle="--", color="gray", label=f"코어 {cores}개")
                ax.legend()
                top = max(top, cores)
            ax.set_ylim(0, top * 1.25 or 1)
            ax.set_title(f"{kind}: {ylabel.split(' (')[0]}")
            ax.set_ylabel(ylabel)
            ax.set_xlabel("워커 수")
            ax.set_xticks(xs)
            ax.grid(alpha=0.3)
    fig.suptitle(title)
    _finish(fig, save)



# ---- 파일 셀로 쓴 앱과 설정을 그대로 띄우기 (01 레슨의 과제) ----------------------------------

def start_app_file(lab: str, path: str | Path, *, app: str = "app", port: int | None = None,
                   echo: bool = False, timeout: float = 20.0) -> Server:
    """파일 셀로 쓴 ASGI 앱 모듈(예: `report_app.py`)을 uvicorn 프로세스 하나로 띄운다.

    `uvicorn report_app:app --app-dir <그 파일의 폴더> --host 127.0.0.1 --port N`: 모듈은 파일 이름에서, 폴더는
    `--app-dir`로 준다. 준비 확인은 앱의 `/health`다. `echo=True`면 실행하는 명령 줄을 먼저 보여 준다.
    """
    path = Path(path)
    port = port or free_port()
    argv = ["uvicorn", f"{path.stem}:{app}", "--app-dir", str(path.parent),
            "--host", "127.0.0.1", "--port", str(port)]
    # 같은 초에 고쳐 쓴 모듈을 옛 .pyc로 읽지 않게 한다
    return start_process("uvicorn", argv, lab, port=port, env={"PYTHONDONTWRITEBYTECODE": "1"},
                         timeout=timeout, echo=echo)


@dataclass(frozen=True)
class Stall:
    """느린 요청 `n`건을 동시에 보내는 동안 잰 것: 느린 요청들의 결과와, 그사이 보낸 헬스 체크의 지연 시간(초)."""

    result: LoadResult
    health: float
    health_status: int | None

    @property
    def slowest(self) -> float:
        """가장 늦게 끝난 느린 요청의 지연 시간(초)."""
        return max((s.latency for s in self.result.samples), default=float("nan"))

    @property
    def fastest(self) -> float:
        """가장 빨리 끝난 성공 응답의 지연 시간(초): 일을 건너뛰지 않았는지 본다."""
        return min((s.latency for s in self.result.samples if s.status == 200), default=float("nan"))


def stall_probe(srv: Server, path: str = "/report", n: int = 4, *, probe: str = "/health",
                delay: float = 0.15, timeout: float = 30.0) -> Stall:
    """`path`에 요청 `n`건을 동시에 보내고, `delay`초 뒤 `probe`에 요청 하나를 보내 그 지연 시간을 잰다.

    이벤트 루프를 막는 엔드포인트라면 느린 요청들이 차례로 끝나고(가장 늦은 응답 ≈ n × 한 건의 시간),
    헬스 체크도 그 뒤에 줄을 선다."""
    import urllib.error
    import urllib.request

    run = start_load(srv.url + path, concurrency=n, requests=n, timeout=timeout)
    time.sleep(delay)
    started = time.perf_counter()
    status: int | None
    try:
        with urllib.request.urlopen(srv.url + probe, timeout=timeout) as resp:
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = None
    health = time.perf_counter() - started
    return Stall(run.result(), health, status)


def hypercorn_keys() -> frozenset[str]:
    """설치된 hypercorn의 `Config`가 아는 설정 이름 (`hypercorn.toml`의 키). 메서드는 뺀다."""
    import inspect
    import types

    from hypercorn.config import Config

    names = set()
    for name in dir(Config):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(Config, name)
        if isinstance(attr, (types.FunctionType, classmethod, staticmethod)):
            continue
        names.add(name)
    return frozenset(names)


def unknown_hypercorn_keys(text: str) -> list[str]:
    """`hypercorn.toml`의 키 가운데 hypercorn이 모르는 것: hypercorn은 이 키들을 오류 없이 버린다.

    TOML 문법이 틀리면 `LabError`."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabError(f"❌ TOML 문법 오류: {exc}") from exc
    known = hypercorn_keys()
    return [key for key in data if key not in known]


def start_hypercorn_config(lab: str, path: str | Path, app: str = DEFAULT_ASGI, *, port: int | None = None,
                           echo: bool = False, timeout: float = 30.0) -> Server:
    """`hypercorn.toml`을 그대로 적용해 hypercorn을 띄운다: `hypercorn -c 파일 --bind 127.0.0.1:빈포트 앱`.

    바인드만 명령행으로 루프백의 빈 포트를 준다 (명령행 `--bind`가 파일의 `bind`를 이긴다). 나머지는 파일 그대로다."""
    port = port or free_port()
    argv = ["hypercorn", "-c", str(path), "--bind", f"127.0.0.1:{port}", app]
    return start_process("hypercorn", argv, lab, port=port, env=app_env(lab), timeout=timeout, echo=echo)


def send_marked(srv: Server, marker: str, count: int = 1, path: str = "/health") -> list[int]:
    """`User-Agent: marker`를 단 GET 요청을 `count`건 보내고 상태 코드를 돌려준다.

    hypercorn의 접근 로그는 요청 줄에서 쿼리 문자열을 빼고 User-Agent는 남기므로, 표식은 User-Agent에 단다."""
    import urllib.request

    codes = []
    for _ in range(count):
        req = urllib.request.Request(srv.url + path, headers={"User-Agent": marker})
        with urllib.request.urlopen(req, timeout=10) as resp:
            codes.append(resp.status)
    return codes


def access_lines(srv: Server, marker: str, *, count: int = 1, wait: float = 2.0) -> list[str]:
    """서버 로그에서 `marker`(User-Agent의 표식)가 든 접근 로그 줄.

    로그는 응답을 보낸 뒤에 쓰이므로 줄이 `count`개 모일 때까지 `wait`초까지 기다린다 (접근 로그가 꺼져 있으면 빈 목록)."""
    deadline = time.monotonic() + wait
    while True:
        lines = [line for line in srv.logs().splitlines() if marker in line and "GET" in line]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)

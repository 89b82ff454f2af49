"""그레이스풀 셧다운과 장애 훈련을 세고 그린다 (07 레슨).

- `InFlight`: 느린 요청 여러 건을 **동시에** 보내 두고(요청마다 새 연결, 재시도 없음), 신호를 보낸 뒤
  몇 건이 끝까지 응답받았고 몇 건이 잘렸는지 센다. 사건(`mark("SIGTERM")`)을 같은 시계에 적는다.
- `wait_exit()`: 신호를 이미 보낸 서버가 스스로 끝나기를 기다린다 (신호를 두 번 보내지 않는다:
  uvicorn은 두 번째 SIGTERM을 "당장 끝내라"로 알아듣는다).
- `endpoint_race()`: Kubernetes에서 파드를 지울 때 SIGTERM과 엔드포인트 제거가 동시에 일어나는
  경쟁을 로컬 서버로 재현한다. 로드 밸런서 역할은 부하 생성기가 맡는다.
- `crash_container()`, `restart_count()`: 컨테이너의 주 프로세스를 죽여 재시작 정책을 본다.
- `lifespan_lines()`: 로그에서 `[lifespan]` 줄만 시각·pid 없이 뽑는다 (nbval에서도 같은 출력).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .compose_project import ComposeProject as _ComposeProject
from .errors import LabError
from .korean import josa
from .load import LoadResult, start_load
from .procs import Server

# ---- 처리 중인 요청 세기 ------------------------------------------------------

@dataclass
class RequestRecord:
    """요청 하나의 일생: 보낸 시각, 끝난 시각(초, 시작 기준), 상태 코드 또는 오류."""

    index: int
    start: float
    sent: float | None = None
    end: float | None = None
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400

    @property
    def outcome(self) -> str:
        if self.status is not None:
            return f"HTTP {self.status}"
        return self.error or "끝나지 않음"


@dataclass
class InFlightResult:
    """`InFlight.result()`: 요청별 기록과 사건."""

    url: str
    records: list[RequestRecord]
    events: list[tuple[float, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.records)

    @property
    def completed(self) -> int:
        return sum(1 for r in self.records if r.ok)

    @property
    def failed(self) -> int:
        return self.total - self.completed

    def outcomes(self) -> dict[str, int]:
        """결과별 건수, 예: {"HTTP 200": 8, "응답 없이 끊김": 2}."""
        return dict(sorted(Counter(r.outcome for r in self.records).items()))

    def event_time(self, label: str) -> float:
        for t, name in self.events:
            if name == label:
                return t
        raise KeyError(label)

    def verdict(self) -> str:
        """안정된 판정 한 줄: `✅ 처리 중이던 요청 10건: 완료 10건, 실패 0건`."""
        mark = "✅" if self.failed == 0 else "❌"
        detail = ", ".join(f"{k} {v}건" for k, v in self.outcomes().items() if k != "HTTP 200")
        return (f"{mark} 처리 중이던 요청 {self.total}건: 완료 {self.completed}건, 실패 {self.failed}건"
                + (f" ({detail})" if detail and self.failed else ""))


def _read_status(sock: socket.socket) -> int:
    """응답을 끝까지(연결이 닫힐 때까지) 읽고 상태 코드를 돌려준다. 바이트 없이 닫히면 ConnectionError."""
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            break
        chunks.append(data)
    raw = b"".join(chunks)
    if not raw:
        raise ConnectionAbortedError("응답 없이 끊김")
    line = raw.split(b"\r\n", 1)[0].decode("latin-1")
    try:
        return int(line.split(" ", 2)[1])
    except (IndexError, ValueError) as exc:
        raise ConnectionAbortedError("응답 도중 끊김") from exc


def _classify(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "연결 거부"
    if isinstance(exc, ConnectionAbortedError):
        return str(exc) or "응답 없이 끊김"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return "연결 끊김"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "시간 초과"
    return type(exc).__name__


class InFlight:
    """느린 요청 `n`건을 한꺼번에 보내 둔다. 요청마다 새 연결을 쓰고, 끊겨도 다시 보내지 않는다.

    ```python
    drill = labs.shutdown.InFlight(app.url + "/slow?duration=3", n=10)
    drill.wait_sent()
    app.send_signal(signal.SIGTERM); drill.mark("SIGTERM")
    labs.shutdown.wait_exit(app); drill.mark("프로세스 종료")
    print(drill.result().verdict())
    ```
    """

    def __init__(self, url: str, n: int = 10, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http":
            raise LabError("❌ InFlight는 http:// 주소만 다룬다.")
        self.url = url
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.timeout = timeout
        self._t0 = time.monotonic()
        self.records = [RequestRecord(i, 0.0) for i in range(n)]
        self.events: list[tuple[float, str]] = []
        self._threads = [threading.Thread(target=self._one, args=(r,), daemon=True) for r in self.records]
        for th in self._threads:
            th.start()

    def now(self) -> float:
        return time.monotonic() - self._t0

    def _one(self, rec: RequestRecord) -> None:
        rec.start = round(self.now(), 3)
        raw = (f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUser-Agent: labs-inflight/1\r\n"
               f"Connection: close\r\n\r\n").encode()
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                sock.sendall(raw)
                rec.sent = round(self.now(), 3)
                rec.status = _read_status(sock)
        except OSError as exc:
            rec.error = _classify(exc)
        rec.end = round(self.now(), 3)

    def wait_sent(self, timeout: float = 10.0, settle: float = 0.3) -> None:
        """모든 요청이 서버에 도착할 때까지 기다린다 (보낸 뒤 `settle`초 더: 서버가 읽어 들이도록)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(r.sent is not None or r.end is not None for r in self.records):
                time.sleep(settle)
                return
            time.sleep(0.02)
        raise LabError(f"❌ 요청 {len(self.records)}건을 {timeout:g}초 안에 다 보내지 못했다: 서버가 떠 있는지 확인한다.")

    def mark(self, label: str) -> None:
        self.events.append((round(self.now(), 3), label))

    def result(self, timeout: float | None = None) -> InFlightResult:
        """모든 요청이 끝날 때까지(응답, 오류) 기다려 결과를 돌려준다."""
        deadline = time.monotonic() + (timeout or self.timeout + 5)
        for th in self._threads:
            th.join(timeout=max(0.0, deadline - time.monotonic()))
        return InFlightResult(self.url, list(self.records), list(self.events))


def try_request(url: str, timeout: float = 2.0) -> str:
    """요청 하나를 보내 결과를 한국어 한 낱말로: `"HTTP 200"`, `"연결 거부"`, `"시간 초과"` …"""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
            return f"HTTP {_read_status(sock)}"
    except OSError as exc:
        return _classify(exc)


def wait_exit(server: Server, timeout: float = 30.0) -> float:
    """신호를 받은 서버가 스스로 끝날 때까지 기다리고, 걸린 초를 돌려준다.

    `timeout`이 지나도 살아 있으면 SIGKILL로 끝내고 오류를 낸다. 끝나면 등록부에서도 지운다.
    """
    if server.proc is None:
        return 0.0
    start = time.monotonic()
    try:
        server.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.stop(signal.SIGKILL, timeout=5)
        raise LabError(f"❌ {josa(server.name, '이')} {timeout:g}초 안에 끝나지 않아 SIGKILL로 끝냈다.") from None
    elapsed = time.monotonic() - start
    server.stop()  # 이미 끝났으므로 신호는 가지 않는다: 남은 자식 정리와 등록부 정리만 한다
    return elapsed


_LIFESPAN = re.compile(r"\[lifespan\] (.*)$")


def lifespan_lines(log: str, phase: str | None = "종료") -> list[str]:
    """로그에서 `[lifespan] ...` 줄의 내용만 뽑는다 (시각·pid 없이). `phase="종료"`면 종료 단계만."""
    out = []
    for line in log.splitlines():
        m = _LIFESPAN.search(line)
        if m and (phase is None or m.group(1).startswith(phase)):
            out.append(f"[lifespan] {m.group(1).strip()}")
    return out


def plot_requests(results: Mapping[str, InFlightResult], title: str = "셧다운 중 처리 중이던 요청",
                  save: str | None = None) -> None:
    """실험마다 한 칸: 요청 하나가 가로 막대 하나(초록=완료, 빨강=실패), 사건은 세로 점선."""
    from .plots import _finish, plt

    fig, axes = plt.subplots(len(results), 1, figsize=(10, 1.2 + 1.3 * len(results)), sharex=True, squeeze=False)
    for ax, (label, res) in zip(axes[:, 0], results.items()):
        for i, r in enumerate(res.records):
            end = r.end if r.end is not None else r.start
            ax.barh(i, max(end - r.start, 0.02), left=r.start, height=0.7,
                    color="tab:green" if r.ok else "tab:red")
        for t, name in res.events:
            ax.axvline(t, color="black", linestyle=":", linewidth=1)
            ax.annotate(name, (t, res.total - 0.3), fontsize=8, ha="left", va="bottom")
        ax.set_yticks([])
        ax.set_ylabel(f"{label}\n완료 {res.completed}·실패 {res.failed}", rotation=0, ha="right", va="center",
                      fontsize=9)
        ax.set_ylim(-0.8, res.total + 0.9)
    # 칸들이 x축을 함께 쓰므로(sharex) 범위는 모든 실험의 가장 늦은 끝에 한 번 맞춘다 (칸마다 정하면 마지막 칸이 이긴다)
    right = max([r.end or r.start for res in results.values() for r in res.records]
                + [t for res in results.values() for t, _ in res.events] + [0.0])
    axes[-1, 0].set_xlim(0, right + 0.6)
    axes[-1, 0].set_xlabel("경과 시간 (초)  — 막대 하나 = 요청 하나 (초록: 응답 받음, 빨강: 잘림)")
    fig.suptitle(title)
    _finish(fig, save)


# ---- SIGTERM과 엔드포인트 제거의 경쟁 -------------------------------------------

@dataclass
class RaceResult:
    """`endpoint_race()`의 결과: 로드 밸런서(부하 생성기)가 본 요청들과 사건 시각."""

    label: str
    load: LoadResult
    events: list[tuple[float, str]]

    @property
    def failed(self) -> int:
        return self.load.failed

    def verdict(self) -> str:
        mark = "✅" if self.failed == 0 else "❌"
        return f"{mark} {self.label}: 실패 {'없음' if self.failed == 0 else '있음'}"


def endpoint_race(server: Server, *, prestop: float, propagation: float = 1.5, before: float = 1.0,
                  path: str = "/work/io?duration=0.01", rate: float = 200, concurrency: int = 4,
                  label: str | None = None) -> RaceResult:
    """파드 삭제를 흉내 낸다. `before`초 동안 평소처럼 트래픽을 보내다가 "삭제"가 일어나면:

    - 로드 밸런서는 `propagation`초 뒤에야 이 서버를 목록에서 뺀다 (부하가 그때 멈춘다).
    - 서버는 `prestop`초(preStop 훅의 sleep) 뒤에 SIGTERM을 받는다.
    `prestop`이 `propagation`보다 짧으면 이미 닫힌 서버로 요청이 가서 실패한다.
    """
    run = start_load(server.url + path, concurrency=concurrency, duration=before + propagation, rate=rate,
                     timeout=5)
    t0 = time.monotonic()
    events: list[tuple[float, str]] = []

    def at(t: float) -> None:
        time.sleep(max(0.0, t0 + t - time.monotonic()))

    at(before)
    events.append((round(time.monotonic() - t0, 3), "파드 삭제"))
    removal = before + propagation
    if prestop < propagation:
        at(before + prestop)
        server.send_signal(signal.SIGTERM)
        events.append((round(time.monotonic() - t0, 3), "SIGTERM"))
        at(removal)
        events.append((round(time.monotonic() - t0, 3), "엔드포인트에서 빠짐"))
    else:
        at(removal)
        events.append((round(time.monotonic() - t0, 3), "엔드포인트에서 빠짐"))
        at(before + prestop)
        server.send_signal(signal.SIGTERM)
        events.append((round(time.monotonic() - t0, 3), "SIGTERM"))
    result = run.result()
    wait_exit(server)
    return RaceResult(label or f"preStop {prestop:g}초", result, events)


def plot_race(results: list[RaceResult], title: str = "SIGTERM과 엔드포인트 제거의 경쟁",
              save: str | None = None) -> None:
    """경우마다 한 칸: 요청별 지연 시간(초록 점)과 실패(빨간 ×), 사건은 세로선."""
    from .plots import _finish, plt

    fig, axes = plt.subplots(len(results), 1, figsize=(10, 1.6 + 1.9 * len(results)), sharex=True, squeeze=False)
    colors = {"파드 삭제": "tab:blue", "SIGTERM": "tab:red", "엔드포인트에서 빠짐": "tab:purple"}
    for ax, res in zip(axes[:, 0], results):
        ok = [s for s in res.load.samples if s.status is not None and s.status < 500]
        bad = [s for s in res.load.samples if s.status is None or s.status >= 500]
        ax.scatter([s.start for s in ok], [s.latency * 1000 for s in ok], s=5, c="tab:green", label="성공")
        if bad:
            ax.scatter([s.start for s in bad], [s.latency * 1000 for s in bad], s=14, c="red", marker="x",
                       label=f"실패 {len(bad)}건")
        times = dict((name, t) for t, name in res.events)
        if "SIGTERM" in times and "엔드포인트에서 빠짐" in times and times["SIGTERM"] < times["엔드포인트에서 빠짐"]:
            ax.axvspan(times["SIGTERM"], times["엔드포인트에서 빠짐"], color="tab:red", alpha=0.08,
                       label="닫힌 서버로 요청이 가는 구간")
        for i, (t, name) in enumerate(res.events):
            ax.axvline(t, color=colors.get(name, "gray"), linestyle="--", linewidth=1.2)
            ax.annotate(f" {name}", (t, 0.97 - 0.12 * i), xycoords=("data", "axes fraction"), fontsize=8,
                        ha="left", va="top", color=colors.get(name, "gray"))
        ax.set_ylabel("지연 시간 (ms)")
        ax.set_title(res.label, fontsize=10, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    axes[-1, 0].set_xlabel("경과 시간 (초)")
    fig.suptitle(title)
    _finish(fig, save)


# ---- 장애 훈련 ------------------------------------------------------------------

def busiest_worker(server: Server, marker: str = "[slow] 시작") -> tuple[int, int]:
    """로그에서 `marker` 줄을 가장 많이 남긴 워커의 (pid, 줄 수): 처리 중인 느린 요청을 가장 많이 쥔 워커."""
    alive = set(server.worker_pids())
    counts = Counter(int(m.group(1)) for m in re.finditer(re.escape(marker) + r".*\(pid (\d+)\)", server.logs()))
    counts = Counter({pid: n for pid, n in counts.items() if pid in alive})
    if not counts:
        raise LabError(f"❌ 로그에 '{marker}' 줄이 없다: 느린 요청을 먼저 보낸다.")
    return counts.most_common(1)[0]


def kill_worker(server: Server, pid: int | None = None, sig: int = signal.SIGKILL) -> int:
    """gunicorn 같은 마스터의 워커 하나(기본: 첫 워커)를 죽이고 그 pid를 돌려준다 (OOM killer 흉내)."""
    workers = server.worker_pids()
    if not workers:
        raise LabError(f"❌ {server.name}에 워커가 없다: `workers=2` 이상으로 띄운다.")
    victim = pid if pid is not None else workers[0]
    if victim not in workers:
        raise LabError(f"❌ pid {josa(victim, '은')} {server.name}의 워커가 아니다: {workers}")
    os.kill(victim, sig)
    return victim


_GUNICORN_PREFIX = re.compile(r"^\[[^\]]+\] \[\d+\] \[[A-Z]+\] ")


def gunicorn_events(log: str, *needles: str) -> list[str]:
    """gunicorn 로그에서 `needles` 가운데 하나를 담은 줄을 시각·pid 머리말 없이 돌려준다."""
    needles = needles or ("SIGKILL", "Booting worker", "Handling signal", "Shutting down: Master")
    return [_GUNICORN_PREFIX.sub("", line) for line in log.splitlines() if any(n in line for n in needles)]


def wait_events(server: Server, since: int, *needles: str, timeout: float = 15) -> list[str]:
    """`server.logs()[since:]`에 `needles`가 모두 나타날 때까지 기다려 `gunicorn_events()`로 돌려준다.

    새 워커의 "Booting worker" 줄은 워커 프로세스 자신이 쓴다: 워커 pid가 보인 직후에는 아직 없을 수 있다.
    """
    def events() -> list[str]:
        return gunicorn_events(server.logs()[since:], *needles)

    wait_until(lambda: all(any(n in e for e in events()) for n in needles), timeout,
               f"로그에 {', '.join(needles)} 줄이 나타나기")
    return events()


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> float:
    """`check()`가 참이 될 때까지 기다리고 걸린 초를 돌려준다. 시간이 지나면 한국어 오류."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(interval)
    raise LabError(f"❌ {what}: {timeout:g}초 안에 이뤄지지 않았다.")


def restart_count(container) -> int:
    """Docker가 재시작 정책으로 이 컨테이너를 다시 띄운 횟수 (`docker inspect`의 RestartCount)."""
    return int(container.reload().get("RestartCount", 0))


def crash_container(container) -> str:
    """컨테이너의 주 프로세스(PID 1)를 SIGKILL로 죽인다: 프로세스가 갑자기 죽은 것과 같다.

    `docker kill`은 쓰지 않는다: Docker는 그것을 '사람이 멈춘 것'으로 보고 재시작 정책을 적용하지 않는다.
    호스트에서 그 프로세스에 신호를 보낼 수 없으면(권한, Docker Desktop의 가상 머신) 컨테이너 안에서
    gunicorn에 SIGQUIT(즉시 종료)를 보낸다. 어떤 방법을 썼는지 돌려준다.
    """
    pid = int(container.reload()["State"].get("Pid") or 0)
    if pid > 0:
        try:
            os.kill(pid, signal.SIGKILL)
            return "호스트에서 주 프로세스에 SIGKILL"
        except (PermissionError, ProcessLookupError):
            pass
    result = container.exec(["sh", "-c", "kill -QUIT 1"], show=False)
    if not result.ok:
        raise LabError(f"❌ 컨테이너 {container.name}의 주 프로세스를 멈추지 못했다: {result.output.strip()}")
    return "컨테이너 안에서 주 프로세스에 SIGQUIT"


def compose_container(stack, service: str, index: int = 1):
    """Compose 서비스의 컨테이너 하나를 `labs.docker.Container`로 (재시작 횟수, 헬스, 로그를 보려고)."""
    from .docker import Container, client

    found = client().containers.list(all=True, filters={"label": [
        f"com.docker.compose.project={stack.project}", f"com.docker.compose.service={service}",
        f"com.docker.compose.container-number={index}"]})
    if not found:
        raise LabError(f"❌ Compose 프로젝트 {stack.project}에 {service} 컨테이너가 없다: `stack.up()`을 먼저 한다.")
    return Container(found[0], stack.lab)


def exit_code(container) -> int | None:
    """멈춘 컨테이너의 종료 코드 (137 = 128 + 9: SIGKILL로 끝났다)."""
    state = container.reload()["State"]
    return None if state.get("Running") else int(state.get("ExitCode", 0))


def started_at(container) -> str:
    """컨테이너가 (마지막으로) 시작된 시각. 같으면 그사이 재시작이 없었다 (정책이든 Compose든)."""
    return str(container.reload()["State"].get("StartedAt", ""))


# ---- 컨테이너의 종료: Dockerfile의 CMD와 docker stop, Compose 헬스 체크 (실제 명령을 `$ …`로 보인다) ----------

SAMPLE_IMAGE = "course/sample-app:latest"
"""파일 셀의 Dockerfile·compose.yaml이 기반으로 쓰는 예제 이미지 (2절에서 스택을 올릴 때 빌드된다)."""


def build_image(dockerfile, tag: str, lab: str):
    """파일 셀의 Dockerfile을 그 폴더를 빌드 컨텍스트로 빌드하고(`labs.dockerlab.build`), 이미지의 CMD를 보인다.

    `$ docker build -t 태그 폴더`를 먼저 찍는다. 돌려주는 값은 이미지 설정의 `Cmd` 목록이다:
    셸 형식이면 `['/bin/sh', '-c', '…']`, exec 형식이면 명령 그대로다.
    """
    from pathlib import Path

    from . import docker, dockerlab
    from .procs import display_path

    dockerfile = Path(dockerfile)
    print(f"$ docker build -t {tag} {display_path(str(dockerfile.parent))}", flush=True)
    dockerlab.build(dockerfile.parent, tag, lab, dockerfile=dockerfile, progress=False)
    config = docker.require_docker().images.get(tag).attrs["Config"]
    cmd = list(config.get("Cmd") or [])
    print(f"✅ 이미지 {tag}: CMD = {cmd}" + (f", STOPSIGNAL = {config['StopSignal']}" if config.get("StopSignal") else ""))
    return cmd


def run_container(image: str, lab: str, *, name: str, env: Mapping[str, str] | None = None,
                  timeout: float = 60.0, echo: bool = True):
    """`docker run -d --name 이름 -p 127.0.0.1::8000 …`으로 띄우고 `/health`가 답할 때까지 기다린다.

    컨테이너에는 `course.lab=<lab>` 레이블을 붙여 `labs.cleanup(lab)`이 치운다. `labs.docker.Container`를 돌려준다.
    """
    from . import registry
    from .docker import LABEL, Container, client
    from .shell import run

    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
    argv = ["docker", "run", "-d", "--name", name, "--label", f"{LABEL}={lab}", "-p", "127.0.0.1::8000",
            *[x for k, v in (env or {}).items() for x in ("-e", f"{k}={v}")], image]
    run(argv, echo=echo, show=False, timeout=120)
    container = Container(client().containers.get(name), lab)
    registry.register(container)
    try:
        container.wait_http(8000, "/health", timeout)
    except BaseException:
        container.stop(timeout=1)
        raise
    return container


@dataclass
class StopRun:
    """`docker_stop()`의 결과: PID 1, `docker stop`이 돌아오기까지 걸린 초, 종료 코드, 처리 중이던 요청."""

    pid1: str
    seconds: float
    exit_code: int | None
    requests: InFlightResult

    @property
    def graceful(self) -> bool:
        return self.exit_code == 0 and self.requests.failed == 0


def docker_stop(container, grace: int = 10, *, slow: float = 2.0, n: int = 3, echo: bool = True) -> StopRun:
    """느린 요청 `n`건을 보내 둔 채 `docker stop -t grace`를 실행해 걸린 시간과 종료 코드를 잰다.

    먼저 컨테이너 안의 PID 1(`/proc/1/cmdline`)을 읽는다: 셸이면 SIGTERM은 셸이 받는다.
    """
    from .dockerlab import pid1
    from .shell import run

    first = pid1(container)
    drill = InFlight(container.url(8000, f"/slow?duration={slow:g}"), n=n)
    drill.wait_sent()
    drill.mark("docker stop")
    result = run(["docker", "stop", "-t", str(grace), container.name], echo=echo, show=False,
                 timeout=grace + 60)
    drill.mark("docker stop 끝")
    requests = drill.result()
    return StopRun(first, result.seconds, exit_code(container), requests)


class ComposeProject(_ComposeProject):
    """07 레슨의 Compose 프로젝트: 공통 클래스(`labs.compose_project`)에 헬스 체크 기록 읽기를 더한다."""

    def health_log(self, service: str = "app") -> tuple[str, str]:
        """서비스 컨테이너의 헬스 상태와 마지막 헬스 체크 출력의 마지막 줄."""
        state = self.container(service).reload()["State"]
        health = state.get("Health") or {}
        log = health.get("Log") or [{}]
        lines = [ln.strip() for ln in str(log[-1].get("Output", "")).splitlines() if ln.strip()]
        return str(health.get("Status", "없음")), (lines or [""])[-1][-200:]


def compose_up(file, lab: str, project: str, *, wait_timeout: int = 30, echo: bool = True):
    """`docker compose -p 프로젝트 -f 파일 up -d --wait --wait-timeout N`: 헬스 체크를 통과할 때까지 기다린다.

    (프로젝트, 결과)를 돌려준다. 결과의 `ok`가 거짓이면 Compose가 기다리다 포기한 것이다 (오류를 내지 않는다).
    """
    from . import registry
    from .procs import display_path

    proj = ComposeProject(project, display_path(str(file)), lab)
    proj.down(grace=0)
    registry.register(proj)
    result = proj.run("up", "-d", "--wait", "--wait-timeout", str(wait_timeout), echo=echo,
                      timeout=wait_timeout + 90)
    return proj, result

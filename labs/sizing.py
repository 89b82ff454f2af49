"""워커 수 정하기: 코어·메모리·작업 종류로 권장 워커 수와 설정 조각을 만든다 (01 레슨).

계산은 순수 함수 `recommend()`가 한다: 워커 계산기 위젯(`labs.widgets`)과 체크포인트 채점기가
같은 함수를 쓴다. 규칙은 시드의 표와 오늘의 관행(MODERN.md 2번)을 따른다.

- 동기(sync) WSGI 워커: 한 워커가 한 번에 요청 하나. I/O를 기다리는 동안 코어가 놀므로
  `2 × 코어 + 1`(gunicorn 문서의 경험칙). CPU 위주면 코어 수.
- 비동기(async) ASGI 워커: 한 워커의 이벤트 루프가 대기 중인 요청 여럿을 함께 돌리므로
  I/O 위주여도 코어당 약 1개면 된다. 더 늘리면 메모리만 쓴다.
- 어느 쪽이든 메모리가 상한이다: `쓸 수 있는 메모리 ÷ 워커 하나의 메모리`.

`cpu_info()`는 이 기계(또는 컨테이너)에서 코어 수를 재는 세 가지 방법을 나란히 보여 준다:
`os.cpu_count()`는 호스트의 코어를, `os.sched_getaffinity()`는 이 프로세스가 돌 수 있는 코어를,
cgroup 할당량(`cpu.max`, `cpu.cfs_quota_us`)은 컨테이너가 실제로 쓸 수 있는 CPU 시간을 알려 준다.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .korean import particle

Workload = Literal["io", "cpu", "mixed"]
Model = Literal["async", "sync"]

WORKLOADS: dict[str, str] = {"io": "I/O 위주", "cpu": "CPU 위주", "mixed": "섞임"}
MODELS: dict[str, str] = {"async": "비동기(ASGI)", "sync": "동기(WSGI)"}

ASGI_APP = "sample_app.main:app"
WSGI_APP = "sample_app.wsgi:application"


@dataclass(frozen=True)
class Recommendation:
    """권장 워커 수와 그 근거. `str()`은 사람이 읽는 한국어 설명이다."""

    cores: int
    ram_mb: int
    worker_mb: int
    workload: str
    model: str
    by_cpu: int
    by_memory: int
    workers: int
    reasons: tuple[str, ...] = field(default=())

    @property
    def limited_by(self) -> str:
        """워커 수를 정한 쪽: 'cpu' 또는 'memory'."""
        return "memory" if self.by_memory < self.by_cpu else "cpu"

    @property
    def memory_mb(self) -> int:
        """권장 워커 수가 쓸 메모리(MB)."""
        return self.workers * self.worker_mb

    def gunicorn_conf(self, bind: str = "0.0.0.0:8000") -> str:
        """그대로 `gunicorn.conf.py`로 저장할 수 있는 설정. 워커 수는 `WEB_CONCURRENCY`가 있으면 그것을 따른다."""
        worker_class = "uvicorn_worker.UvicornWorker" if self.model == "async" else "sync"
        return "\n".join([
            f"# gunicorn.conf.py — 코어 {self.cores}개, 메모리 {self.ram_mb} MB, 워커당 {self.worker_mb} MB,"
            f" {WORKLOADS[self.workload]}, {MODELS[self.model]}",
            "import os",
            "",
            f'bind = "{bind}"',
            "# 플랫폼이 WEB_CONCURRENCY로 워커 수를 덮어쓸 수 있게 한다",
            f'workers = int(os.environ.get("WEB_CONCURRENCY", {self.workers}))',
            f'worker_class = "{worker_class}"',
            "timeout = 120",
            "graceful_timeout = 30",
            "max_requests = 1000",
            "max_requests_jitter = 100",
            'accesslog = "-"',
            'errorlog = "-"',
        ]) + "\n"

    def command(self, port: int = 8000) -> str:
        """한 줄 실행 명령. 비동기면 uvicorn `--workers`, 동기(WSGI)면 gunicorn."""
        if self.model == "async":
            return (f"uvicorn {ASGI_APP} --host 0.0.0.0 --port {port} --workers {self.workers} "
                    f"--limit-max-requests 1000 --limit-max-requests-jitter 100 --timeout-graceful-shutdown 30")
        return (f"gunicorn {WSGI_APP} --bind 0.0.0.0:{port} --workers {self.workers} "
                f"--timeout 120 --graceful-timeout 30 --max-requests 1000 --max-requests-jitter 100 "
                f"--access-logfile - --error-logfile -")

    def __str__(self) -> str:
        head = (f"권장 워커 수: {self.workers}개 ({MODELS[self.model]}, {WORKLOADS[self.workload]}, "
                f"코어 {self.cores}개, 메모리 {self.ram_mb} MB, 워커당 {self.worker_mb} MB)")
        return "\n".join([head, *(f"  - {r}" for r in self.reasons)])


def _check_positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}{particle(name, '은')} 1 이상의 정수여야 한다: {value!r}")
    return value


def cpu_rule(cores: int, workload: Workload, model: Model) -> tuple[int, str]:
    """코어 기준 워커 수와 그 근거 한 줄."""
    if model == "sync":
        if workload == "cpu":
            return cores, f"동기 워커 + CPU 위주: 코어 수만큼 ({cores}개). 더 두면 코어를 나눠 쓰며 서로 느려진다."
        n = 2 * cores + 1
        return n, (f"동기 워커는 한 번에 요청 하나만 처리한다. I/O를 기다리는 동안 코어가 놀지 않도록 "
                   f"2 × 코어 + 1 = {n}개 (시드의 경험칙).")
    if workload == "cpu":
        return cores, (f"비동기 워커 + CPU 위주: 코어당 1개 ({cores}개). 계산이 이벤트 루프를 붙잡으므로 "
                       f"무거운 계산은 프로세스 풀이나 작업 큐로 옮기는 것이 근본 해결이다.")
    return cores, (f"비동기 워커는 이벤트 루프 하나로 대기 중인 요청 여럿을 함께 처리한다: 코어당 1개 ({cores}개)면 "
                   f"코어를 다 쓴다. 2 × 코어 + 1은 동기 워커의 규칙이다.")


def recommend(cores: int, ram_mb: int, worker_mb: int, workload: Workload = "io",
              model: Model = "async") -> Recommendation:
    """권장 워커 수 = min(코어 기준, 메모리 기준), 최소 1.

    - `cores`: 이 앱이 쓸 수 있는 코어 수 (컨테이너라면 CPU 할당량)
    - `ram_mb`: 이 앱의 워커들이 쓸 수 있는 메모리(MB)
    - `worker_mb`: 워커 하나가 쓰는 메모리(MB, 실제로 재서 넣는다)
    - `workload`: "io" | "cpu" | "mixed",  `model`: "async" | "sync"
    """
    _check_positive("코어 수(cores)", cores)
    _check_positive("메모리(ram_mb)", ram_mb)
    _check_positive("워커당 메모리(worker_mb)", worker_mb)
    if workload not in WORKLOADS:
        raise ValueError(f"작업 종류(workload)는 {', '.join(WORKLOADS)} 중 하나다: {workload!r}")
    if model not in MODELS:
        raise ValueError(f"워커 모델(model)은 {', '.join(MODELS)} 중 하나다: {model!r}")
    by_cpu, cpu_reason = cpu_rule(cores, workload, model)
    by_memory = ram_mb // worker_mb
    reasons = [cpu_reason,
               f"메모리 기준: {ram_mb} MB ÷ 워커당 {worker_mb} MB = {by_memory}개까지."]
    workers = max(1, min(by_cpu, by_memory))
    if by_memory < 1:
        reasons.append("⚠️ 메모리가 워커 하나에도 모자란다: 1개로 두고 메모리를 늘리거나 워커를 가볍게 만든다.")
    elif by_memory < by_cpu:
        reasons.append(f"메모리가 더 빡빡하다: {by_cpu}개가 아니라 {workers}개로 줄인다.")
    else:
        reasons.append(f"메모리는 넉넉하다 ({workers}개 × {worker_mb} MB = {workers * worker_mb} MB): 코어 기준을 따른다.")
    reasons.append("배포할 때는 이 값을 WEB_CONCURRENCY나 --workers로 명시한다. 그리고 부하를 걸어 확인한다.")
    return Recommendation(cores, ram_mb, worker_mb, workload, model, by_cpu, by_memory, workers, tuple(reasons))


# ---- 이 기계의 코어 수와 메모리 -------------------------------------------------

@dataclass(frozen=True)
class CpuInfo:
    """코어 수를 재는 방법별 값. cgroup 할당량이 없으면 `quota_cpus`는 None."""

    cpu_count: int | None
    affinity: int | None
    quota_cpus: float | None
    quota_source: str | None
    web_concurrency: str | None

    @property
    def effective(self) -> int:
        """실제로 쓸 수 있는 코어 수: 세 값 중 가장 작은 것 (할당량은 올림)."""
        values = [v for v in (self.cpu_count, self.affinity) if v]
        if self.quota_cpus is not None:
            values.append(max(1, math.ceil(self.quota_cpus)))
        return min(values) if values else 1

    def rows(self) -> list[tuple[str, str]]:
        quota = "제한 없음" if self.quota_cpus is None else f"{self.quota_cpus:g}개 분량 ({self.quota_source})"
        return [
            ("os.cpu_count()", str(self.cpu_count)),
            ("len(os.sched_getaffinity(0))", str(self.affinity)),
            ("cgroup CPU 할당량", quota),
            ("WEB_CONCURRENCY", self.web_concurrency or "(없음)"),
            ("실제로 쓸 수 있는 코어", str(self.effective)),
        ]

    def __str__(self) -> str:
        width = max(len(k) for k, _ in self.rows())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.rows())


def _cgroup_paths(proc_cgroup: Path) -> tuple[str | None, str | None]:
    """/proc/self/cgroup에서 (v2 경로, v1 cpu 컨트롤러 경로)를 읽는다."""
    v2 = v1 = None
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None, None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            v2 = path
        elif "cpu" in controllers.split(","):
            v1 = path
    return v2, v1


def cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup"),
                     proc_cgroup: Path = Path("/proc/self/cgroup")) -> tuple[float | None, str | None]:
    """cgroup CPU 할당량을 코어 수 단위로 돌려준다 (예: 1.5). 제한이 없으면 (None, None).

    cgroup v2는 `cpu.max`("150000 100000" 또는 "max 100000"), v1은 `cpu.cfs_quota_us`/`cpu.cfs_period_us`.
    컨테이너 안에서는 보통 자기 cgroup이 루트로 보이므로 루트와 `/proc/self/cgroup`의 경로를 모두 본다.
    """
    v2_path, v1_path = _cgroup_paths(proc_cgroup)
    for base in dict.fromkeys([root / (v2_path or "/").lstrip("/"), root]):
        f = base / "cpu.max"
        if f.is_file():
            try:
                quota, period = f.read_text().split()[:2]
            except (OSError, ValueError):
                continue
            if quota == "max":
                return None, None
            return int(quota) / int(period), "cgroup v2 cpu.max"
    for ctl in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        for base in dict.fromkeys([root / ctl / (v1_path or "/").lstrip("/"), root / ctl]):
            q, p = base / "cpu.cfs_quota_us", base / "cpu.cfs_period_us"
            if q.is_file() and p.is_file():
                try:
                    quota, period = int(q.read_text()), int(p.read_text())
                except (OSError, ValueError):
                    continue
                if quota <= 0:
                    return None, None
                return quota / period, "cgroup v1 cpu.cfs_quota_us"
    return None, None


def cpu_info(root: Path = Path("/sys/fs/cgroup"), proc_cgroup: Path = Path("/proc/self/cgroup")) -> CpuInfo:
    """이 프로세스가 보는 코어 수를 세 가지 방법으로 잰다."""
    try:
        affinity: int | None = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS 등
        affinity = None
    quota, source = cgroup_cpu_quota(root, proc_cgroup)
    return CpuInfo(os.cpu_count(), affinity, quota, source, os.environ.get("WEB_CONCURRENCY"))


def worker_memory_mb(pids: list[int]) -> list[float]:
    """워커 프로세스마다 실제로 쓰는 메모리(USS, 없으면 RSS)를 MB로 잰다. 계산기의 '워커당 메모리' 입력에 쓴다."""
    import psutil

    sizes = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            try:
                sizes.append(proc.memory_full_info().uss / 2**20)
            except psutil.AccessDenied:
                sizes.append(proc.memory_info().rss / 2**20)
        except psutil.Error:
            continue
    return sizes

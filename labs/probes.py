"""헬스 체크 엔드포인트를 시간에 따라 찍고, 로드 밸런서·오케스트레이터의 반응을 계산한다 (07 레슨).

- `Prober`: 배경 스레드가 `/health`와 `/health/ready`를 짧은 간격으로 불러 상태 코드를 기록한다.
  `mark("Redis 중지")`처럼 사건을 같은 시계에 적는다.
- `ProbeLog.orchestrator()`: 기록을 Kubernetes 프로브 규칙(주기, 연속 실패·성공 횟수)으로 읽어
  "이 시각에 트래픽을 받았을까, 컨테이너를 재시작했을까"를 표로 만든다.
- `ProbeLog.plot()`: 두 엔드포인트의 상태 코드와 그에 따른 판단을 한 그림에 그린다.
- `unhealthy_under_restart()`: 재시작 정책이 있는 컨테이너의 `HEALTHCHECK`를 실패시켜, Docker 엔진이 unhealthy를
  표시만 하고 재시작하지 않는 것을 보인다.
"""

from __future__ import annotations

import shlex
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx

from .korean import josa

LIVENESS = "/health"
READINESS = "/health/ready"


@dataclass
class ProbeSample:
    """한 번의 점검: 시작부터 지난 초, 경로별 상태 코드(연결 실패면 None)와 응답의 `status` 값."""

    t: float
    codes: dict[str, int | None]
    states: dict[str, str]


@dataclass
class Rule:
    """프로브 규칙 하나 (Kubernetes의 `periodSeconds`, `failureThreshold`, `successThreshold`)."""

    period: float = 1.0
    failure_threshold: int = 3
    success_threshold: int = 1


def _ok(code: int | None) -> bool:
    # kubelet의 httpGet 프로브와 같은 기준: 200 이상 400 미만이면 성공
    return code is not None and 200 <= code < 400


@dataclass
class ProbeLog:
    """`Prober`가 모은 기록. 시각은 모두 기록을 시작한 순간부터 지난 초다."""

    paths: tuple[str, ...]
    samples: list[ProbeSample] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.samples[-1].t if self.samples else 0.0

    def codes(self, path: str) -> list[int | None]:
        return [s.codes.get(path) for s in self.samples]

    def always(self, path: str, code: int) -> bool:
        """`path`가 기록 내내 `code`로만 답했는가."""
        return bool(self.samples) and all(c == code for c in self.codes(path))

    def codes_between(self, path: str, start: str, end: str | None = None) -> set[int | None]:
        """사건 `start`와 `end` 사이(없으면 끝까지)에 `path`가 돌려준 상태 코드들."""
        t0 = self.event_time(start)
        t1 = self.event_time(end) if end else float("inf")
        return {s.codes.get(path) for s in self.samples if t0 <= s.t < t1}

    def last(self, path: str) -> int | None:
        return self.samples[-1].codes.get(path) if self.samples else None

    def event_time(self, label: str) -> float:
        for t, name in self.events:
            if name == label:
                return t
        raise KeyError(f"기록에 '{label}' 사건이 없다")

    def transitions(self) -> list[dict[str, object]]:
        """상태 코드가 바뀐 순간만 뽑는다: [{"시각(초)", "경로", "이전", "이후", "상태"}, ...]."""
        rows: list[dict[str, object]] = []
        previous: dict[str, int | None | str] = {p: "시작" for p in self.paths}
        for s in self.samples:
            for p in self.paths:
                code = s.codes.get(p)
                if code != previous[p]:
                    rows.append({"시각(초)": round(s.t, 2), "경로": p, "이전": previous[p],
                                 "이후": code if code is not None else "연결 실패", "상태": s.states.get(p, "")})
                    previous[p] = code
        return rows

    def _at(self, t: float) -> ProbeSample | None:
        found = None
        for s in self.samples:
            if s.t <= t:
                found = s
            else:
                break
        return found

    def decide(self, path: str, rule: Rule, start_ready: bool = True) -> list[tuple[float, bool]]:
        """`rule` 주기로 `path`를 점검했다고 치고, 매 점검 뒤의 판단(통과 상태인가)을 돌려준다.

        연속 실패가 `failure_threshold`번이면 실패 상태로, 그 뒤 연속 성공이 `success_threshold`번이면
        다시 통과 상태로 바뀐다 (kubelet이 프로브 결과를 세는 방식).
        """
        state, fails, successes = start_ready, 0, 0
        out: list[tuple[float, bool]] = []
        t = 0.0
        while t <= self.seconds + 1e-9:
            sample = self._at(t)
            if sample is not None:
                if _ok(sample.codes.get(path)):
                    successes, fails = successes + 1, 0
                    if not state and successes >= rule.success_threshold:
                        state = True
                else:
                    fails, successes = fails + 1, 0
                    if state and fails >= rule.failure_threshold:
                        state = False
            out.append((round(t, 3), state))
            t += rule.period
        return out

    def orchestrator(self, readiness: Rule = Rule(1.0, 2, 1), liveness: Rule = Rule(1.0, 3, 1)) -> list[dict]:
        """점검 시각마다: 두 엔드포인트의 응답, 로드 밸런서가 트래픽을 보내는지, 오케스트레이터가 재시작하는지.

        레디니스가 실패 상태면 로드 밸런서(Kubernetes Service의 엔드포인트)에서 빠지고, 라이브니스가 실패
        상태면 컨테이너를 재시작한다. 두 규칙의 주기가 다르면 더 짧은 주기로 줄을 만든다.
        """
        ready = dict(self.decide(READINESS, readiness))
        live = dict(self.decide(LIVENESS, liveness))
        step = min(readiness.period, liveness.period)
        rows = []
        last_ready, last_live = True, True
        t = 0.0
        while t <= self.seconds + 1e-9:
            key = round(t, 3)
            last_ready = ready.get(key, last_ready)
            last_live = live.get(key, last_live)
            sample = self._at(t)
            happened = [name for when, name in self.events if t - step < when <= t]
            rows.append({
                "시각(초)": key,
                LIVENESS: _label(sample.codes.get(LIVENESS)) if sample else "-",
                READINESS: _label(sample.codes.get(READINESS)) if sample else "-",
                "로드 밸런서": "트래픽 보냄" if last_ready else "트래픽 뺌",
                "오케스트레이터": "그대로 둠" if last_live else "재시작",
                "사건": ", ".join(happened),
            })
            t += step
        return rows

    def plot(self, title: str = "헬스 체크 응답과 판단", readiness: Rule = Rule(1.0, 2, 1),
             liveness: Rule = Rule(1.0, 3, 1), save: str | None = None) -> None:
        """위: 경로별 상태 코드(연결 실패는 0). 아래: 로드 밸런서와 오케스트레이터의 판단 띠."""
        from .plots import _finish, plt

        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 5.2), sharex=True,
                                       gridspec_kw={"height_ratios": [2.2, 1]})
        times = [s.t for s in self.samples]
        for path, style in zip(self.paths, ("-", "--")):
            ax1.step(times, [c or 0 for c in self.codes(path)], where="post", linestyle=style, linewidth=2,
                     label=f"{path} ({'라이브니스' if path == LIVENESS else '레디니스'})")
        ax1.set_ylabel("HTTP 상태 코드 (0 = 연결 실패)")
        ax1.set_yticks([0, 200, 503])
        ax1.set_ylim(-30, 600)
        ax1.legend(loc="center right")
        ax1.set_title(title)
        lanes = [("로드 밸런서\n(레디니스)", self.decide(READINESS, readiness), "트래픽 보냄", "트래픽 뺌"),
                 ("오케스트레이터\n(라이브니스)", self.decide(LIVENESS, liveness), "그대로 둠", "재시작")]
        for row, (name, decisions, yes, no) in enumerate(lanes):
            for (t, state), nxt in zip(decisions, decisions[1:] + [(self.seconds, None)]):
                width = max(nxt[0] - t, 0.0)
                ax2.barh(row, width, left=t, color="tab:green" if state else "tab:red", height=0.6)
            ax2.text(self.seconds + 0.1, row, f"초록={yes}\n빨강={no}", va="center", fontsize=8)
        ax2.set_yticks([0, 1], [lane[0] for lane in lanes])
        ax2.set_ylim(-0.6, 1.6)
        ax2.invert_yaxis()
        ax2.set_xlabel("경과 시간 (초)")
        for t, name in self.events:
            for ax in (ax1, ax2):
                ax.axvline(t, color="gray", linestyle=":", linewidth=1)
            ax1.annotate(name, (t, 560), rotation=0, fontsize=9, ha="left", va="top")
        _finish(fig, save)


def _label(code: int | None) -> str:
    return "연결 실패" if code is None else str(code)


class Prober:
    """배경에서 헬스 엔드포인트를 계속 부른다. `with Prober(url) as p:` 블록을 나가면 멈춘다.

    ```python
    with labs.probes.Prober(app.url) as prober:
        time.sleep(2); redis.kill(); prober.mark("Redis 중지")
    log = prober.log
    ```
    """

    def __init__(self, base_url: str, paths: Sequence[str] = (LIVENESS, READINESS), interval: float = 0.2,
                 timeout: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.log = ProbeLog(tuple(paths))
        self.interval = interval
        self.timeout = timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    def start(self) -> Prober:
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def now(self) -> float:
        return time.monotonic() - self._t0

    def mark(self, label: str) -> None:
        """지금 시각에 사건을 적는다 (그림의 세로 점선)."""
        self.log.events.append((round(self.now(), 3), label))

    def wait(self, path: str, code: int | None, timeout: float = 15.0) -> float:
        """`path`가 `code`로 답할 때까지 기다리고 그 시각을 돌려준다 (`sleep` 대신)."""
        deadline = time.monotonic() + timeout
        seen = len(self.log.samples)
        while time.monotonic() < deadline:
            fresh = self.log.samples[seen:]
            for s in fresh:
                if s.codes.get(path) == code:
                    return s.t
            seen += len(fresh)
            time.sleep(self.interval / 2)
        from .errors import LabError

        raise LabError(f"❌ {josa(path, '가')} {timeout:g}초 안에 {josa(code, '으로')} 답하지 않았다. 앱 로그를 확인한다.")

    def _loop(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while not self._stop.is_set():
                t = self.now()
                codes: dict[str, int | None] = {}
                states: dict[str, str] = {}
                for path in self.log.paths:
                    try:
                        r = client.get(self.base_url + path)
                        codes[path] = r.status_code
                        try:
                            states[path] = str(r.json().get("status", ""))
                        except ValueError:
                            states[path] = ""
                    except httpx.HTTPError:
                        codes[path], states[path] = None, "연결 실패"
                self.log.samples.append(ProbeSample(round(t, 3), codes, states))
                self._stop.wait(max(0.0, self.interval - (self.now() - t)))

    def stop(self) -> ProbeLog:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout * len(self.log.paths) + 2)
        return self.log

    def __enter__(self) -> Prober:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- Docker: unhealthy는 표시일 뿐이다 ---------------------------------------------

# 주소를 argv로 넘겨 파이썬 코드 안에 따옴표가 없게 한다: 찍은 명령을 셸에 그대로 붙여 넣을 수 있다.
READY_HEALTH_CMD = ('python -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)" '
                    "http://127.0.0.1:8000/health/ready")


@dataclass
class UnhealthyRun:
    """`unhealthy_under_restart()`의 결과: 엔진이 본 상태를 지켜본 끝에 읽은 값."""

    command: str            # 실제로 실행한 `docker run …` 한 줄
    restart_policy: str     # HostConfig.RestartPolicy.Name
    status: str             # State.Status (running이어야 한다)
    health: str             # State.Health.Status (unhealthy)
    failing_streak: int     # 연달아 실패한 헬스 체크 수
    restart_count: int      # 재시작 정책이 다시 띄운 횟수
    started_at_same: bool   # 지켜보는 동안 StartedAt이 그대로였나
    watched: float          # unhealthy가 된 뒤 지켜본 초
    last_output: str        # 마지막 헬스 체크 출력의 마지막 줄

    @property
    def kept_running(self) -> bool:
        return (self.health == "unhealthy" and self.status == "running" and self.restart_count == 0
                and self.started_at_same)


def unhealthy_under_restart(image: str, lab: str, *, name: str, policy: str = "always",
                            health_cmd: str = READY_HEALTH_CMD, env: Mapping[str, str] | None = None,
                            command: Sequence[str] = (), watch: float = 8.0, timeout: float = 60.0,
                            show: bool = True) -> UnhealthyRun:
    """`docker run -d --restart <policy> --health-cmd …`로 헬스 체크가 실패하는 컨테이너를 띄우고,
    unhealthy가 된 뒤 `watch`초 동안 재시작되는지 지켜본다 (07 레슨). 실행한 명령을 `$ …`로 먼저 찍는다.

    컨테이너에는 `course.lab=<lab>` 레이블을 붙인다: `labs.cleanup(lab)`이 레이블로 찾아 지운다.
    결과를 읽은 뒤에는 컨테이너를 지운다 (`docker rm -f`).
    """
    from .docker import LABEL, require_docker
    from .errors import LabError

    require_docker()
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
    argv = ["docker", "run", "-d", "--name", name, "--label", f"{LABEL}={lab}", "--restart", policy,
            *[x for k, v in (env or {}).items() for x in ("-e", f"{k}={v}")],
            "--health-cmd", health_cmd, "--health-interval", "1s", "--health-timeout", "3s",
            "--health-retries", "2", "--health-start-period", "0s", image, *command]
    shown = shlex.join(argv)
    if show:
        print("$ " + shown, flush=True)
    started = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        raise LabError(f"❌ 컨테이너를 띄우지 못했다 (종료 코드 {started.returncode}): {started.stderr.strip()[-500:]}")

    def inspect() -> dict:
        out = subprocess.run(["docker", "inspect", name], capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise LabError(f"❌ 컨테이너 {josa(name, '이')} 없다: {out.stderr.strip()}")
        import json

        return json.loads(out.stdout)[0]

    try:
        deadline = time.monotonic() + timeout
        while True:
            attrs = inspect()
            if (attrs["State"].get("Health") or {}).get("Status") == "unhealthy":
                break
            if time.monotonic() > deadline:
                raise LabError(f"❌ {timeout:g}초 안에 unhealthy가 되지 않았다: "
                               f"{(attrs['State'].get('Health') or {}).get('Status')}")
            time.sleep(0.3)
        first_start = attrs["State"].get("StartedAt")
        t0 = time.monotonic()
        while time.monotonic() - t0 < watch:
            attrs = inspect()
            if attrs["State"].get("StartedAt") != first_start or attrs["State"]["Status"] != "running":
                break
            time.sleep(0.5)
        health = attrs["State"].get("Health") or {}
        log = health.get("Log") or [{}]
        return UnhealthyRun(
            command=shown, restart_policy=attrs["HostConfig"]["RestartPolicy"]["Name"],
            status=attrs["State"]["Status"], health=health.get("Status", ""),
            failing_streak=int(health.get("FailingStreak", 0)), restart_count=int(attrs.get("RestartCount", 0)),
            started_at_same=attrs["State"].get("StartedAt") == first_start, watched=time.monotonic() - t0,
            last_output=([ln.strip() for ln in str(log[-1].get("Output", "")).splitlines() if ln.strip()]
                         or [""])[-1][-160:])
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)


# ---- 파일 셀의 레디니스 앱 (고장 내고 고치기: 거짓말하는 레디니스) ------------------------------------

READY_MODULE = "ready_app"
"""파일 셀 `ready_app.py`의 모듈 이름: `uvicorn ready_app:app --app-dir <그 폴더>`로 띄운다."""


def start_ready_app(path, lab: str, redis_url: str, *, port: int | None = None, echo: bool = True,
                    timeout: float = 20.0):
    """파일 셀이 쓴 `ready_app.py`를 uvicorn으로 띄운다: Redis 주소는 환경 변수 `REDIS_URL`로 준다.

    `echo=True`면 `$ REDIS_URL=… uvicorn ready_app:app --app-dir …`를 먼저 찍는다 (터미널에 그대로 붙여 넣는다).
    """
    from pathlib import Path

    from .procs import free_port, start_process

    path = Path(path)
    port = port or free_port()
    argv = ["uvicorn", f"{READY_MODULE}:app", "--app-dir", str(path.parent), "--host", "127.0.0.1",
            "--port", str(port)]
    env = {"REDIS_URL": redis_url}
    return start_process("uvicorn", argv, lab, port=port, env=env, echo=echo, echo_env=env, timeout=timeout)


def status_and_body(url: str, timeout: float = 5.0) -> tuple[int | str, str]:
    """GET 하나의 상태 코드와 본문 (연결이 안 되면 ("연결 실패", 설명)). 상태 코드만 보는 쪽과 본문을 나란히 보인다."""
    try:
        r = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return "연결 실패", type(exc).__name__
    return r.status_code, r.text

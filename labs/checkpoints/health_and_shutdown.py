"""07 레슨(헬스 체크와 그레이스풀 셧다운)의 체크포인트 채점기. 모두 학습자가 파일 셀(`%%lab_file`)에 쓴 글을 읽는다.

- 7-1 `readiness_fixed`: 거짓말하는 레디니스(`ready_app.py`)를 고쳤는지, 진짜 Redis와 uvicorn으로 본다: Redis가 죽으면
  503, 답하지 않는 Redis에는 타임아웃 안에 503, 라이브니스는 그대로 200, 다시 뜨면 200.
- 7-2 `graceful_config`: `shutdown.conf.py`로 gunicorn을 띄워 3초짜리 요청을 보내 둔 채 SIGTERM을 보낸다.
- 7-3 `dockerfile_fixed`: 셸 형식 CMD를 고친 `Dockerfile`을 빌드해 띄우고 `docker stop`이 곧바로 0으로 끝나는지 본다.
- 7-4 `probe_manifest`: `deployment.yaml`을 Kubernetes 스키마(strict)와 프로브·종료 규칙으로 본다 (클러스터 없이).
- 7-5 `compose_healthcheck`: `compose.yaml`로 앱을 올려 healthy가 되는지, `docker compose stop`이 요청을 끝내는지 본다.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .. import k8s, tasks
from ..errors import LabError
from ..grading import Criterion, Grader
from ..procs import free_port

LAB = "07_health_and_shutdown"


def _lab(ns: Mapping[str, Any]) -> str:
    """채점기가 쓰는 레슨 이름: 채점용 사본은 `files/<레슨>-checkpoint/`에 써서 학습자의 파일을 건드리지 않는다."""
    return f"{ns.get('LAB', LAB)}-checkpoint"


class _Silent:
    """연결은 받아 주지만(커널의 대기열) 아무것도 답하지 않는 서버: 타임아웃 없는 점검을 잡아낸다."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", free_port()))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# ---- 7-1: 거짓말하지 않는 레디니스 --------------------------------------------------------

READY = "ready_app.py"
SILENT_LIMIT = 3.0
"""답하지 않는 Redis 앞에서 `/health/ready`가 돌아와야 하는 시간(초). 프로브의 timeoutSeconds(2~3초)와 같은 자리다."""

LEAKS = ("refused", "Error ", "Errno", "Timeout reading", "Connection")
"""응답 본문에 나오면 안 되는 예외 문구 조각 (내부 주소와 드라이버 메시지는 로그에만)."""


def _get(url: str, timeout: float = SILENT_LIMIT + 2) -> tuple[Any, str, float]:
    import httpx

    start = time.monotonic()
    try:
        r = httpx.get(url, timeout=timeout)
        return r.status_code, r.text, time.monotonic() - start
    except httpx.HTTPError as exc:
        return f"응답 없음({type(exc).__name__})", "", time.monotonic() - start


@lru_cache(maxsize=8)
def _ready_trial(text: str, lab: str) -> dict[str, Any]:
    """Redis 살아 있음 → 죽음 → 같은 포트로 다시 뜸, 그리고 답하지 않는 Redis를 차례로 본다 (같은 답은 다시 재지 않는다)."""
    from ..probes import start_ready_app
    from ..services import start_redis

    path = tasks.files_dir(lab) / READY
    path.write_text(text, encoding="utf-8")
    out: dict[str, Any] = {}
    redis = again = app = silent_app = None
    silent = _Silent()
    try:
        redis = start_redis(lab)
        try:
            app = start_ready_app(path, lab, redis.url, echo=False, timeout=15)
        except LabError as exc:
            out["error"] = _first_line(exc)
            return out
        out["up"] = _get(app.url + "/health/ready")
        redis.kill()
        out["down"] = _get(app.url + "/health/ready")
        out["down_live"] = _get(app.url + "/health")
        again = start_redis(lab, port=redis.port)
        out["back"] = _get(app.url + "/health/ready")
        silent_app = start_ready_app(path, lab, f"redis://127.0.0.1:{silent.port}/0", echo=False, timeout=15)
        out["silent"] = _get(silent_app.url + "/health/ready")
    finally:
        silent.close()
        for res in (silent_app, app, again, redis):
            if res is not None:
                res.stop()
    return out


def _ready(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _ready_trial(tasks.text(ns, READY), _lab(ns))


def _starts(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _ready(ns)
    if "error" in trial:
        return False, f"uvicorn으로 띄우지 못했다: {trial['error']}"
    code, _, _ = trial["up"]
    return code == 200, f"Redis가 살아 있을 때 /health/ready → {code}"


def _step(step: str, want: int, what: str) -> Callable[[Mapping[str, Any]], tuple[bool, str]]:
    def check(ns: Mapping[str, Any]) -> tuple[bool, str]:
        trial = _ready(ns)
        if "error" in trial:
            return False, "앱이 뜨지 않았다"
        code, _, took = trial[step]
        return code == want, f"{what} → {code} ({took:.1f}초)"
    return check


def _no_leak(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _ready(ns)
    if "error" in trial:
        return False, "앱이 뜨지 않았다"
    _, body, _ = trial["down"]
    leaked = [w for w in LEAKS if w in body]
    return not leaked, f"본문: {body[:120]}" if leaked else "고정된 값만 싣는다"


def _silent(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _ready(ns)
    if "error" in trial or "silent" not in trial:
        return False, "앱이 뜨지 않았다"
    code, _, took = trial["silent"]
    ok = code == 503 and took <= SILENT_LIMIT
    return ok, f"답하지 않는 Redis 앞에서 /health/ready → {code} ({took:.1f}초, {SILENT_LIMIT:g}초 안이어야 한다)"


readiness_fixed = Grader("체크포인트 7-1: 거짓말하지 않는 레디니스", [
    Criterion("앱이 뜨고, Redis가 살아 있으면 /health/ready가 200", 1, _starts,
              "`uvicorn ready_app:app`으로 뜨는지(문법 오류, import) 확인한다."),
    Criterion("Redis가 죽으면 /health/ready가 503", 2, _step("down", 503, "Redis를 죽인 뒤 /health/ready"),
              "로드 밸런서와 kubelet은 본문이 아니라 상태 코드만 본다: `JSONResponse(..., status_code=503)`."),
    Criterion("Redis가 죽어도 라이브니스 /health는 200", 1, _step("down_live", 200, "Redis를 죽인 뒤 /health"),
              "라이브니스는 의존 서비스를 보지 않는다."),
    Criterion("응답에 예외 문구를 싣지 않는다", 1, _no_leak,
              "`f\"error: {exc}\"` 대신 `\"error: unavailable\"`처럼 고정된 값을 쓴다 (원인은 로그에)."),
    Criterion("답하지 않는 Redis에는 타임아웃 안에 503", 2, _silent,
              "`redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)`: 점검이 멈추면 프로브도 멈춘다."),
    Criterion("Redis가 같은 주소로 다시 뜨면 다시 200", 1, _step("back", 200, "Redis를 다시 띄운 뒤 /health/ready"),
              "끊긴 연결을 붙잡고 있지 않는다: redis-py 클라이언트는 다음 요청에서 다시 연결한다."),
])


# ---- 7-2: gunicorn의 유예 시간 ---------------------------------------------------------

SHUTDOWN_CONF = "shutdown.conf.py"
SLOW_SECONDS = 3
"""7-2에서 SIGTERM 때 처리 중인 요청이 걸리는 시간(초): `/slow?duration=3`."""
OUTER_GRACE = 25
"""바깥(Compose `stop_grace_period`)의 유예 시간(초). gunicorn의 유예 시간은 이보다 짧아야 한다."""


@lru_cache(maxsize=8)
def _graceful_trial(text: str, lab: str) -> dict[str, Any]:
    import signal

    from .. import gunicorn_conf, gunicorn_lab, shutdown
    from ..procs import DEFAULT_ASGI

    path = tasks.files_dir(lab) / SHUTDOWN_CONF
    path.write_text(text, encoding="utf-8")
    out: dict[str, Any] = {}
    try:
        cfg = gunicorn_conf.load(path, DEFAULT_ASGI)
    except LabError as exc:
        out["error"] = _first_line(exc)
        return out
    out["graceful_timeout"] = cfg["graceful_timeout"]
    out["workers"] = cfg["workers"]
    srv = None
    try:
        srv = gunicorn_conf.start_with_config(lab, path, DEFAULT_ASGI, timeout=20)
        gunicorn_lab.wait_workers(srv, int(cfg["workers"]), timeout=20)
        drill = shutdown.InFlight(srv.url + f"/slow?duration={SLOW_SECONDS}", n=6)
        drill.wait_sent()
        srv.send_signal(signal.SIGTERM)
        shutdown.wait_exit(srv, timeout=40)
        out["result"] = drill.result()
        out["cleaned"] = shutdown.lifespan_lines(srv.logs()).count("[lifespan] 종료: 정리 완료")
    except LabError as exc:
        out["live_error"] = _first_line(exc)
    finally:
        if srv is not None:
            srv.stop(timeout=5)
    return out


def _graceful(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _graceful_trial(tasks.text(ns, SHUTDOWN_CONF), _lab(ns))


def _g_loads(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _graceful(ns)
    if "error" in trial:
        return False, trial["error"]
    return "live_error" not in trial, trial.get("live_error", f"workers = {trial['workers']}")


def _g_range(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _graceful(ns)
    if "error" in trial:
        return False, "gunicorn이 파일을 읽지 못했다"
    grace = float(trial["graceful_timeout"])
    ok = SLOW_SECONDS < grace < OUTER_GRACE
    return ok, f"graceful_timeout = {grace:g}초 ({SLOW_SECONDS}초보다 길고 {OUTER_GRACE}초보다 짧아야 한다)"


def _g_requests(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _graceful(ns)
    if "result" not in trial:
        return False, trial.get("live_error") or trial.get("error", "띄우지 못했다")
    res = trial["result"]
    return res.failed == 0, res.verdict()


def _g_lifespan(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _graceful(ns)
    if "result" not in trial:
        return False, "띄우지 못했다"
    want = int(trial["workers"])
    return trial["cleaned"] == want, f"워커 {want}개 가운데 {trial['cleaned']}개가 정리 단계를 마쳤다"


graceful_config = Grader("체크포인트 7-2: gunicorn의 유예 시간", [
    Criterion("gunicorn이 파일을 받아들이고 뜬다", 1, _g_loads, "`gunicorn --print-config -c shutdown.conf.py …`로 확인한다."),
    Criterion("graceful_timeout이 요청(3초)보다 길고 바깥(25초)보다 짧다", 1, _g_range,
              "바깥(Docker·Kubernetes)이 먼저 SIGKILL을 보내면 서버의 유예 시간은 소용이 없다."),
    Criterion("SIGTERM 때 처리 중이던 3초짜리 요청이 모두 끝난다", 2, _g_requests,
              "`graceful_timeout`초 안에 끝나지 않은 워커는 SIGKILL로 죽고 요청은 응답 없이 끊긴다."),
    Criterion("워커마다 lifespan 정리 단계를 마친다", 1, _g_lifespan,
              "SIGKILL로 죽은 워커는 `yield` 뒤의 정리 단계를 돌지 못한다."),
])


# ---- 7-3: exec 형식 CMD ---------------------------------------------------------------

DOCKERFILE = "Dockerfile"
CHECK_TAG = "course-07/checkpoint-7-3"
STOP_GRACE = 10
"""채점기가 쓰는 `docker stop -t`의 유예 시간(초). 고친 이미지는 이보다 훨씬 빨리 멈춰야 한다."""
FAST_STOP = 6.0


@lru_cache(maxsize=8)
def _docker_trial(text: str, lab: str) -> dict[str, Any]:
    from .. import docker, dockerlab, shutdown

    path = tasks.files_dir(lab) / DOCKERFILE
    path.write_text(text, encoding="utf-8")
    out: dict[str, Any] = {}
    try:
        dockerlab.build(path.parent, CHECK_TAG, lab, dockerfile=path, progress=False)
        out["cmd"] = list(docker.require_docker().images.get(CHECK_TAG).attrs["Config"].get("Cmd") or [])
    except LabError as exc:
        out["error"] = _first_line(exc)
        return out
    container = None
    try:
        container = shutdown.run_container(CHECK_TAG, lab, name="course-07-checkpoint-7-3",
                                           env={"SECRET_KEY": "lab-only-secret-for-lesson-07-not-for-production"},
                                           timeout=30, echo=False)
        out["stop"] = shutdown.docker_stop(container, STOP_GRACE, echo=False)
    except LabError as exc:
        out["live_error"] = _first_line(exc)
    finally:
        if container is not None:
            container.stop(timeout=1)
    return out


def _docker(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _docker_trial(tasks.text(ns, DOCKERFILE), _lab(ns))


def _d_builds(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _docker(ns)
    if "error" in trial:
        return False, trial["error"]
    if "live_error" in trial:
        return False, f"빌드는 됐지만 컨테이너가 답하지 않는다: {trial['live_error']}"
    return True, f"CMD = {trial['cmd']}"


def _d_pid1(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _docker(ns)
    if "stop" not in trial:
        return False, "컨테이너를 띄우지 못했다"
    pid1 = trial["stop"].pid1
    ok = "gunicorn" in pid1.split(" -c ")[0] and not pid1.startswith(("/bin/sh", "sh ", "/bin/bash", "bash "))
    return ok, f"PID 1: {pid1}"


def _d_stop(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _docker(ns)
    if "stop" not in trial:
        return False, "컨테이너를 띄우지 못했다"
    run = trial["stop"]
    ok = run.exit_code == 0 and run.seconds < FAST_STOP
    return ok, f"docker stop -t {STOP_GRACE}: {run.seconds:.1f}초, 종료 코드 {run.exit_code}"


def _d_requests(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _docker(ns)
    if "stop" not in trial:
        return False, "컨테이너를 띄우지 못했다"
    res = trial["stop"].requests
    return res.failed == 0, res.verdict()


dockerfile_fixed = Grader("체크포인트 7-3: SIGTERM을 받는 CMD", [
    Criterion("이미지가 빌드되고 컨테이너가 /health에 답한다", 1, _d_builds, "`FROM course/sample-app:latest`에서 시작한다."),
    Criterion("PID 1이 셸이 아니라 gunicorn이다", 2, _d_pid1,
              "exec 형식(JSON 배열) `CMD [\"gunicorn\", \"-c\", …]`: 셸 형식이면 `/bin/sh -c`가 PID 1이다."),
    Criterion("docker stop이 유예 시간을 다 쓰지 않고 종료 코드 0으로 끝난다", 2, _d_stop,
              "SIGTERM을 gunicorn이 직접 받아야 드레인하고 스스로 끝난다 (137 = SIGKILL)."),
    Criterion("멈추는 동안 처리 중이던 요청이 모두 끝난다", 1, _d_requests, "그레이스풀 셧다운이 요청을 끝낸다."),
])


# ---- 7-4: 프로브 매니페스트 -----------------------------------------------------------

DRAIN_SECONDS = 20
"""이미지의 gunicorn `--graceful-timeout` (sample_app/Dockerfile)."""


MANIFEST = "deployment.yaml"


def _docs(ns: Mapping[str, Any]) -> list[dict[str, Any]]:
    return k8s.load(tasks.text(ns, MANIFEST))


def _container(ns: Mapping[str, Any]) -> dict[str, Any]:
    return k8s.first_container(_docs(ns))


def _is_deployment(ns: Mapping[str, Any]) -> tuple[bool, str]:
    try:
        docs = _docs(ns)
    except LabError as exc:
        return False, str(exc).splitlines()[0]
    kinds = [d.get("kind") for d in docs]
    return "Deployment" in kinds, "" if "Deployment" in kinds else f"문서 종류: {kinds}"


def _schema(ns: Mapping[str, Any]) -> tuple[bool, str]:
    problems = [p for d in _docs(ns) for p in k8s.schema_errors(d)]
    return not problems, "; ".join(f"{p.where}: {p.message}" for p in problems[:3])


def _path_of(probe: str, want: str) -> Callable[[Mapping[str, Any]], tuple[bool, str]]:
    def check(ns: Mapping[str, Any]) -> tuple[bool, str]:
        spec = _container(ns).get(probe) or {}
        path = (spec.get("httpGet") or {}).get("path")
        return path == want, "" if path == want else f"{probe}.httpGet.path가 {path!r}다"
    return check


def _startup(ns: Mapping[str, Any]) -> tuple[bool, str]:
    start = _container(ns).get("startupProbe")
    if not start:
        return False, "startupProbe가 없다"
    window = float(start.get("periodSeconds", 10)) * float(start.get("failureThreshold", 3))
    return window >= 30, f"시작을 {window:g}초 기다린다" + ("" if window >= 30 else " (30초 이상)")


def _prestop(ns: Mapping[str, Any]) -> tuple[bool, str]:
    sleep = k8s.prestop_seconds(_container(ns))
    ok = sleep is not None and sleep >= 5
    return ok, "preStop이 없다" if sleep is None else f"preStop sleep {sleep:g}초"


def _grace(ns: Mapping[str, Any]) -> tuple[bool, str]:
    docs = _docs(ns)
    grace = k8s.grace_seconds(docs)
    sleep = k8s.prestop_seconds(k8s.first_container(docs)) or 0
    need_s = sleep + DRAIN_SECONDS
    ok = grace >= need_s
    return ok, f"{grace:g}초 (preStop {sleep:g} + 드레인 {DRAIN_SECONDS} = {need_s:g}초 이상이어야 한다)"


probe_manifest = Grader("체크포인트 7-4: 프로브와 종료 설정", [
    Criterion("YAML로 읽히는 Deployment다", 1, _is_deployment, "`apiVersion: apps/v1`, `kind: Deployment`"),
    Criterion("Kubernetes 스키마(strict)를 통과한다", 2, _schema, "필드 이름의 철자와 숫자 타입을 확인한다."),
    Criterion("라이브니스는 의존성을 보지 않는 /health", 1, _path_of("livenessProbe", "/health"),
              "라이브니스가 DB·Redis를 보면 의존 서비스 장애로 모든 파드가 재시작된다."),
    Criterion("레디니스는 의존성을 보는 /health/ready", 1, _path_of("readinessProbe", "/health/ready"),
              "준비되지 않은 파드는 재시작하지 않고 트래픽에서만 뺀다."),
    Criterion("startupProbe가 30초 이상 기다린다", 1, _startup, "periodSeconds × failureThreshold ≥ 30"),
    Criterion("preStop이 5초 이상 잠든다", 1, _prestop, "`lifecycle: {preStop: {sleep: {seconds: 10}}}`"),
    Criterion("종료 유예 시간 ≥ preStop + 드레인(20초)", 1, _grace,
              "`terminationGracePeriodSeconds`를 preStop과 gunicorn --graceful-timeout의 합보다 길게 둔다."),
])


# ---- 7-5: Compose의 헬스 체크와 stop_grace_period ----------------------------------------

COMPOSE = "compose.yaml"
COMPOSE_PROJECT = "course-07-checkpoint-7-5"
COMPOSE_WAIT = 30
"""`up --wait`가 healthy를 기다리는 시간(초)."""
GUNICORN_GRACE = 20
"""예제 이미지의 gunicorn 유예 시간(초, `GUNICORN_GRACEFUL_TIMEOUT`). `stop_grace_period`는 이보다 길어야 한다."""


def _seconds(value: Any) -> float:
    """Compose의 기간 값(`25s`, `1m30s`, 또는 `config`가 푼 나노초 정수)을 초로."""
    import re

    if isinstance(value, (int, float)):
        return value / 1e9 if value > 1e6 else float(value)
    total = 0.0
    for num, unit in re.findall(r"([0-9.]+)(ms|us|ns|h|m|s)", str(value)):
        total += float(num) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    return total


@lru_cache(maxsize=8)
def _compose_trial(text: str, lab: str) -> dict[str, Any]:
    import json

    from .. import shutdown

    path = tasks.files_dir(lab) / COMPOSE
    path.write_text(text, encoding="utf-8")
    out: dict[str, Any] = {}
    proj = shutdown.ComposeProject(COMPOSE_PROJECT, str(path), lab)
    cfg = proj.run("config", "--format", "json", echo=False)
    if not cfg.ok:
        out["error"] = (cfg.output.strip().splitlines() or ["docker compose config 실패"])[-1]
        return out
    app = (json.loads(cfg.output[cfg.output.index("{"):]).get("services") or {}).get("app")
    if not app:
        out["error"] = "`app` 서비스가 없다"
        return out
    out["test"] = " ".join(map(str, (app.get("healthcheck") or {}).get("test") or []))
    out["grace"] = _seconds(app.get("stop_grace_period", "10s"))
    try:
        proj, up = shutdown.compose_up(path, lab, COMPOSE_PROJECT, wait_timeout=COMPOSE_WAIT, echo=False)
        out["up"] = up.ok
        out["health"], out["last"] = proj.health_log("app")
        if up.ok:
            container = proj.container("app")
            drill = shutdown.InFlight(container.url(8000, "/slow?duration=2"), n=3)
            drill.wait_sent()
            stop = proj.run("stop", "app", echo=False, timeout=90)
            out["stop_seconds"] = stop.seconds
            out["requests"] = drill.result()
            out["exit_code"] = shutdown.exit_code(container)
    except LabError as exc:
        out["live_error"] = _first_line(exc)
    finally:
        proj.stop()
    return out


def _compose(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _compose_trial(tasks.text(ns, COMPOSE), _lab(ns))


def _c_healthy(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _compose(ns)
    if "error" in trial:
        return False, f"Compose가 파일을 받아들이지 않는다: {trial['error']}"
    if "live_error" in trial:
        return False, trial["live_error"]
    ok = bool(trial.get("up")) and trial.get("health") == "healthy"
    note = f"헬스 상태 {trial.get('health')}"
    return ok, note + ("" if ok else f", 마지막 헬스 체크 출력: {trial.get('last') or '없음'}")


def _c_liveness(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _compose(ns)
    if "error" in trial:
        return False, "Compose가 파일을 받아들이지 않는다"
    test = trial["test"]
    ok = "/health" in test and "/health/ready" not in test
    return ok, f"healthcheck.test: {test or '없음'}"


def _c_grace(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _compose(ns)
    if "error" in trial:
        return False, "Compose가 파일을 받아들이지 않는다"
    grace = trial["grace"]
    return grace > GUNICORN_GRACE, f"stop_grace_period {grace:g}초 (gunicorn의 {GUNICORN_GRACE}초보다 길어야 한다)"


def _c_stop(ns: Mapping[str, Any]) -> tuple[bool, str]:
    trial = _compose(ns)
    if "requests" not in trial:
        return False, "앱이 healthy가 되지 않아 멈춰 보지 못했다"
    res = trial["requests"]
    ok = res.failed == 0 and trial["exit_code"] == 0
    return ok, f"{res.verdict()}, 종료 코드 {trial['exit_code']}"


compose_healthcheck = Grader("체크포인트 7-5: Compose의 헬스 체크와 유예 시간", [
    Criterion("docker compose up --wait이 healthy로 끝난다", 2, _c_healthy,
              "slim 이미지에는 curl이 없다: `python -c \"import urllib.request; …\"`로 부른다."),
    Criterion("헬스 체크는 라이브니스(/health)를 부른다", 1, _c_liveness,
              "레디니스(/health/ready)를 부르면 Redis 장애 하나로 `up --wait`과 기다리는 서비스가 멈춘다."),
    Criterion("stop_grace_period가 gunicorn의 유예 시간(20초)보다 길다", 1, _c_grace, "`stop_grace_period: 25s`"),
    Criterion("docker compose stop이 처리 중이던 요청을 끝내고 종료 코드 0", 1, _c_stop,
              "바깥의 유예 시간이 짧으면 Docker가 SIGKILL을 보낸다 (종료 코드 137)."),
])

"""07 레슨(헬스 체크와 그레이스풀 셧다운)의 체크포인트 채점기.

- 7-1 `readiness_check`: 학생이 쓴 Redis 레디니스 점검 함수 `check_redis(url, timeout)`를 진짜 Redis에
  돌린다. 살아 있을 때, 답하지 않는 서버일 때, 죽였을 때, 같은 포트로 다시 띄웠을 때를 차례로 본다.
- 7-2 `probe_manifest`: 학생이 쓴 Deployment YAML을 Kubernetes 스키마(strict)와 프로브·종료 규칙으로 본다.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .. import k8s
from ..errors import LabError
from ..grading import Criterion, Grader, need
from ..procs import free_port

LAB = "07_health_and_shutdown"
PROBE_TIMEOUT = 0.5
"""채점기가 `check_redis`에 넘기는 타임아웃(초). 한 번의 점검은 이것의 두 배 + 1초 안에 끝나야 한다."""

# ---- 7-1: 레디니스 점검 --------------------------------------------------------------


def _call(fn: Callable[..., Any], url: str) -> tuple[str, Any]:
    """학생 함수를 스레드에서 부르고 타임아웃 안에 끝나는지 본다: ("ok", 값) / ("raised", 설명) / ("hung", None)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn(url, PROBE_TIMEOUT)
        except BaseException as exc:  # noqa: BLE001  학생 코드가 무엇을 던지든 기록만 한다
            box["error"] = f"{type(exc).__name__}: {exc}"

    th = threading.Thread(target=target, daemon=True)
    th.start()
    th.join(PROBE_TIMEOUT * 2 + 1.0)
    if th.is_alive():
        return "hung", None
    if "error" in box:
        return "raised", box["error"]
    return "ok", box.get("value")


class _Silent:
    """연결은 받아 주지만(커널의 대기열) 아무것도 답하지 않는 서버: 타임아웃 없는 점검을 잡아낸다."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", free_port()))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


_trials: dict[int, dict[str, tuple[str, Any]]] = {}


def _trial(ns: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """살아 있음 → 답하지 않음 → 죽음 → 다시 살아남 순서로 한 번만 돌려 결과를 기억한다."""
    fn = need(ns, "check_redis")
    if not callable(fn):
        raise TypeError("`check_redis`는 `def check_redis(url, timeout): ...` 함수여야 한다.")
    key = id(fn)
    if key in _trials:
        return _trials[key]
    from ..services import start_redis

    lab = f"{ns.get('LAB', LAB)}-checkpoint"
    out: dict[str, tuple[str, Any]] = {}
    first = start_redis(lab)
    again = None
    silent = _Silent()
    try:
        out["up"] = _call(fn, first.url)
        out["silent"] = _call(fn, f"redis://127.0.0.1:{silent.port}/0")
        first.kill()
        out["down"] = _call(fn, first.url)
        again = start_redis(lab, port=first.port)
        out["back"] = _call(fn, again.url)
    finally:
        silent.close()
        first.stop()
        if again is not None:
            again.stop()
    _trials[key] = out
    return out


def _expect(step: str, want: bool, what: str) -> Callable[[Mapping[str, Any]], tuple[bool, str]]:
    def check(ns: Mapping[str, Any]) -> tuple[bool, str]:
        kind, value = _trial(ns)[step]
        if kind == "hung":
            return False, f"{what}: {PROBE_TIMEOUT * 2 + 1:g}초 안에 돌아오지 않았다 (타임아웃을 쓰지 않았다)"
        if kind == "raised":
            return False, f"{what}: 예외를 던졌다 ({value}). 점검 함수는 실패를 False로 돌려준다"
        ok = value is want or (isinstance(value, (bool, int)) and value == want)
        return ok, f"{what}: {value!r}" if not ok else ""
    return check


def _is_function(ns: Mapping[str, Any]) -> tuple[bool, str]:
    ok = callable(need(ns, "check_redis"))
    return ok, "" if ok else "함수가 아니다"


readiness_check = Grader("체크포인트 7-1: Redis 레디니스 점검", [
    Criterion("`check_redis`가 함수다", 1, _is_function,
              "`def check_redis(url, timeout): ...`로 정의한다."),
    Criterion("Redis가 살아 있으면 True", 1, _expect("up", True, "살아 있는 Redis"),
              "`redis.Redis.from_url(url, ...)`로 `ping()`을 보내고 성공하면 True를 돌려준다."),
    Criterion("답하지 않는 서버에는 타임아웃 안에 False", 2, _expect("silent", False, "답하지 않는 서버"),
              "`socket_connect_timeout=timeout, socket_timeout=timeout`을 준다: 점검이 멈춰 있으면 프로브도 멈춘다."),
    Criterion("Redis가 죽으면 예외 없이 False", 2, _expect("down", False, "죽은 Redis"),
              "`redis.exceptions.RedisError`(연결 오류, 시간 초과)를 잡아 False를 돌려준다."),
    Criterion("같은 주소로 다시 뜨면 다시 True", 1, _expect("back", True, "다시 뜬 Redis"),
              "끊긴 연결을 붙잡고 있지 않는다: 점검할 때마다 연결하거나 클라이언트가 다시 연결하게 한다."),
])


# ---- 7-2: 프로브 매니페스트 -----------------------------------------------------------

DRAIN_SECONDS = 20
"""이미지의 gunicorn `--graceful-timeout` (sample_app/Dockerfile)."""


def _docs(ns: Mapping[str, Any]) -> list[dict[str, Any]]:
    text = need(ns, "my_manifest")
    if not isinstance(text, str) or not text.strip():
        raise TypeError("`my_manifest`에 YAML을 문자열(\"\"\"…\"\"\")로 담는다.")
    return k8s.load(text)


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


probe_manifest = Grader("체크포인트 7-2: 프로브와 종료 설정", [
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

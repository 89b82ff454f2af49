"""06 레슨(Docker Compose)의 체크포인트 채점기.

- 6-1 (시작 순서 예측): 학생의 예측을 레슨이 기록한 *실제* 엔진 사건 순서(`docker events`)와 비교한다.
- 6-2 (고장 난 Compose 파일): 학생의 파일을 진짜 `docker compose`로 검사하고(`config`), 올리고(`up --wait`),
  사건 순서로 시작 조건을 확인하고, `--scale web=3`을 해 본 뒤 내린다(`down -v`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import docker, dockerlab
from ..grading import Criterion, Grader, need

LAB = dockerlab.LESSON06
SERVICES = ("db", "redis", "migrate", "app", "nginx")
GATES = ("health_status: healthy", "die")
"""이 사건이 일어나야 다음 무리가 시작할 수 있다 (헬스 체크 통과, 일회성 작업의 종료)."""


def _lab(ns: Mapping[str, Any]) -> str:
    lab = ns.get("LAB")
    return lab if isinstance(lab, str) and lab else LAB


# ---- 체크포인트 6-1: 시작 순서 예측 ------------------------------------------------

def real_waves(events: dockerlab.EventRecorder) -> list[set[str]]:
    """실제로 함께 시작한 서비스 무리들. 두 서비스의 `start` 사이에 헬스 체크 통과나 종료 사건이 없으면 한 무리다."""
    started = events.started()
    gates = sorted(e.t for e in events.events if e.action.startswith(GATES))
    waves: list[set[str]] = []
    last: float | None = None
    for svc, t in started.items():
        if last is None or any(last < g <= t for g in gates):
            waves.append(set())
        waves[-1].add(svc)
        last = t
    return waves


def _recorder(ns: Mapping[str, Any]) -> dockerlab.EventRecorder:
    rec = need(ns, "startup")
    if not isinstance(rec, dockerlab.EventRecorder) or not rec.started():
        raise TypeError("`startup`에 스택을 올릴 때의 사건 기록이 없다: 2절의 `up` 셀을 먼저 실행한다.")
    return rec


def _predicted(ns: Mapping[str, Any]) -> list[set[str]]:
    value = need(ns, "predicted_waves")
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError("`predicted_waves`는 무리(리스트)들의 리스트다. 예: [[\"a\", \"b\"], [\"c\"]]")
    waves = []
    for group in value:
        if isinstance(group, str):
            group = [group]
        waves.append({str(s).strip().lower() for s in group})
    return waves


def _covers(ns: Mapping[str, Any]) -> tuple[bool, str]:
    waves = _predicted(ns)
    names = [s for w in waves for s in w]
    missing = sorted(set(SERVICES) - set(names))
    extra = sorted(set(names) - set(SERVICES))
    twice = sorted({s for s in names if names.count(s) > 1})
    ok = not (missing or extra or twice)
    problems = [f"빠짐 {missing}" if missing else "", f"모르는 이름 {extra}" if extra else "",
                f"두 번 {twice}" if twice else ""]
    return ok, "" if ok else ", ".join(p for p in problems if p)


def _first_wave(ns: Mapping[str, Any]) -> tuple[bool, str]:
    waves, real = _predicted(ns), real_waves(_recorder(ns))
    ok = bool(waves) and waves[0] == real[0]
    return ok, f"실제로 먼저 함께 시작한 것: {', '.join(sorted(real[0]))}" if ok else \
        "실제로 처음 함께 시작한 무리와 다르다: 기다릴 조건이 없는 서비스는 누구인가?"


def _rest(ns: Mapping[str, Any]) -> tuple[bool, str]:
    waves, real = _predicted(ns), real_waves(_recorder(ns))
    ok = waves[1:] == real[1:]
    shown = " → ".join("·".join(sorted(w)) for w in real[1:])
    return ok, f"실제 순서: {shown}" if ok else "그다음 순서가 실제와 다르다: `depends_on`의 조건을 따라가 본다."


start_order = Grader("체크포인트 6-1: 시작 순서 예측", [
    Criterion("다섯 서비스를 한 번씩 적었다", 1, _covers, "db, redis, migrate, app, nginx를 한 번씩."),
    Criterion("처음 함께 시작하는 무리가 맞다", 2, _first_wave, "조건 없이 곧바로 시작하는 서비스들이 한 무리다."),
    Criterion("나머지 무리의 순서가 실제 사건 순서와 같다", 3, _rest,
              "service_healthy는 헬스 체크 통과를, service_completed_successfully는 종료 코드 0을 기다린다."),
])


# ---- 체크포인트 6-2: 고장 난 Compose 파일 ----------------------------------------------

BROKEN_COMPOSE = """\
version: "3.8"
services:
  web:
    image: ${APP_IMAGE}
    container_name: web
    ports:
      - "8000:8000"
    environment:
      SECRET_KEY: checkpoint-06-only-secret-key-0123456789
      REDIS_URL: redis://cache:6379/0
    depends_on:
      - cache
  cache:
    image: ${REDIS_IMAGE}
"""
"""체크포인트 6-2의 Compose 파일: `config`는 통과하지만 문제가 네 가지 있다."""

PROJECT = "course-06-check"


@dataclass
class _ComposeTrial:
    config_ok: bool = False
    config_error: str = ""
    warned_version: bool = False
    services: dict[str, Any] = field(default_factory=dict)
    open_ports: list[str] = field(default_factory=list)
    up_error: str = ""
    web_start: float | None = None
    cache_healthy: float | None = None
    scale_error: str = ""
    replicas: list[str] = field(default_factory=list)


_trials: dict[str, _ComposeTrial] = {}


def _override(services: Mapping[str, Any], lab: str) -> str:
    """채점기 자신의 오버라이드: 모든 것에 `course.lab` 레이블을 달고, 0.0.0.0에 여는 포트는 127.0.0.1로 바꾼다.

    (학생 파일이 호스트의 모든 주소에 포트를 열어도, 채점하는 동안에는 루프백에만 연다.)
    """
    lines = ["services:"]
    for name, spec in services.items():
        lines += [f"  {json.dumps(name)}:", f"    labels: {{course.lab: {json.dumps(lab)}}}"]
        ports = spec.get("ports") or []
        if ports:
            lines.append("    ports: !override")
            for p in ports:
                lines.append(f"      - target: {int(p['target'])}")
                lines.append("        host_ip: 127.0.0.1")
                if p.get("published"):
                    lines.append(f"        published: {json.dumps(str(p['published']))}")
    lines += ["networks:", "  default:", f"    labels: {{course.lab: {json.dumps(lab)}}}"]
    return "\n".join(lines) + "\n"


def _compose_trial(ns: Mapping[str, Any]) -> _ComposeTrial:
    text = need(ns, "fixed_compose")
    if not isinstance(text, str) or not text.strip():
        raise TypeError("`fixed_compose`에는 Compose 파일 내용을 여러 줄 문자열로 담는다.")
    if text in _trials:
        return _trials[text]
    lab = _lab(ns)
    trial = _ComposeTrial()
    _trials[text] = trial
    ws = dockerlab.workspace(lab, "checkpoint-6-2")
    from ..images import image_env

    env = {"APP_IMAGE": dockerlab.APP_IMAGE_06, "REDIS_IMAGE": image_env()["REDIS_IMAGE"]}
    try:
        dockerlab.ensure_app_image(lab)
        (ws / "compose.yaml").write_text(text)
        plain = docker.Compose(PROJECT, lab=lab, files=[ws / "compose.yaml"], env=env)
        out = plain.run("config", "--format", "json", check=False, show=False, timeout=60)
        if not out.ok or "{" not in out.output:
            trial.config_error = docker._short(out.output.strip().splitlines()[-1] if out.output.strip() else "", 160)
            return trial
        trial.config_ok = True
        trial.warned_version = "obsolete" in out.output[: out.output.index("{")]
        cfg = json.loads(out.output[out.output.index("{"):])
        trial.services = cfg.get("services", {})
        for name, spec in trial.services.items():
            for p in spec.get("ports") or []:
                if p.get("host_ip") != "127.0.0.1":
                    trial.open_ports.append(f"{name}: {p.get('host_ip') or '0.0.0.0'}:{p.get('published') or '임의'}"
                                            f"→{p.get('target')}")
        if not {"web", "cache"} <= set(trial.services):
            trial.up_error = "서비스 이름은 web과 cache를 그대로 쓴다."
            return trial
        (ws / "grader.override.yaml").write_text(_override(trial.services, lab))
        stack = docker.Compose(PROJECT, lab=lab, files=[ws / "compose.yaml", ws / "grader.override.yaml"], env=env)
        try:
            with dockerlab.EventRecorder(PROJECT) as events:
                up = stack.run("up", "-d", "--no-build", "--wait", "--wait-timeout", "90", check=False, show=False,
                               timeout=150)
            trial.web_start = events.first("web", "start")
            trial.cache_healthy = events.first("cache", "health_status: healthy")
            if not up.ok:
                trial.up_error = _reason(up.output)
                return trial
            scaled = stack.run("up", "-d", "--no-build", "--wait", "--wait-timeout", "90", "--scale", "web=3", "web",
                               check=False, show=False, timeout=150)
            if not scaled.ok:
                trial.scale_error = _reason(scaled.output)
            trial.replicas = [c.name for c in dockerlab.service_containers(PROJECT, "web")
                              if c.status() == "running" and c.health() in (None, "healthy")]
        finally:  # 출력 없이 내린다 (남은 것은 course.lab 레이블로 labs.cleanup()이 거둔다)
            stack.run("down", "-v", "--remove-orphans", "-t", "5", check=False, show=False, timeout=120)
    finally:
        ws.stop()
    return trial


def _reason(output: str) -> str:
    """Compose 출력에서 실패 이유 한 줄을 고른다."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "rror" in ln or "conflict" in ln or "already" in ln or "unique" in ln:
            return docker._short(ln.split("msg=")[-1].strip('"'), 160)
    return docker._short(lines[-1], 160) if lines else "이유를 알 수 없다"


def _cfg_ok(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _compose_trial(ns)
    return t.config_ok, "" if t.config_ok else f"`docker compose config`가 거절했다: {t.config_error}"


def _no_version(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _compose_trial(ns)
    ok = t.config_ok and not t.warned_version
    return ok, "" if ok else "Compose가 경고한다: the attribute `version` is obsolete"


def _loopback_only(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _compose_trial(ns)
    ok = t.config_ok and not t.open_ports
    return ok, "" if ok else f"모든 주소에 열린 포트: {', '.join(t.open_ports) or '설정을 읽지 못했다'}"


def _gated(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _compose_trial(ns)
    if not t.config_ok:
        return False, "설정부터 고친다."
    if t.up_error and t.web_start is None:
        return False, f"스택이 뜨지 않았다: {t.up_error}"
    if t.cache_healthy is None:
        return False, "cache에 헬스 체크가 없어 healthy 사건이 한 번도 없었다."
    ok = t.web_start is not None and t.web_start >= t.cache_healthy
    return ok, "cache가 healthy가 된 뒤에 web이 시작했다" if ok else \
        "web이 cache의 헬스 체크 통과를 기다리지 않고 시작했다 (짧은 `depends_on` 목록은 시작만 기다린다)."


def _scaled(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _compose_trial(ns)
    if not t.config_ok:
        return False, "설정부터 고친다."
    if t.up_error:
        return False, f"스택이 뜨지 않았다: {t.up_error}"
    ok = len(t.replicas) == 3 and not t.scale_error
    return ok, "web 복제본 3개가 healthy" if ok else f"복제본 {len(t.replicas)}개. {t.scale_error}"


class _FreshGrader(Grader):
    def score(self, ns: Mapping[str, Any]) -> Any:
        _trials.clear()
        try:
            return super().score(ns)
        finally:
            _trials.clear()


fix_compose = _FreshGrader("체크포인트 6-2: 고장 난 Compose 파일 고치기", [
    Criterion("`docker compose config`가 파일을 받아들인다", 1, _cfg_ok, "YAML 들여쓰기와 키 이름을 확인한다."),
    Criterion("최상위 `version:`이 없다", 1, _no_version, "Compose v2부터 `version:`은 쓰지 않는다."),
    Criterion("호스트에 포트를 열면 127.0.0.1에만 연다", 1, _loopback_only,
              "web은 nginx 같은 입구 뒤에 두고 포트를 열지 않거나, `127.0.0.1::8000`처럼 루프백에만 연다."),
    Criterion("web은 cache가 healthy가 된 뒤에 시작한다 (실제 사건 순서)", 2, _gated,
              "cache에 `healthcheck:`(`redis-cli ping`)를 주고 `depends_on: {cache: {condition: service_healthy}}`."),
    Criterion("`--scale web=3`으로 web 복제본 3개가 healthy다", 2, _scaled,
              "`container_name`과 고정 호스트 포트는 복제본끼리 충돌한다: 둘 다 뺀다."),
])

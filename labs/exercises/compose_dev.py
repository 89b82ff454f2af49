"""연습 문제 3: 프로덕션 스택(`compose/compose.yaml`)을 확장하는 `docker-compose.dev.yml` (10 레슨, 06 레슨의 내용).

채점은 저장소를 건드리지 않는 복사본에서 한다: 작업 폴더에 `compose/`(compose.yaml, nginx, initdb)와
`sample_app/`의 복사본을 같은 모양으로 두고, 학생 파일을 `compose/docker-compose.dev.yml`로 둔다.
그래서 학생 파일의 `../sample_app` 같은 상대 경로가 그대로 통하고, 핫 리로드 검사는 복사본의 코드를 고친다.

- 설정 기준: `docker compose -f compose.yaml -f docker-compose.dev.yml config`가 받아들이는지, 합쳐진 최종 설정에
  핫 리로드(소스 바인드 마운트 + `--reload`, 또는 `develop.watch`), pgAdmin, Redis Commander, 메일 테스트 도구
  (Mailpit·Mailhog·MailDev)가 있는지, 모든 도구가 호스트의 127.0.0.1 포트로 열리는지.
- 실제 상태 기준: 합쳐진 설정으로 스택을 띄워 앱·Redis Commander·메일 도구가 호스트에서 답하는지,
  소스를 고치면 다시 빌드하지 않고 새 코드가 도는지 본다. 포트는 채점할 때 빈 포트로 바꾼다
  (여러 학생을 동시에 채점해도 부딪히지 않게). 레지스트리가 없는 교실에서는 Mailhog·Mailpit 자리에
  MailDev 대체 이미지를 같은 포트로 띄운다. pgAdmin은 대체 이미지가 없어 설정만 검사한다.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import registry
from .common import Blocked, Check, Session, run_tool, short
from ..korean import particle

TITLE = "연습 문제 3: Docker Compose 개발 환경"
ANSWER = "docker-compose.dev.yml"
REQUIRES = ("docker",)
COMPOSE_SRC = registry.PROJECT_ROOT / "compose"

PGADMIN, COMMANDER, MAIL = "pgadmin", "redis-commander", "mail"
_KINDS = {PGADMIN: ("pgadmin",), COMMANDER: ("redis-commander", "rediscommander"),
          MAIL: ("mailhog", "mailpit", "maildev")}
_UI_PORT = {"mailhog": 8025, "mailpit": 8025, "maildev": 1080, "pgadmin": 80, "redis-commander": 8081,
            "rediscommander": 8081}


def _stack(s: Session) -> Path:
    """작업 폴더에 compose/와 sample_app/의 복사본을 둔다 (학생 파일의 상대 경로가 그대로 통하게)."""
    def go() -> Path:
        from ..dockerlab import copy_app

        root = s.workdir / "stack"
        shutil.rmtree(root, ignore_errors=True)
        (root / "compose").mkdir(parents=True)
        shutil.copy2(COMPOSE_SRC / "compose.yaml", root / "compose" / "compose.yaml")
        for sub in ("nginx", "initdb"):
            if (COMPOSE_SRC / sub).is_dir():
                shutil.copytree(COMPOSE_SRC / sub, root / "compose" / sub)
        copy_app(root / "sample_app")
        (root / "compose" / ANSWER).write_text(s.answer(), encoding="utf-8")
        return root
    return s.memo("stack", go)


def _project(s: Session) -> str:
    return f"course-10-{s.slug}-ex3"


MAX_ALIASES = 50
"""YAML 별칭(`*a`)의 상한: 별칭 폭탄(billion laughs)은 Compose가 펼치며 메모리를 채운다."""
HOST_KEYS = ("pid", "ipc", "network_mode", "userns_mode", "uts", "cgroup")
FORBIDDEN_KEYS = {"privileged": "컨테이너에 호스트의 모든 권한을 준다", "cap_add": "커널 권한(capability)을 더한다",
                  "devices": "호스트 장치를 넘긴다", "device_cgroup_rules": "호스트 장치를 넘긴다",
                  "security_opt": "보안 프로필(seccomp·AppArmor)을 바꾼다", "volumes_from": "다른 컨테이너의 볼륨을 가져온다",
                  "cgroup_parent": "호스트의 cgroup을 고른다", "runtime": "컨테이너 런타임을 바꾼다",
                  "sysctls": "커널 설정을 바꾼다", "extends": "다른 파일의 서비스를 끌어온다"}
"""개발용 오버라이드에 필요 없고, 있으면 컨테이너가 호스트를 건드리거나 채점기의 파일을 읽는 키."""


def _inside(path: str, base: Path, allowed: Path) -> bool:
    p = (base / path).resolve() if not str(path).startswith("/") else Path(path).resolve()
    return p == allowed or allowed in p.parents


def policy(data: dict[str, Any], compose_dir: Path) -> list[str]:
    """학생 파일(합치기 전)을 검사한다: 호스트를 건드리는 설정, 폴더 밖의 경로, 문제 밖의 서비스."""
    import yaml

    base = yaml.safe_load((COMPOSE_SRC / "compose.yaml").read_text(encoding="utf-8")) or {}
    known = set((base.get("services") or {}))
    app_dir = (compose_dir.parent / "sample_app").resolve()
    out: list[str] = []
    for key in ("include", "secrets", "configs"):
        if key in data:
            out.append(f"최상위 `{key}`: 다른 파일을 끌어들인다 (개발용 오버라이드에는 필요 없다)")
    for name, svc in (data.get("services") or {}).items():
        if not isinstance(svc, dict):
            continue
        where = f"`{name}`"
        image = str(svc.get("image", "")).lower()
        if name not in known and not any(k in image for kinds in _KINDS.values() for k in kinds):
            out.append(f"{where}: 문제에 없는 서비스다 (pgAdmin·Redis Commander·메일 도구와 기존 서비스만)")
        for key, why in FORBIDDEN_KEYS.items():
            if key in svc:
                out.append(f"{where}의 `{key}`: {why}")
        for key in HOST_KEYS:
            if str(svc.get(key, "")).startswith(("host", "container:", "service:")):
                out.append(f"{where}의 `{key}: {svc.get(key)}`: 호스트(또는 다른 컨테이너)의 이름 공간을 쓴다")
        env_files = svc.get("env_file") or []
        for ef in env_files if isinstance(env_files, list) else [env_files]:
            path = ef.get("path") if isinstance(ef, dict) else ef
            if not _inside(str(path), compose_dir, compose_dir.resolve()):
                out.append(f"{where}의 `env_file`: 폴더 밖의 파일이다")
        build = svc.get("build")
        if build is not None:
            ctx = build if isinstance(build, str) else (build.get("context", ".") if isinstance(build, dict) else "")
            if not _inside(str(ctx), compose_dir, app_dir):
                out.append(f"{where}의 `build.context`: `../sample_app` 밖이다")
        for vol in svc.get("volumes") or []:
            if isinstance(vol, dict):
                src, kind = str(vol.get("source", "")), vol.get("type", "volume")
            else:
                src = str(vol).split(":", 1)[0]
                kind = "bind" if src.startswith((".", "/", "~", "$")) else "volume"
            if "docker.sock" in str(vol):
                out.append(f"{where}: Docker 소켓을 컨테이너에 넘긴다 (호스트의 root와 같다)")
            elif kind == "bind" and not _inside(src, compose_dir, app_dir):
                out.append(f"{where}의 볼륨 `{short(src, 40)}`: 바인드 마운트는 `../sample_app`만 쓸 수 있다")
    return out


def _yaml(s: Session) -> dict[str, Any]:
    import yaml

    def go() -> dict[str, Any]:
        text = s.answer()
        try:
            aliases = sum(1 for ev in yaml.parse(text) if isinstance(ev, yaml.AliasEvent))
            if aliases > MAX_ALIASES:
                raise Blocked(f"YAML 별칭(`*이름`)이 {aliases}개다 (상한 {MAX_ALIASES}): 별칭 폭탄은 채점하지 않는다.")
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" ({mark.line + 1}번째 줄 {mark.column + 1}번째 글자)" if mark else ""
            raise Blocked(f"YAML 문법 오류{where}: {short(getattr(exc, 'problem', None) or exc, 120)}") from None
        if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
            raise Blocked("최상위에 `services:` 사전이 없다: Compose 파일로 읽을 수 없다.")
        return data
    return s.memo("yaml", go)


def _config(s: Session) -> dict[str, Any]:
    from ..docker import compose_version
    from ..images import image_env

    def go() -> dict[str, Any]:
        data = _yaml(s)
        root = _stack(s)
        problems = policy(data, root / "compose")
        if problems:
            raise Blocked("채점기가 Compose에 넘기지 않았다 — " + "; ".join(problems[:3]))
        if compose_version() is None:
            raise Blocked("이 기계에 `docker compose`(Compose v2 이상)가 없어 합친 설정을 검사하지 못했다.")
        # 상자 안에서: 네트워크·Docker 소켓 없음, 환경 변수는 허용 목록만 (채점기의 시크릿이 치환되지 않는다)
        env = {k: v for k, v in image_env().items() if k.endswith("_IMAGE")}
        env |= {"APP_IMAGE": f"course-10-{s.slug}/ex3-app:latest", "COMPOSE_PROJECT_NAME": _project(s),
                "SECRET_KEY": "lab-only-secret-not-for-production", "COURSE_LAB": s.lab}
        argv = ["docker", "compose", "--project-directory", str(root / "compose"), "-f", str(root / "compose" / "compose.yaml"),
                "-f", str(root / "compose" / ANSWER), "config", "--format", "json"]
        done = run_tool(s, "compose-config", argv, timeout=60, memory_mb=512, readonly=[root], env=env)
        text = done.output
        if done.ok and "{" in text:
            try:
                return json.loads(text[text.index("{"):])
            except ValueError:
                pass
        lines = [ln.strip().replace(str(root), ".") for ln in text.splitlines() if ln.strip()]
        raise Blocked("`docker compose config`가 거절했다: " + short(" / ".join(lines[-2:]), 240))
    return s.need("config", go, "`docker compose config`")


def _accepted(s: Session) -> tuple[bool, str]:
    cfg = _config(s)
    return True, f"합친 설정의 서비스: {', '.join(sorted(cfg.get('services', {})))}"


def _services_of(cfg: dict[str, Any], kind: str) -> list[str]:
    out = []
    for name, svc in cfg.get("services", {}).items():
        if svc.get("build"):  # 예제 앱(app, migrate): 이미지 이름은 채점기가 정한다
            continue
        image = str(svc.get("image", "")).lower()
        if any(k in image for k in _KINDS[kind]):
            out.append(name)
    return out


def _image_kind(image: str) -> str:
    image = image.lower()
    for k in ("mailhog", "mailpit", "maildev", "pgadmin", "redis-commander", "rediscommander"):
        if k in image:
            return k
    return ""


def _published(svc: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in svc.get("ports") or [] if p.get("published")]


def _env(svc: dict[str, Any]) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _hot_reload(s: Session) -> tuple[bool, str]:
    cfg = _config(s)
    app = cfg["services"].get("app")
    if app is None:
        return False, "`app` 서비스가 없다."
    src = (_stack(s) / "sample_app").resolve()
    mounts = [v for v in app.get("volumes") or [] if v.get("type") == "bind"
              and Path(str(v.get("source", ""))).resolve() == src]
    watch = (app.get("develop") or {}).get("watch") or []
    watches_src = [w for w in watch if Path(str(w.get("path", ""))).resolve() in (src, *src.parents)
                   or str(w.get("path", "")).rstrip("/").endswith("sample_app")]
    command = " ".join(str(x) for x in (app.get("command") or []) + (app.get("entrypoint") or []))
    if watches_src:
        return True, f"develop.watch: {', '.join(str(w.get('action')) for w in watches_src)}"
    if not mounts:
        return False, "`app`에 소스 폴더(../sample_app)의 바인드 마운트가 없다: 코드를 고쳐도 컨테이너가 모른다."
    if "--reload" not in command:
        return False, "소스는 마운트했지만 `--reload`로 띄우지 않았다: 고친 코드를 다시 읽지 않는다."
    return True, f"소스 마운트 → {mounts[0].get('target')}, `--reload`"


def _tool(s: Session, kind: str, label: str) -> tuple[bool, str]:
    cfg = _config(s)
    names = _services_of(cfg, kind)
    if not names:
        return False, f"{label} 서비스가 없다 (이미지 이름으로 찾는다: {', '.join(_KINDS[kind])})."
    svc = cfg["services"][names[0]]
    env = _env(svc)
    if not _published(svc):
        return False, f"`{names[0]}`의 포트를 호스트에 열지 않았다."
    notes = []
    if kind == PGADMIN:
        missing = [k for k in ("PGADMIN_DEFAULT_EMAIL", "PGADMIN_DEFAULT_PASSWORD") if not env.get(k)]
        if missing:
            return False, f"pgAdmin은 {', '.join(missing)} 없이는 시작하지 않는다."
        from ..docker import image_exists

        try:
            present = image_exists(str(svc.get("image")))
        except Exception:
            present = False
        notes.append("설정만 검사했다: " + ("이미지가 있지만 pgAdmin은 시작이 느려 띄우지 않는다" if present else
                     "이 기계에 pgAdmin 이미지가 없고 대체 이미지도 없다"))
    if kind == COMMANDER:
        hosts = env.get("REDIS_HOSTS", "") + " " + env.get("REDIS_HOST", "")
        if "redis" not in hosts.split(":")[0] and "redis" not in hosts:
            return False, "Redis Commander가 어느 Redis를 볼지 정하지 않았다: `REDIS_HOSTS=local:redis:6379`."
    if kind == MAIL:
        kind_name = _image_kind(str(svc.get("image", "")))
        ui = _UI_PORT.get(kind_name)
        targets = {int(p.get("target", 0)) for p in _published(svc)}
        if ui and ui not in targets and not env.get("MAILDEV_WEB_PORT") and not env.get("MP_UI_BIND_ADDR"):
            return False, f"{kind_name}의 웹 화면 포트({ui})를 호스트에 열지 않았다 (열린 포트: {sorted(targets)})."
    ports = ", ".join(f"{p.get('host_ip') or '0.0.0.0'}:{p.get('published')}→{p.get('target')}" for p in _published(svc))
    return True, f"`{names[0]}` ({svc.get('image')}), 포트 {ports}" + (f" — {'; '.join(notes)}" if notes else "")


def _loopback_only(s: Session) -> tuple[bool, str]:
    import yaml

    cfg = _config(s)
    mine = set((yaml.safe_load(s.answer()) or {}).get("services", {}) or {})
    tools = {n for kind in _KINDS for n in _services_of(cfg, kind)}
    bad, opened = [], []
    for name in sorted(mine | tools):
        svc = cfg["services"].get(name) or {}
        for p in _published(svc):
            opened.append(f"{name}:{p.get('published')}")
            if p.get("host_ip") != "127.0.0.1":
                bad.append(f"{name}:{p.get('published')} ({p.get('host_ip') or '모든 인터페이스'})")
    missing = [n for n in sorted(tools | ({"app"} & mine)) if not _published(cfg["services"].get(n) or {})]
    if bad:
        return False, f"127.0.0.1이 아닌 곳에 열린 포트: {', '.join(bad)} — 교실의 다른 기계에서도 들어올 수 있다."
    if missing:
        return False, f"호스트에서 들어갈 포트가 없는 도구: {', '.join(missing)}"
    if not opened:
        return False, "호스트에 연 포트가 없다."
    return True, f"모두 127.0.0.1에만 열린다: {', '.join(opened)}"


# ---- 실제로 띄우기 ----------------------------------------------------------------

@dataclass
class Live:
    stack: Any
    ports: dict[str, int]
    skipped: dict[str, str]
    src: Path


def _runnable(s: Session, cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], dict[str, int]]:
    """합친 설정을 채점용으로 바꾼다: 빈 포트, 레이블, 없는 도구 이미지는 대체 이미지로, pgAdmin은 뺀다."""
    from ..docker import image_exists
    from ..images import image_env

    env = image_env()
    cfg = json.loads(json.dumps(cfg))
    cfg["name"] = _project(s)
    skipped: dict[str, str] = {}
    ui: dict[str, int] = {}
    services = cfg["services"]
    for name in list(services):
        svc = services[name]
        if svc.get("build"):
            # 빌드하는 서비스(app, migrate)의 태그는 채점기가 정한다: 다른 이미지 이름을 덮어쓰지 않게
            svc["image"] = f"course-10-{s.slug}/ex3-app:latest"
        kind = "" if svc.get("build") else _image_kind(str(svc.get("image", "")))
        if kind == "pgadmin":
            skipped[name] = "pgAdmin은 대체 이미지가 없어 설정만 검사했다"
            del services[name]
            continue
        image = str(svc.get("image", ""))
        if kind in ("mailhog", "mailpit", "maildev") and not image_exists(image):
            web = next((int(p["target"]) for p in _published(svc) if int(p["target"]) != 1025), _UI_PORT[kind])
            svc["image"] = env["MAILDEV_IMAGE"]
            svc.pop("entrypoint", None)
            svc.pop("command", None)
            svc.pop("healthcheck", None)
            svc["environment"] = {**_env(svc), "MAILDEV_WEB_PORT": str(web), "MAILDEV_SMTP_PORT": "1025"}
            skipped[name] = f"{image} 대신 MailDev 대체 이미지를 같은 포트({web})로 띄웠다"
        elif kind in ("redis-commander", "rediscommander") and not image_exists(image):
            svc["image"] = env["REDIS_COMMANDER_IMAGE"]
            skipped[name] = f"{image} 대신 Redis Commander 대체 이미지를 띄웠다"
        if kind:
            web = _UI_PORT[kind]
            if kind in ("mailhog", "mailpit", "maildev"):
                web = next((int(p["target"]) for p in _published(svc) if int(p["target"]) != 1025), web)
            ui[name] = web
        for p in svc.get("ports") or []:
            p["published"] = ""  # 빈 포트: 채점을 동시에 여러 개 돌려도 부딪히지 않는다
            p["host_ip"] = "127.0.0.1"
        # 채점용 한도: 메모리·프로세스 수, 권한 상승 금지 (학생 파일의 값보다 채점기의 값이 이긴다)
        # (Compose는 mem_limit과 deploy.resources.limits.memory가 함께 있고 값이 다르면 거부한다: 한 곳에만 둔다)
        for key in ("mem_limit", "memswap_limit", "pids_limit"):
            svc.pop(key, None)
        deploy = svc.get("deploy") if isinstance(svc.get("deploy"), dict) else {}
        resources = deploy.get("resources") if isinstance(deploy.get("resources"), dict) else {}
        limits = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
        limits.update({"memory": "1g", "pids": 256})
        svc["deploy"] = {**deploy, "resources": {**resources, "limits": limits}}
        svc["security_opt"] = ["no-new-privileges:true"]
        labels = svc.get("labels") or {}
        if isinstance(labels, list):
            labels = dict(item.split("=", 1) for item in labels if "=" in item)
        labels[registry.LABEL] = s.lab
        svc["labels"] = labels
        deps = svc.get("depends_on")
        if isinstance(deps, dict):
            for gone in [d for d in deps if d not in services]:
                del deps[gone]
    for name in list(services):
        deps = services[name].get("depends_on")
        if isinstance(deps, dict):
            for gone in [d for d in deps if d not in services]:
                del deps[gone]
    for section in ("networks", "volumes"):
        for obj in (cfg.get(section) or {}).values():
            if isinstance(obj, dict) and not obj.get("external"):
                obj.setdefault("labels", {})[registry.LABEL] = s.lab
    return cfg, skipped, ui


def _live(s: Session) -> Live:
    from ..docker import Compose
    from ..errors import LabError

    def go() -> Live:
        cfg, skipped, ui = _runnable(s, _config(s))
        path = s.workdir / "stack" / "compose" / "graded.json"
        path.write_text(json.dumps(cfg, ensure_ascii=False, indent=1))
        stack = Compose(_project(s), lab=s.lab, files=[path], project_dir=path.parent,
                        env={"APP_IMAGE": f"course-10-{s.slug}/ex3-app:latest"})
        s.on_cleanup(lambda: _untag(f"course-10-{s.slug}/ex3-app:latest"))  # 정리는 거꾸로: 스택을 내린 뒤
        s.on_cleanup(lambda: stack.run("down", "--remove-orphans", "-v", "-t", "3", show=False, check=False,
                                       timeout=180))
        wanted = ["app", *ui]
        try:
            stack.build(["app"], progress=False)
            stack.run("up", "-d", "--no-build", *wanted, show=False, timeout=300)
        except LabError as exc:
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
            raise Blocked("스택을 올리지 못했다: " + short(" / ".join(lines[:2] + lines[-4:]), 400)) from None
        ports: dict[str, int] = {}
        for name, target in {"app": 8000, **ui}.items():
            for _ in range(20):  # 막 시작한 컨테이너는 포트가 조금 늦게 보일 수 있다
                try:
                    ports[name] = stack.port(name, target)
                    break
                except LabError:
                    time.sleep(0.5)
        return Live(stack, ports, skipped, _stack(s) / "sample_app")
    return s.need("live", go, "개발 스택 올리기")


def _untag(tag: str) -> None:
    """채점용으로 붙인 태그만 뗀다 (층은 캐시로 남는다)."""
    from ..docker import client

    try:
        client().images.remove(tag, noprune=True)
    except Exception:
        pass


def _wait_http(port: int, path: str, timeout: float, check=None) -> tuple[bool, str]:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
                body = r.read()
                if check is None or check(body):
                    return True, f"HTTP {r.status}"
                last = "응답 내용이 아직 다르다"
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and check is None:
                return True, f"HTTP {exc.code}"
            last = f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            last = short(str(exc), 80)
        time.sleep(0.5)
    return False, last


def _app_up(s: Session) -> tuple[bool, str]:
    live = _live(s)
    port = live.ports.get("app")
    if port is None:
        return False, "`app`의 8000번 포트가 호스트에 열리지 않았다."
    ok, how = _wait_http(port, "/health", 90)
    if not ok:
        return False, f"앱이 90초 안에 /health에 답하지 않았다 ({how}): " + short(live.stack.logs("app", tail=6, show=False), 300)
    return True, f"개발 모드 앱이 호스트 포트에서 /health에 답한다 ({how})"


def _reload_works(s: Session) -> tuple[bool, str]:
    live = _live(s)
    port = live.ports.get("app")
    if port is None or not _wait_http(port, "/health", 60)[0]:
        raise Blocked("앱이 떠 있지 않아 핫 리로드를 검사하지 못했다.")
    marker = uuid.uuid4().hex[:10]
    started = time.monotonic()
    with open(live.src / "main.py", "a", encoding="utf-8") as f:
        f.write(f"\n\n# 연습 문제 3 채점: 핫 리로드 확인용 경로\n@app.get('/__reload_probe', include_in_schema=False)\n"
                f"async def _reload_probe() -> dict:\n    return {{'marker': '{marker}'}}\n")
    ok, how = _wait_http(port, "/__reload_probe", 30, check=lambda body: marker.encode() in body)
    if not ok:
        return False, "소스를 고친 지 30초가 지나도 새 코드가 돌지 않는다: 마운트 경로와 `--reload`를 확인한다."
    return True, f"소스를 고치고 {time.monotonic() - started:.1f}초 뒤 새 코드가 답했다 (이미지를 다시 빌드하지 않았다)"


def _tool_up(s: Session, kind: str, label: str) -> tuple[bool, str]:
    cfg = _config(s)
    names = _services_of(cfg, kind)
    if not names:
        raise Blocked(f"{label} 서비스가 없어 띄워 보지 못했다.")
    live = _live(s)
    name = names[0]
    port = live.ports.get(name)
    note = f" ({live.skipped[name]})" if name in live.skipped else ""
    if port is None:
        return False, f"`{name}`의 웹 화면 포트가 호스트에 열리지 않았다{note}."
    ok, how = _wait_http(port, "/", 90)
    if not ok:
        return False, f"`{name}`{particle(name, '이')} 90초 안에 답하지 않았다 ({how}){note}: " + short(
            live.stack.logs(name, tail=5, show=False), 200)
    return True, f"`{name}` 웹 화면이 127.0.0.1에서 답한다 ({how}){note}"


def criteria(s: Session) -> list[Check]:
    return [
        Check("`docker compose -f compose.yaml -f docker-compose.dev.yml config`가 받아들인다", 2,
              lambda ns: _accepted(s), "YAML 들여쓰기, 서비스 이름, 최상위 `version:`(쓰지 않는다)을 확인한다.", key="accepted"),
        Check("핫 리로드: 소스 폴더를 마운트하고 `--reload`로 띄운다 (또는 develop.watch)", 2, lambda ns: _hot_reload(s),
              "`volumes: [\"../sample_app:/app/sample_app\"]`와 `command: [\"uvicorn\", ..., \"--reload\"]`.", key="hot_reload"),
        Check("데이터베이스 관리를 위한 pgAdmin", 2, lambda ns: _tool(s, PGADMIN, "pgAdmin"),
              "`image: dpage/pgadmin4`, `PGADMIN_DEFAULT_EMAIL`·`PGADMIN_DEFAULT_PASSWORD`, 포트 80을 호스트에.", key="pgadmin"),
        Check("캐시 검사를 위한 Redis Commander", 2, lambda ns: _tool(s, COMMANDER, "Redis Commander"),
              "`image: rediscommander/redis-commander`, `REDIS_HOSTS=local:redis:6379`, 포트 8081.", key="redis_commander"),
        Check("이메일 테스트 도구 (Mailhog·Mailpit·MailDev)", 2, lambda ns: _tool(s, MAIL, "메일 테스트 도구"),
              "Mailhog는 관리가 끝났다: `axllent/mailpit`(웹 8025, SMTP 1025)이나 `maildev/maildev`(웹 1080).", key="mail"),
        Check("앱과 모든 개발 도구를 호스트의 127.0.0.1 포트로만 연다", 2, lambda ns: _loopback_only(s),
              "`\"127.0.0.1:5050:80\"`처럼 주소를 붙인다: 주소가 없으면 모든 인터페이스(LAN)에 열린다.", key="loopback_only"),
        Check("개발 스택이 실제로 뜨고 앱이 호스트 포트에서 답한다", 2, lambda ns: _app_up(s),
              "`docker compose logs app`으로 시작 오류를 본다 (명령, 마운트 경로).", live=True, key="app_up"),
        Check("소스를 고치면 다시 빌드 없이 새 코드가 돈다 (핫 리로드)", 2, lambda ns: _reload_works(s),
              "마운트 대상이 이미지의 코드 자리(/app/sample_app)와 같고, `--reload-dir`이 그곳을 보는지.", live=True, key="reload_works"),
        Check("Redis Commander가 호스트에서 답한다", 1, lambda ns: _tool_up(s, COMMANDER, "Redis Commander"),
              "컨테이너 포트 8081을 127.0.0.1에 연다.", live=True, key="redis_commander_up"),
        Check("메일 테스트 도구의 웹 화면이 호스트에서 답한다", 1, lambda ns: _tool_up(s, MAIL, "메일 테스트 도구"),
              "웹 화면 포트(Mailpit·Mailhog 8025, MailDev 1080)를 127.0.0.1에 연다.", live=True, key="mail_up"),
    ]

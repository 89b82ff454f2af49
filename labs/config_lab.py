"""12-팩터 설정 실습 도구 (08 레슨).

- `APP_PY`·`serve()`·`try_app()`: 학습자가 파일 셀로 쓴 `settings.py`와 `.env`를 **그대로** 쓰는 작은 FastAPI 앱을
  진짜 uvicorn으로 띄운다 (`cd 실습폴더 && 변수=값 uvicorn app:app …`, 실행한 명령을 `$ …`로 보여 준다).
  뜨면 `/info`를 묻고, 시작을 거부하면 종료 코드와 pydantic의 오류 줄을 돌려준다. 체크포인트도 같은 함수로 채점한다.
- `compose_try()`: 파일 셀의 `compose.yaml`로 `docker compose up`을 실제로 해 보고 `/info`, 컨테이너의 환경 변수,
  `/run/secrets`를 본다 (Compose 시크릿).
- `start_sample_app()`: 예제 애플리케이션(`sample_app`)을 실행한 명령과 함께 띄운다.
- `environ()`: 이 커널의 환경 변수를 잠깐 바꿨다가 되돌린다 (작은 Settings 클래스 실험용).
- `Workdir`: 실습용 임시 폴더. `.env`·시크릿 파일을 여기에만 쓴다: 저장소에는 절대 `.env`를 만들지 않는다.
- `read_settings()`: 새 파이썬 프로세스를 임시 폴더에서 띄워 `sample_app.config`가 실제로 읽은 값을 본다.
  환경 변수·`.env`·시크릿 폴더·초기화 인자를 마음대로 조합해 우선순위를 확인한다.
- `round_robin()`: 여러 인스턴스에 요청을 돌아가며 보낸다 (VI. 프로세스: 상태를 어디에 두는가).
- `FACTORS`: 시드의 12-팩터 표 (번호 → 이름, 원칙).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from . import registry
from .compose_project import ComposeProject
from .errors import LabError

FACTORS: dict[str, tuple[str, str]] = {
    "I": ("코드베이스", "하나의 코드베이스, 여러 배포"),
    "II": ("의존성", "의존성을 명시하고 격리한다"),
    "III": ("설정", "설정은 환경에 둔다"),
    "IV": ("백킹 서비스", "연결된 리소스로 다룬다"),
    "V": ("빌드·릴리스·실행", "세 단계를 엄격히 나눈다"),
    "VI": ("프로세스", "스테이트리스 프로세스로 실행한다"),
    "VII": ("포트 바인딩", "포트를 열어 서비스를 내보낸다"),
    "VIII": ("동시성", "프로세스 모델로 확장한다"),
    "IX": ("폐기 가능성", "빨리 뜨고 그레이스풀 셧다운으로 끝난다"),
    "X": ("개발·프로덕션 일치", "개발·스테이징·프로덕션을 비슷하게 유지한다"),
    "XI": ("로그", "로그를 이벤트 스트림으로 다룬다"),
    "XII": ("관리 프로세스", "관리 작업을 일회성 프로세스로 실행한다"),
}
"""12-팩터 앱의 열두 원칙. 시드의 표는 이 가운데 I·III·IV·VI·VII·VIII·XI을 다룬다."""


# ---- 환경 변수와 임시 폴더 --------------------------------------------------------

@contextmanager
def environ(**values: str | None) -> Iterator[None]:
    """블록 안에서만 환경 변수를 바꾼다. 값이 None이면 그 변수를 지운다. 나가면 원래대로 되돌린다.

    ```python
    with labs.config_lab.environ(APP_NAME="from-env", SECRET_KEY=None):
        print(Settings().app_name)
    ```
    """
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = str(v)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class Workdir:
    """실습용 임시 폴더 (정리 셀이 지운다). `write(".env", "...")`, `secret("secret_key", "...")`."""

    lab: str
    path: Path
    pid: None = None

    def write(self, name: str, text: str, mode: int = 0o644) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        target.chmod(mode)
        return target

    def secret(self, name: str, value: str, folder: str = "secrets") -> Path:
        """시크릿 폴더에 파일 하나를 만든다: 파일 이름 = 필드 이름, 내용 = 값 (Docker·Kubernetes 시크릿과 같은 모양)."""
        return self.write(f"{folder}/{name}", value)

    def remove(self, name: str) -> None:
        target = self.path / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)

    def stop(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        registry.unregister(self)

    def __enter__(self) -> Workdir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __str__(self) -> str:
        return f"임시 폴더 {self.path.name}"


def workdir(lab: str) -> Workdir:
    """빈 실습 폴더(`<상태 폴더>/files/<lab>/config-…`)를 만들어 등록한다 (`labs.cleanup(LAB)`이 지운다).

    커널이 도중에 죽어 남은 같은 레슨의 폴더는 새 폴더를 만들 때 먼저 지운다.
    """
    root = registry.state_dir() / "files" / lab
    root.mkdir(parents=True, exist_ok=True)
    live = {w.path for w in registry.live(lab) if isinstance(w, Workdir)}
    for stale in root.glob("config-*"):
        if stale not in live:
            shutil.rmtree(stale, ignore_errors=True)
    wd = Workdir(lab, Path(tempfile.mkdtemp(prefix="config-", dir=root)))
    wd.path.chmod(0o755)  # Compose 시크릿 실습: 컨테이너의 앱 사용자(UID 10001)가 파일에 닿아야 한다
    registry.register(wd)
    return wd


# ---- sample_app.config를 새 프로세스에서 읽기 -----------------------------------------

_READER = r"""
import json, sys
args = json.loads(sys.argv[1])
from pydantic import SecretStr
from sample_app.config import ConfigError, Settings, load_settings
try:
    if args["init"]:
        extra = {"_secrets_dir": args["secrets_dir"]} if args["secrets_dir"] else {}
        s = Settings(**args["init"], **extra)
    else:
        s = load_settings(Settings)
except ConfigError as exc:
    print(json.dumps({"error": str(exc)}, ensure_ascii=False)); sys.exit(0)
out = {}
for name in args["fields"]:
    value = getattr(s, name)
    out[name] = "**********" if isinstance(value, SecretStr) else value
print(json.dumps({"values": out}, ensure_ascii=False, default=str))
"""

_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")


def read_settings(fields: Sequence[str], *, env: Mapping[str, str] | None = None, dotenv: str | None = None,
                  secrets: Mapping[str, str] | None = None, init: Mapping[str, Any] | None = None,
                  timeout: float = 30.0) -> dict[str, Any]:
    """`sample_app.config`의 `Settings`를 새 파이썬 프로세스에서 읽어 `fields` 값을 돌려준다.

    프로세스는 깨끗한 환경(`PATH` 등만 물려받음) + `env`로 임시 폴더에서 돈다. `dotenv`를 주면 그 폴더에
    `.env`를, `secrets`를 주면 시크릿 폴더(`SECRETS_DIR`)를 만든다. 설정이 잘못되면 `{"error": 메시지}`.
    SecretStr 값은 가린다.
    """
    tmp = Path(tempfile.mkdtemp(prefix="course-settings-"))
    try:
        child_env = {k: os.environ[k] for k in _KEEP if k in os.environ}
        child_env["PYTHONPATH"] = str(registry.PROJECT_ROOT)
        secrets_dir = ""
        if secrets:
            secrets_dir = str(tmp / "secrets")
            os.mkdir(secrets_dir)
            for name, value in secrets.items():
                Path(secrets_dir, name).write_text(value)
        # 시크릿 폴더를 주지 않으면 없는 폴더를 가리켜, 기계에 /run/secrets가 있어도 섞이지 않게 한다
        child_env["SECRETS_DIR"] = secrets_dir or str(tmp / "no-secrets")
        child_env.update(env or {})
        if dotenv is not None:
            (tmp / ".env").write_text(dotenv, encoding="utf-8")
        payload = json.dumps({"fields": list(fields), "init": dict(init or {}), "secrets_dir": secrets_dir})
        done = subprocess.run([sys.executable, "-c", _READER, payload], cwd=tmp, env=child_env,
                              capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if done.returncode != 0 or not done.stdout.strip():
        raise LabError(f"❌ 설정을 읽는 프로세스가 실패했다:\n{done.stderr.strip()[-800:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data.get("values", data)


def priority_table(field_name: str = "app_name", var: str = "APP_NAME",
                   base_env: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """같은 필드를 다섯 곳(기본값, 시크릿 폴더, `.env`, 환경 변수, 초기화 인자)에 차례로 더해 가며
    실제로 이긴 값을 표로 만든다 (pydantic-settings의 우선순위)."""
    base = {"SECRET_KEY": "lab-only-secret", **(base_env or {})}
    layers = [
        ("기본값만", {}),
        ("+ 시크릿 폴더", {"secrets": {field_name: "시크릿-폴더의-값"}}),
        ("+ .env 파일", {"dotenv": f"{var}=env-파일의-값\n"}),
        ("+ 환경 변수", {"env": {var: "환경-변수의-값"}}),
        ("+ 초기화 인자", {"init": {field_name: "초기화-인자의-값"}}),
    ]
    rows, acc = [], {}
    for label, layer in layers:
        for key, value in layer.items():
            acc[key] = value
        kwargs = dict(acc)
        kwargs["env"] = {**base, **kwargs.get("env", {})}
        values = read_settings([field_name], **kwargs)
        rows.append({"설정한 곳": label, field_name: str(values.get(field_name, values.get("error", "")))})
    return rows


# ---- 여러 인스턴스 ------------------------------------------------------------------

def round_robin(urls: Sequence[str], n: int, *, method: str = "POST", path: str = "/counter",
                timeout: float = 5.0) -> list[dict[str, Any]]:
    """`urls`에 돌아가며 요청 `n`건을 보내고 응답 JSON 목록을 돌려준다 (로드 밸런서의 라운드 로빈)."""
    out = []
    with httpx.Client(timeout=timeout) as client:
        for i in range(n):
            base = urls[i % len(urls)].rstrip("/")
            r = client.request(method, base + path)
            r.raise_for_status()
            out.append({"인스턴스": i % len(urls), **r.json()})
    return out


def counter_views(urls: Sequence[str]) -> list[int]:
    """인스턴스마다 `GET /counter`가 보는 값."""
    with httpx.Client(timeout=5) as client:
        return [int(client.get(u.rstrip("/") + "/counter").json()["value"]) for u in urls]


def booted_workers(log: str) -> int:
    """gunicorn 로그의 "Booting worker" 줄 수 = 띄운 워커 수 (VIII. 동시성)."""
    return sum(1 for line in log.splitlines() if "Booting worker" in line)


def database_in_use(log: str) -> str:
    """앱 로그의 `[lifespan] 시작: 데이터베이스 연결 풀 생성 (...)` 줄에서 드라이버 이름만 꺼낸다
    (예: `postgresql+asyncpg`). 주소(경로, 호스트, 포트)는 보여 주지 않는다."""
    m = re.search(r"데이터베이스 연결 풀 생성 \(([A-Za-z0-9+]+)://", log)
    if not m:
        raise LabError("❌ 로그에 데이터베이스 연결 줄이 없다: 앱이 시작을 마쳤는지 확인한다.")
    return m.group(1)


# ---- 파일 셀의 settings.py·.env로 진짜 앱 띄우기 -------------------------------------------

APP_PY = '''\
# app.py — settings.py를 쓰는 작은 FastAPI 앱 (시드의 사용 예 그대로: lru_cache + Depends)
from functools import lru_cache

from fastapi import Depends, FastAPI

from settings import Settings


@lru_cache
def get_settings() -> Settings:
    """처음 부를 때 한 번 만들고, 그 뒤로는 같은 객체를 돌려준다."""
    return Settings()


# 불러올 때(= 시작할 때) 설정을 읽는다: 잘못된 설정은 첫 요청이 아니라 여기서 멈춘다.
print("[설정]", repr(get_settings()), flush=True)  # 시작 로그에 설정 전체를 남기는 흔한 습관
app = FastAPI()


@app.get("/info")
async def app_info(settings: Settings = Depends(get_settings)):
    return {"app": settings.app_name, "environment": settings.environment, "debug": settings.debug}
'''
"""레슨의 `%%lab_file app.py` 셀과 같은 글 (채점기는 이 글로 학습자의 `settings.py`를 띄운다)."""

_APP_KEEP = ("HOME", "LANG", "LC_ALL", "TMPDIR")
"""앱 프로세스가 이 커널에서 물려받는 환경 변수: 나머지(커널의 SECRET_KEY 따위)는 섞이지 않는다."""

_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception): ")


@dataclass
class AppRun:
    """`try_app()` 한 번의 결과: 떴는지, 종료 코드, 로그, `/info`의 응답."""

    command: str
    started: bool
    returncode: int | None
    log: str
    status: int | None = None
    info: dict[str, Any] | None = None

    def errors(self) -> list[str]:
        """시작을 거부한 까닭: pydantic 검증 오류는 `필드: 메시지 [type=…]`로 (받은 값은 빼고), 그 밖에는 마지막 오류 줄."""
        lines = self.log.splitlines()
        out: list[str] = []
        for i, line in enumerate(lines):
            if "validation error" in line and " for " in line:
                for name, msg in zip(lines[i + 1:], lines[i + 2:]):
                    if name and not name.startswith(" ") and msg.startswith("  ") and not msg.startswith("    "):
                        out.append(f"{name}: {msg.strip().split(', input_value')[0].rstrip(']')}]")
                return out
        found = [line.strip() for line in lines if _ERROR_LINE.match(line.strip())]
        return found[-1:]

    def settings_line(self) -> str:
        """앱이 시작할 때 찍은 `[설정] Settings(...)` 줄 (없으면 빈 문자열)."""
        return next((line.strip() for line in self.log.splitlines() if line.startswith("[설정]")), "")

    def show(self) -> None:
        if self.started:
            print(f"✅ 앱이 떴다: GET /info → {self.status} {json.dumps(self.info, ensure_ascii=False)}")
            if self.settings_line():
                print(f"   시작 로그: {self.settings_line()}")
        else:
            print(f"⛔ 앱이 시작을 거부했다 (종료 코드 {self.returncode})")
            for line in self.errors():
                print(f"   {line}")


def app_folder(lab: str) -> Path:
    """레슨의 파일 셀 폴더: `%%lab_file`이 쓴 `app.py`·`settings.py`·`.env`가 함께 있다."""
    from .tasks import files_dir

    return files_dir(lab)


def _app_server(lab: str, folder: Path, env: Mapping[str, str] | None, echo: bool):
    from .procs import Server, free_port

    if not (folder / "app.py").exists():
        raise LabError("❌ app.py가 없다: 위의 `%%lab_file app.py` 셀을 먼저 실행한다.")
    port = free_port()
    base = {k: os.environ[k] for k in _APP_KEEP if k in os.environ}
    # 같은 초에 다시 쓴 settings.py를 옛 .pyc로 읽지 않게 한다 (명령 줄에는 보이지 않는 실습용 설정)
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    registry.reap_stale(lab)
    return Server(name="uvicorn", argv=["uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port)],
                  lab=lab, port=port, ready_path="/docs", env={**base, **(env or {})}, cwd=folder,
                  inherit_env=False, echo=echo, echo_env=dict(env or {}))


def serve(lab: str, *, folder: str | Path | None = None, env: Mapping[str, str] | None = None,
          echo: bool = True, timeout: float = 20.0):
    """실습 폴더에서 `uvicorn app:app`을 띄운다: 그 폴더의 `settings.py`와 `.env`를 앱이 그대로 읽는다.

    환경 변수는 `env`로 준 것만 (커널의 환경은 물려주지 않는다). 실행하는 명령을 `$ cd 폴더 && 변수=값 uvicorn …`로
    먼저 보여 준다. 시작을 거부하면 로그와 함께 한국어 `LabError`."""
    srv = _app_server(lab, Path(folder) if folder else app_folder(lab), env, echo)
    return srv.start(timeout=timeout)


def try_app(lab: str, *, folder: str | Path | None = None, env: Mapping[str, str] | None = None,
            echo: bool = True, show: bool = True, timeout: float = 20.0) -> AppRun:
    """앱을 띄워 본다: 뜨면 `GET /info`를 묻고 멈추고, 시작을 거부하면 종료 코드와 오류 줄을 모은다."""
    from .procs import command_line

    srv = _app_server(lab, Path(folder) if folder else app_folder(lab), env, echo)
    command = command_line(srv.argv, srv.echo_env, srv.cwd)
    try:
        srv.start(timeout=timeout)
    except LabError:
        run = AppRun(command, False, srv.returncode, srv.logs())
    else:
        try:
            resp = httpx.get(srv.url + "/info", timeout=5)
            try:
                info = resp.json()
            except ValueError:
                info = {"본문": resp.text[:200]}
            run = AppRun(command, True, None, srv.logs(), resp.status_code, info)
        finally:
            srv.stop(timeout=5)
        run.log = srv.logs()
    if show:
        run.show()
    return run


def write_secret_file(lab: str, name: str = "secret_key.txt", *, folder: str | Path | None = None,
                      value: str | None = None, show: bool = True) -> Path:
    """Compose 시크릿으로 넘길 파일을 만든다 (값을 주지 않으면 `secrets.token_hex(32)`, 64자).

    Compose의 파일 시크릿은 호스트 파일을 그대로 마운트하므로 컨테이너의 앱 사용자(UID 10001)가 읽을 수 있게
    644로 연다. 실습 전용 값이라 이렇게 한다: 진짜 시크릿은 권한을 정해 마운트하는 Swarm·Kubernetes 쪽을 쓴다."""
    import secrets as _secrets

    target = Path(folder) if folder else app_folder(lab)
    path = target / name
    path.write_text(value if value is not None else _secrets.token_hex(32))
    path.chmod(0o644)
    if show:
        from .procs import display_path

        print(f"🔑 {display_path(str(path))}에 무작위 시크릿 {len(path.read_text())}자를 썼다 (권한 644)")
    return path


@dataclass
class ComposeRun:
    """`compose_try()` 한 번의 결과."""

    command: str
    ok: bool
    error: str = ""
    info: dict[str, Any] | None = None
    env: list[str] | None = None
    secret_files: list[str] | None = None

    def env_names(self) -> list[str]:
        return [item.split("=", 1)[0] for item in self.env or []]

    def show(self) -> None:
        if not self.ok:
            print(f"⛔ 스택이 뜨지 않았다: {self.error}")
            return
        print(f"✅ 앱이 떴다: GET /info → 200 (environment={(self.info or {}).get('environment')})")
        print("   컨테이너 안의 /run/secrets:", ", ".join(self.secret_files or []) or "(없음)")
        leaked = [item for item in self.env or [] if item.startswith("SECRET_KEY=")]
        print("   docker inspect의 환경 변수:", leaked[0] if leaked else "SECRET_KEY 없음")


def compose_try(lab: str, *, folder: str | Path | None = None, project: str = "course-08-secrets",
                echo: bool = True, show: bool = True, keep: bool = False, timeout: float = 45.0) -> ComposeRun:
    """폴더의 `compose.yaml`로 `docker compose up -d`를 해 보고 `/info`, `docker inspect`의 환경 변수,
    컨테이너 안의 `/run/secrets`를 본 뒤 내린다 (`keep=True`면 남겨 두고 `labs.cleanup()`이 내린다)."""
    import time

    from .docker import client
    from .shell import run

    target = Path(folder) if folder else app_folder(lab)
    stack = ComposeProject(project, "compose.yaml", lab, cwd=target, flags=())
    env = {"COURSE_LAB": lab}
    stack.down(grace=0)
    registry.register(stack)
    up = run(stack.argv("up", "-d"), cwd=target, env=env, echo=echo, show=False, check=False, timeout=120)
    from .procs import command_line

    result = ComposeRun(command_line(stack.argv("up", "-d"), env, target), False)
    try:
        if up.returncode != 0:
            result.error = (up.output.strip().splitlines() or ["docker compose up 실패"])[-1]
            return result
        found = client().containers.list(all=True, filters={"label": [
            f"com.docker.compose.project={project}", "com.docker.compose.service=app"]})
        if not found:
            result.error = "app 서비스의 컨테이너가 없다"
            return result
        container = found[0]
        ports = (container.attrs.get("NetworkSettings", {}).get("Ports") or {}).get("8000/tcp") or []
        if not ports:
            result.error = "app의 8000번 포트가 호스트에 열려 있지 않다 (`ports:`를 확인한다)"
            return result
        url = f"http://127.0.0.1:{ports[0]['HostPort']}"
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            container.reload()
            if container.status == "exited":
                tail = container.logs(tail=5).decode(errors="replace").strip().splitlines()
                result.error = f"컨테이너가 종료됐다: {tail[-1] if tail else ''}"
                return result
            try:
                status = httpx.get(url + "/info", timeout=2).status_code
                if status == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        if status != 200:
            result.error = f"{timeout:.0f}초 안에 /info가 200으로 답하지 않았다"
            return result
        result.info = httpx.get(url + "/info", timeout=5).json()
        result.env = list(container.attrs.get("Config", {}).get("Env") or [])
        listing = container.exec_run(["sh", "-c", "ls /run/secrets 2>/dev/null"])
        result.secret_files = listing.output.decode(errors="replace").split()
        result.ok = True
        return result
    finally:
        if not keep:
            stack.stop()
        if show:
            result.show()


def start_sample_app(lab: str, env: Mapping[str, str] | None = None, *, echo: bool = True):
    """예제 애플리케이션(`uvicorn sample_app.main:app`)을 빈 포트에 띄운다. `echo=True`면 실행하는 명령 줄과
    `env`로 준 환경 변수를 먼저 보여 준다 (실습용 기본값 `labs.app_env()`는 명령 줄에 적지 않는다)."""
    from .procs import app_env, free_port, start_process

    port = free_port()
    argv = ["uvicorn", "sample_app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    return start_process("uvicorn", argv, lab, port=port, env=app_env(lab, **dict(env or {})), echo=echo,
                         echo_env=dict(env or {}))


def docker_run(lab: str, image: str, env: Mapping[str, str], *, echo: bool = True):
    """`docker run -d -e 변수=값 … -p 127.0.0.1::8000 이미지`를 실제 docker CLI로 실행하고 컨테이너를 돌려준다
    (등록부에 적혀 `labs.cleanup()`이 지운다). 실행한 명령을 `$ …`로 먼저 보여 준다."""
    from .docker import Container, client
    from .shell import run

    argv = ["docker", "run", "-d", "--label", f"{registry.LABEL}={lab}"]
    for key, value in env.items():
        argv += ["-e", f"{key}={value}"]
    argv += ["-p", "127.0.0.1::8000", image]
    done = run(argv, echo=echo, show=False, timeout=60)
    container = Container(client().containers.get(done.output.strip().splitlines()[-1]), lab)
    registry.register(container)
    return container


def fresh_app_folder(lab: str) -> None:
    """실습 폴더의 파일(지난 실행이 남긴 `settings.py`·`.env`·`compose.yaml` …)을 지운다: 앱은 이 폴더의 `.env`를
    읽으므로, 남은 `.env`가 이번 실행의 결과를 바꾸지 않게 한다. 폴더(`config-…`, `checkpoint-…`)는 그대로 둔다."""
    folder = app_folder(lab)
    for item in folder.iterdir():
        if item.is_file() or item.is_symlink():
            item.unlink()
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)

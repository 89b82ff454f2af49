"""12-팩터 설정 실습 도구 (08 레슨).

- `environ()`: 이 커널의 환경 변수를 잠깐 바꿨다가 되돌린다 (작은 Settings 클래스 실험용).
- `Workdir`: 실습용 임시 폴더. `.env`·시크릿 파일을 여기에만 쓴다: 저장소에는 절대 `.env`를 만들지 않는다.
- `read_settings()`: 새 파이썬 프로세스를 임시 폴더에서 띄워 `sample_app.config`가 실제로 읽은 값을 본다.
  환경 변수·`.env`·시크릿 폴더·초기화 인자를 마음대로 조합해 우선순위를 확인한다.
- `round_robin()`: 여러 인스턴스에 요청을 돌아가며 보낸다 (VI. 프로세스: 상태를 어디에 두는가).
- `secrets_stack()`: Compose 시크릿(`/run/secrets/secret_key`)으로 SECRET_KEY를 받는 작은 스택.
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


# ---- Compose 시크릿 ------------------------------------------------------------------

SECRETS_COMPOSE = """\
# 08 레슨: Compose 시크릿으로 SECRET_KEY를 넘긴다. 환경 변수 SECRET_KEY는 주지 않는다.
services:
  app:
    image: ${APP_IMAGE:-course/sample-app:latest}
    environment:
      ENVIRONMENT: staging   # 이미지의 기본값(development)이 아니면 이 파일의 설정이 들어간 것이다
      WEB_CONCURRENCY: "1"
    secrets:
      - secret_key        # 컨테이너 안의 /run/secrets/secret_key 가 된다
    ports:
      - "127.0.0.1::8000"
    labels:
      course.lab: ${COURSE_LAB:-manual}

networks:
  default:
    labels:
      course.lab: ${COURSE_LAB:-manual}

secrets:
  secret_key:
    file: ./secret_key.txt
"""


def secrets_stack(lab: str, secret: str, *, image: str = "course/sample-app:latest", project: str | None = None):
    """임시 폴더에 Compose 파일과 시크릿 파일을 쓰고 `labs.docker.Compose`를 돌려준다 (아직 띄우지 않는다)."""
    from .docker import Compose

    wd = workdir(lab)
    wd.write("compose.yaml", SECRETS_COMPOSE)
    # Compose의 파일 시크릿은 호스트 파일을 그대로 마운트하므로 컨테이너의 앱 사용자(UID 10001)가 읽을 수 있어야
    # 한다. 실습 전용 값이라 이렇게 연다: 진짜 시크릿은 Swarm·Kubernetes처럼 권한을 정해 마운트하는 쪽을 쓴다.
    wd.write("secret_key.txt", secret, mode=0o644)
    return Compose(project or f"course-{lab}-secrets", lab=lab, files=[wd.path / "compose.yaml"],
                   env={"APP_IMAGE": image}), wd


def show_compose_file(text: str = SECRETS_COMPOSE) -> None:
    print(text.rstrip())


def database_in_use(log: str) -> str:
    """앱 로그의 `[lifespan] 시작: 데이터베이스 연결 풀 생성 (...)` 줄에서 드라이버 이름만 꺼낸다
    (예: `postgresql+asyncpg`). 주소(경로, 호스트, 포트)는 보여 주지 않는다."""
    m = re.search(r"데이터베이스 연결 풀 생성 \(([A-Za-z0-9+]+)://", log)
    if not m:
        raise LabError("❌ 로그에 데이터베이스 연결 줄이 없다: 앱이 시작을 마쳤는지 확인한다.")
    return m.group(1)

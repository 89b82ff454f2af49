"""Docker 실습 도구: 이미지 빌드, 컨테이너 실행, Compose 스택 (05·06 레슨).

- 엔진 작업(빌드, 실행, 검사, exec, 로그)은 Docker SDK for Python으로 한다.
- 스택은 진짜 `docker compose` CLI(v2 이상)로 올리고 내린다: Compose를 흉내 내지 않는다.
- 켠 것은 모두 `course.lab=<레슨>` 레이블을 달고 등록부에 적힌다. `labs.cleanup()`은 커널을
  재시작한 뒤에도 레이블로 컨테이너·네트워크·볼륨을 찾아 치운다 (이미지는 캐시라 남긴다).
- 포트는 항상 127.0.0.1에만 연다. 클라이언트는 루프백으로만 접속한다 (컨테이너 IP는 쓰지 않는다).
- 모든 기다림에는 타임아웃과 한국어 오류가 있다. 자식 프로세스의 출력은 파이썬이 받아 출력한다.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import registry
from .errors import Explanation, LabError, explain, port_in_use
from .korean import particle

try:  # Docker SDK가 없어도 모듈은 import된다: 그때는 engine_status()가 이유를 알려 준다.
    import docker as _sdk
    import docker.errors as _sdk_errors
    from docker.utils.build import create_archive, exclude_paths
except ImportError:  # pragma: no cover - 의존성 목록에 있지만 Binder 등에서 빠질 수 있다
    _sdk = None
    _sdk_errors = None

LABEL = registry.LABEL
COMPOSE_DIR = registry.PROJECT_ROOT / "compose"
HEARTBEAT_SECONDS = 3.0
"""출력이 이만큼 끊기면 '기다리는 중' 줄을 찍는다 (nbval은 메시지 사이를 5초만 기다린다)."""

_ENGINE_DOWN = Explanation(
    "Docker 엔진(dockerd)에 연결할 수 없다: 엔진이 꺼져 있거나 설치되지 않았다.",
    "`make docker`(= `bash scripts/docker-engine.sh`)로 엔진을 켠 뒤 `labs.doctor()`로 다시 확인한다. "
    "Docker 없이도 다른 레슨은 실행된다 (Docker 셀만 건너뛴다).")
_NO_PERMISSION = Explanation(
    "Docker 소켓에 접근할 권한이 없다.",
    "사용자를 `docker` 그룹에 넣고(`sudo usermod -aG docker $USER`) 다시 로그인한다.")
_DOCKER_REFUSED = Explanation(
    "Docker 엔진이 요청을 거절했다 (이름·네트워크·볼륨 충돌, 잘못된 설정 등).",
    "아래 엔진의 오류 메시지를 확인한다. 이전 실습이 남긴 것이면 `labs.cleanup()` 뒤 다시 실행한다.")
_PORT_BUSY = re.compile(r"port is already allocated|address already in use|bind: .*in use", re.I)
_HOST_PORT = re.compile(r"(?:127\.0\.0\.1|0\.0\.0\.0|\[::\]|::)?:(\d+)(?:\D|$)")


# ---- 엔진 -----------------------------------------------------------------

_client: Any = None
_client_key: tuple[str | None, str | None] | None = None


def _env_key() -> tuple[str | None, str | None]:
    return os.environ.get("DOCKER_HOST"), os.environ.get("DOCKER_CONTEXT")


def client(timeout: int = 120) -> Any:
    """Docker SDK 클라이언트 (05 레슨). 연결할 수 없으면 한국어 `LabError`를 낸다."""
    global _client, _client_key
    if _sdk is None:
        raise LabError(Explanation("파이썬 패키지 `docker`(Docker SDK)가 설치되지 않았다.",
                                   "`make lab`으로 환경을 갱신한다.").render("Docker SDK를 찾을 수 없다"))
    if _client is not None and _client_key == _env_key():
        try:
            _client.ping()  # 유닉스 소켓으로 몇 ms: 엔진이 도중에 꺼져도 한국어 오류로 알린다
            return _client
        except Exception as exc:
            _client = None
            raise _engine_error(exc) from exc
    try:
        c = _sdk.from_env(timeout=timeout)
        c.ping()
    except Exception as exc:  # SDK는 연결 실패를 여러 예외로 낸다
        raise _engine_error(exc) from exc
    _client, _client_key = c, _env_key()
    return c


def _engine_error(exc: BaseException) -> LabError:
    text = str(exc)
    why = _NO_PERMISSION if "Permission denied" in text else _ENGINE_DOWN
    return LabError(why.render("Docker 엔진에 연결할 수 없다", text[-300:]))


def engine_status() -> tuple[bool, str]:
    """Docker 엔진이 응답하는지와 그 설명(한국어)을 돌려준다 (`labs.doctor()`와 05 레슨).

    예: `(True, "엔진 20.10.24, 저장 드라이버 overlay2")`, `(False, "엔진에 연결할 수 없다: …")`.
    """
    global _client
    try:
        _client = None  # 상태 점검은 캐시를 믿지 않는다: 엔진이 방금 꺼졌을 수 있다.
        c = client(timeout=10)
        info = c.info()
    except LabError as exc:
        return False, str(exc).splitlines()[1].replace("원인:", "").strip()
    except Exception as exc:  # noqa: BLE001  상태 점검: 어떤 실패든 ❌ 줄의 설명이 된다
        return False, f"엔진 정보를 읽지 못했다: {exc}"
    return True, f"엔진 {info.get('ServerVersion', '?')}, 저장 드라이버 {info.get('Driver', '?')}"


def require_docker() -> Any:
    """Docker가 없으면 한국어 안내와 함께 멈춘다. 있으면 SDK 클라이언트를 돌려준다 (05 레슨 첫 셀)."""
    return client()


_compose_seen: str | None = None


def compose_version() -> str | None:
    """`docker compose version --short` (예: "5.6.1"). Compose v2+ 플러그인이 없으면 None."""
    global _compose_seen
    if _compose_seen:
        return _compose_seen
    try:
        out = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True, text=True,
                             timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return None
    v = out.stdout.strip().lstrip("v")
    if out.returncode == 0 and v[:1].isdigit() and int(v.split(".")[0]) >= 2:
        _compose_seen = v  # 한 번 찾으면 기억한다: Compose 명령마다 플러그인을 다시 묻지 않는다
        return v
    return None


def buildkit_available() -> bool:
    """BuildKit(buildx)을 쓸 수 있는지. 없으면 기존 빌더만 쓴다: 캐시 마운트(`RUN --mount`)는 못 쓴다."""
    try:
        out = subprocess.run(["docker", "buildx", "version"], capture_output=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0


# ---- 출력: 진행 줄, 접히는 로그 -------------------------------------------

def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def show_log(title: str, lines: Sequence[str]) -> None:
    """긴 로그를 노트북에서는 접힌 블록(<details>)으로, 터미널에서는 건너뛴다."""
    if not lines or not _in_notebook():
        return
    from IPython.display import HTML, display

    body = html.escape("\n".join(lines[-2000:]))
    display(HTML(f"<details><summary>{html.escape(title)} ({len(lines)}줄)</summary>"
                 f"<pre style='max-height:30em;overflow:auto'>{body}</pre></details>"))


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# ---- 빌드 -----------------------------------------------------------------

@dataclass
class BuildResult:
    """`build()`의 결과: 이미지 크기, 레이어 수, 걸린 시간, 캐시를 쓴 단계 수, 전체 로그."""

    tag: str
    image_id: str
    seconds: float
    size: int
    layers: int
    steps: int
    cached: int
    log: list[str] = field(default_factory=list, repr=False)

    @property
    def size_mb(self) -> float:
        return self.size / 1e6

    def __str__(self) -> str:
        return (f"✅ 이미지 {self.tag}: {self.size_mb:.0f}MB, 레이어 {self.layers}개, {self.seconds:.1f}초 "
                f"(단계 {self.steps}개 중 캐시 사용 {self.cached}개)")


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
CA_FILE_IN_CONTEXT = ".course-ca.pem"
"""빌드 컨텍스트에 끼워 넣는 추가 CA 묶음의 이름. Dockerfile이 있으면 쓰고 없으면 건너뛴다."""


def _dockerignore(path: Path) -> list[str]:
    f = path / ".dockerignore"
    if not f.exists():
        return []
    return [ln.strip() for ln in f.read_text().splitlines() if ln.strip() and not ln.strip().startswith("#")]


def _context(path: Path, dockerfile: Path, extra: Mapping[str, str]) -> tuple[Any, str]:
    """.dockerignore를 지킨 빌드 컨텍스트 tar를 만든다. `extra` 파일(예: CA 묶음)을 더한다."""
    try:
        rel = dockerfile.resolve().relative_to(path.resolve()).as_posix()
        inside = True
    except ValueError:
        # 컨텍스트 밖의 Dockerfile은 컨텍스트에 넣어 보낸다. 이름은 내용에서 만든다: 무작위 이름이면 `COPY . .`의
        # 캐시가 매번 깨진다. docker CLI처럼 .dockerignore에도 적어 이미지 안으로는 복사되지 않게 한다.
        text = dockerfile.read_text()
        rel, inside = f".dockerfile.{hashlib.sha1(text.encode()).hexdigest()[:12]}", False
    patterns = _dockerignore(path)
    files = sorted(exclude_paths(str(path), patterns, dockerfile=rel))
    extra_files = [(name, text) for name, text in extra.items()]
    if not inside:
        files = [f for f in files if f != ".dockerignore"]
        extra_files.append((".dockerignore", "\n".join([*patterns, rel, ".dockerignore"]) + "\n"))
        extra_files.append((rel, text))
    return create_archive(str(path), files=files, extra_files=extra_files), rel


def _default_buildargs(dockerfile_text: str) -> dict[str, str]:
    """Dockerfile이 선언한 ARG 가운데 이미지 키트가 정한 값(예: PYTHON_IMAGE)을 채운다."""
    from .images import image_env

    declared = set(_ARG.findall(dockerfile_text))
    return {k: v for k, v in image_env().items() if k in declared}


def _needs_extra_ca(buildargs: Mapping[str, str]) -> bool:
    """기반 이미지가 모두 대체 이미지(course-offline/…)면 CA를 넣지 않는다: 그 이미지들은 이미 믿는다."""
    bases = [v for k, v in buildargs.items() if k.endswith("_IMAGE")]
    return not bases or not all(v.startswith("course-offline/") for v in bases)


def build(path: str | Path, tag: str, lab: str, *, dockerfile: str | Path | None = None,
          buildargs: Mapping[str, str] | None = None, target: str | None = None, nocache: bool = False,
          labels: Mapping[str, str] | None = None, progress: bool = True, extra_ca: bool | None = None,
          timeout: float = 1800) -> BuildResult:
    """이미지를 빌드하며 진행 상황을 보여 준다 (05 레슨: 다단계 빌드, 레이어 캐시).

    - `path`: 빌드 컨텍스트 폴더, `dockerfile`: 기본은 `path/Dockerfile` (컨텍스트 밖이어도 된다).
    - Dockerfile의 `ARG PYTHON_IMAGE` 같은 값은 `python -m labs.images prepare`가 고른 이미지로 채운다.
    - 추가 CA가 있고(사내 프록시, CI) 기반 이미지가 공식 이미지면 컨텍스트에 `.course-ca.pem`으로 넣는다
      (`extra_ca=None`, 기본). 대체 이미지(course-offline/…)는 이미 그 CA를 믿으므로 넣지 않는다.
    - 실패하면 실패한 단계와 그 단계의 출력을 담은 한국어 `LabError`를 낸다.
    """
    c = require_docker()
    path = Path(path)
    df = Path(dockerfile) if dockerfile else path / "Dockerfile"
    if not df.is_absolute() and dockerfile is not None and not df.exists():
        df = path / df
    if not df.exists():
        raise LabError(explain("No such file").render(f"Dockerfile을 찾을 수 없다: {df.name}"))
    text = df.read_text()
    args = {**_default_buildargs(text), **(buildargs or {})}
    extra: dict[str, str] = {}
    if extra_ca is None:
        extra_ca = _needs_extra_ca(args)
    if extra_ca:
        from .images import extra_ca_pem

        pem = extra_ca_pem()
        if pem:
            extra[CA_FILE_IN_CONTEXT] = pem
    ctx, df_rel = _context(path, df, extra)
    all_labels = {"course.built-by": "labs", **(labels or {})}
    start = time.monotonic()
    log: list[str] = []
    steps = cached = 0
    step_start = 0
    image_id = ""
    pending = ""
    if progress:
        print(f"🔨 {tag} 빌드 시작 (컨텍스트 {path.name}/, {df.name})", flush=True)
    try:
        stream = c.api.build(fileobj=ctx, custom_context=True, tag=tag, dockerfile=df_rel, buildargs=args,
                             target=target, nocache=nocache, rm=True, forcerm=True, decode=True,
                             labels=all_labels, timeout=int(timeout))
        last_print = time.monotonic()
        for chunk in _with_deadline(stream, start + timeout, f"{tag} 빌드"):
            if "error" in chunk:
                if pending.strip():
                    log.append(pending)
                detail = "\n".join(log[step_start:][-30:])
                step = log[step_start] if step_start < len(log) else ""
                if progress:
                    show_log(f"{tag} 빌드 로그 (실패)", log)
                raise LabError(_explain_build(chunk["error"] + detail).render(
                    f"이미지 {tag} 빌드가 실패했다: {_short(step, 90)}", detail + "\n" + chunk["error"].strip()))
            if "aux" in chunk and "ID" in chunk["aux"]:
                image_id = chunk["aux"]["ID"]
            # 출력은 줄 중간에서 잘려 올 수 있다: 줄바꿈이 올 때까지 모았다가 한 줄로 처리한다.
            pending += _ANSI.sub("", chunk.get("stream", ""))
            *complete, pending = pending.split("\n")
            for raw_line in complete:
                line = raw_line.rstrip("\r").split("\r")[-1]  # 진행 막대(\r로 덮어쓰기)는 마지막 모습만
                if not line.strip():
                    continue
                log.append(line)
                m = re.match(r"Step (\d+)/(\d+) : (.*)", line)
                if m:
                    steps, step_start = int(m.group(2)), len(log) - 1
                    if progress:
                        print(f"  [{m.group(1)}/{m.group(2)}] {_short(m.group(3), 100)}", flush=True)
                        last_print = time.monotonic()
                elif "Using cache" in line:
                    cached += 1
                elif progress and time.monotonic() - last_print > HEARTBEAT_SECONDS:
                    print(f"      … {int(time.monotonic() - start)}초: {_short(line, 90)}", flush=True)
                    last_print = time.monotonic()
    except (_sdk_errors.APIError, _sdk_errors.DockerException) as exc:  # type: ignore[union-attr]
        raise LabError(_explain_build(str(exc)).render(f"이미지 {tag} 빌드가 실패했다", str(exc))) from exc
    finally:
        ctx.close()
    image = c.images.get(tag)
    seconds = time.monotonic() - start
    result = BuildResult(tag, image_id or image.id, seconds, int(image.attrs.get("Size", 0)),
                         len(image.attrs.get("RootFS", {}).get("Layers", [])), steps, cached, log)
    if progress:
        print(result, flush=True)
        show_log(f"{tag} 빌드 로그", log)
    return result


_BUILD_FAILED = Explanation("Dockerfile의 한 단계가 오류로 끝났다.",
                            "아래 로그에서 실패한 명령의 출력을 확인하고 Dockerfile을 고친 뒤 다시 빌드한다.")
_BUILD_PATTERNS: list[tuple[re.Pattern[str], Explanation]] = [
    (re.compile(r"CERTIFICATE_VERIFY_FAILED|self[- ]signed certificate|unable to get local issuer|"
                r"UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN", re.I),
     Explanation("빌드 안의 pip·npm이 패키지 저장소의 인증서를 믿지 못한다 (TLS를 가로채는 사내 프록시).",
                 "프록시의 CA 인증서를 `COURSE_EXTRA_CA=파일.pem`으로 주고 `labs.docker.build()`로 다시 빌드한다.")),
    (re.compile(r"Temporary failure in name resolution|Could not resolve|Name or service not known|"
                r"ENOTFOUND|EAI_AGAIN|Network is unreachable|Connection refused", re.I),
     Explanation("빌드 안에서 패키지 저장소(PyPI·npm·Debian)에 닿지 못한다.",
                 "네트워크와 프록시 설정을 확인한다. 레지스트리만 막혔다면 "
                 "`python -m labs.images prepare`를 먼저 실행한다.")),
    (re.compile(r"No matching distribution|Could not find a version|ETARGET|notarget", re.I),
     Explanation("요구한 패키지 버전이 저장소에 없다 (철자, 버전, 파이썬·노드 버전 호환).",
                 "requirements.txt나 package.json의 이름과 버전을 확인한다.")),
    (re.compile(r"pull access denied|manifest unknown|repository does not exist|registry-1\.docker\.io", re.I),
     Explanation("FROM의 기반 이미지가 로컬에 없고 레지스트리에서 받을 수도 없다.",
                 "`python -m labs.images prepare`로 이미지를 준비한 뒤 `labs.docker.build()`로 빌드한다 "
                 "(기반 이미지 ARG를 준비된 이미지로 채운다).")),
]


def _explain_build(text: str) -> Explanation:
    for pattern, explanation in _BUILD_PATTERNS:
        if pattern.search(text):
            return explanation
    return _BUILD_FAILED


def _with_deadline(it: Iterable[dict], deadline: float, what: str) -> Iterator[dict]:
    """SDK 스트림을 타임아웃 안에서만 읽는다 (읽기 자체는 SDK 타임아웃이 끊는다)."""
    for item in it:
        yield item
        if time.monotonic() > deadline:
            raise LabError(f"❌ {what}{particle(what, '이')} 타임아웃을 넘겼다.\n   해결: 네트워크(패키지 저장소 접근)와 "
                           f"Dockerfile의 오래 걸리는 단계를 확인한다.")


def image_exists(tag: str) -> bool:
    """이미지가 로컬에 있는지."""
    try:
        require_docker().images.get(tag)
        return True
    except _sdk_errors.ImageNotFound:  # type: ignore[union-attr]
        return False


def image_size(tag: str) -> int:
    """이미지 크기(바이트, 압축 풀린 크기) (05 레슨: slim과 full 비교)."""
    try:
        return int(require_docker().images.get(tag).attrs.get("Size", 0))
    except _sdk_errors.ImageNotFound as exc:  # type: ignore[union-attr]
        raise LabError(explain("No such image").render(f"이미지 {tag}{particle(tag, '이')} 없다")) from exc


def history(tag: str) -> list[dict[str, Any]]:
    """이미지의 레이어 이력을 표로 쓸 수 있는 dict 목록으로 돌려준다 (05 레슨: 레이어와 캐시).

    각 항목: `instruction`(만든 명령), `size_mb`, `layer`(파일시스템 레이어를 만들었는지).
    """
    rows = require_docker().api.history(tag)
    out = []
    for row in reversed(rows):  # 오래된 것부터
        cmd = (row.get("CreatedBy") or "").replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ")
        out.append({"instruction": _short(cmd, 90), "size_mb": round(row.get("Size", 0) / 1e6, 1),
                    "layer": row.get("Size", 0) > 0})
    return out


# ---- 컨테이너 -------------------------------------------------------------

@dataclass
class ExecResult:
    """`exec()`의 결과: 종료 코드와 출력."""

    exit_code: int
    output: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class Container:
    """실습 도구가 띄운 컨테이너 하나. `with labs.docker.run(...) as c:` 처럼 쓰면 나갈 때 지운다 (05 레슨)."""

    pid = None  # 등록부 호환: 이 자원은 pid 파일이 아니라 레이블로 찾는다.

    def __init__(self, obj: Any, lab: str):
        self._obj = obj
        self.lab = lab
        self.name: str = obj.name
        self.id: str = obj.id

    # ---- 상태 --------------------------------------------------------------
    def reload(self) -> dict[str, Any]:
        self._obj.reload()
        return self._obj.attrs

    @property
    def attrs(self) -> dict[str, Any]:
        return self._obj.attrs

    @property
    def short_id(self) -> str:
        return self.id[:12]

    def host_pids(self) -> list[int]:
        """컨테이너 안의 모든 프로세스의 호스트 PID (`docker top`). 멈춘 컨테이너면 빈 목록."""
        try:
            rows = self._obj.top(ps_args="-eo pid").get("Processes") or []
        except _sdk_errors.APIError:  # type: ignore[union-attr]
            return []
        return [int(row[0]) for row in rows if row and str(row[0]).isdigit()]

    def status(self) -> str:
        """`created`·`running`·`exited` 등."""
        return self.reload()["State"]["Status"]

    def health(self) -> str | None:
        """헬스 체크 상태(`starting`·`healthy`·`unhealthy`). HEALTHCHECK가 없으면 None."""
        h = self.reload()["State"].get("Health")
        return h.get("Status") if h else None

    def user(self) -> str:
        """컨테이너 안 프로세스가 실제로 어떤 사용자로 도는지 (`id -un`의 결과, 05 레슨: non-root)."""
        return self.exec(["id", "-un"], show=False).output.strip()

    def port(self, container_port: int, proto: str = "tcp") -> int:
        """컨테이너 포트가 연결된 호스트(127.0.0.1) 포트."""
        ports = self.reload()["NetworkSettings"]["Ports"].get(f"{container_port}/{proto}") or []
        for b in ports:
            if b.get("HostPort"):
                return int(b["HostPort"])
        raise LabError(f"❌ 컨테이너 {self.name}의 {container_port}/{proto} 포트가 호스트에 열려 있지 않다.\n"
                       f"   해결: `run(..., ports={{{container_port}: None}})`처럼 포트를 연다.")

    def url(self, container_port: int, path: str = "/") -> str:
        """루프백 주소로 된 URL (컨테이너 IP는 쓰지 않는다)."""
        return f"http://127.0.0.1:{self.port(container_port)}{path}"

    # ---- 기다림 ------------------------------------------------------------
    def wait(self, timeout: float = 60.0) -> int:
        """컨테이너가 끝날 때까지 기다리고 종료 코드를 돌려준다 (일회성 작업용)."""
        try:
            return int(self._obj.wait(timeout=timeout)["StatusCode"])
        except Exception as exc:  # requests의 ReadTimeout 등
            raise LabError(f"❌ 컨테이너 {self.name}{particle(self.name, '이')} {timeout:.0f}초 안에 끝나지 않았다.\n"
                           f"   해결: 명령이 입력을 기다리거나 서버처럼 계속 도는지 `logs()`로 확인한다.") from exc

    def wait_http(self, container_port: int, path: str = "/", timeout: float = 30.0) -> int:
        """게시된 포트로 HTTP 응답(상태 코드 500 미만)이 올 때까지 기다린다. 상태 코드를 돌려준다.

        HEALTHCHECK가 없는 이미지(nginx 등)용: docker-proxy는 컨테이너가 듣기 전에도 연결을 받아 주므로
        TCP 연결만으로는 준비됐다고 볼 수 없다.
        """
        url = self.url(container_port, path)
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.status() in ("exited", "dead"):
                break
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    return r.status
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return exc.code
                last = f"HTTP {exc.code}"
            except (OSError, ValueError) as exc:
                last = str(exc)
            time.sleep(0.2)
        raise LabError(Explanation(
            f"{url}{particle(url, '이')} {timeout:.0f}초 안에 답하지 않았다 ({last}).",
            "컨테이너 안의 서버가 그 포트에서 듣는지, 로그에 오류가 없는지 확인한다.",
        ).render(f"컨테이너 {self.name}{particle(self.name, '이')} 요청을 받지 못한다", self.logs(20, show=False)))

    def wait_healthy(self, timeout: float = 60.0) -> str:
        """헬스 체크가 healthy가 될 때까지 기다린다. HEALTHCHECK가 없으면 실행 중이 되면 끝.

        컨테이너가 끝나거나 unhealthy가 되면 로그와 함께 한국어 오류를 낸다.
        """
        deadline = time.monotonic() + timeout
        last_beat = time.monotonic()
        while True:
            state = self.reload()["State"]
            if state["Status"] in ("exited", "dead"):
                logs = self.logs(tail=30, show=False)
                raise LabError(explain(logs).render(
                    f"컨테이너 {self.name}{particle(self.name, '이')} 준비되기 전에 끝났다 (종료 코드 {state.get('ExitCode')})", logs))
            health = state.get("Health")
            if health is None and state["Status"] == "running":
                return "running"
            if health and health["Status"] == "healthy":
                return "healthy"
            if health and health["Status"] == "unhealthy":
                probe = "\n".join(_short(h.get("Output", ""), 200) for h in health.get("Log", [])[-3:])
                raise LabError(Explanation(
                    "헬스 체크 명령이 연달아 실패했다.",
                    "헬스 체크가 부르는 주소·포트가 맞는지, 애플리케이션이 떠 있는지 아래 출력과 로그로 확인한다.",
                ).render(f"컨테이너 {self.name}{particle(self.name, '이')} unhealthy 상태다", probe + "\n" + self.logs(15, show=False)))
            if time.monotonic() > deadline:
                now = health["Status"] if health else state["Status"]
                raise LabError(Explanation(
                    f"{timeout:.0f}초 안에 healthy가 되지 않았다 (지금: {now}).",
                    "시작이 느린지(start-period), 헬스 체크 주소가 맞는지 로그로 확인한다.",
                ).render(f"컨테이너 {self.name}{particle(self.name, '이')} 준비되지 않았다", self.logs(20, show=False)))
            if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                print(f"   … {self.name}: {health['Status'] if health else state['Status']}", flush=True)
                last_beat = time.monotonic()
            time.sleep(0.3)

    # ---- 안에서 실행, 로그 -------------------------------------------------
    def exec(self, cmd: str | Sequence[str], *, user: str | None = None, workdir: str | None = None,
             env: Mapping[str, str] | None = None, show: bool = True) -> ExecResult:
        """컨테이너 안에서 명령을 실행한다 (`docker exec`). 출력은 파이썬이 받아 출력한다."""
        argv = ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        kwargs: dict[str, Any] = {"user": user or "", "environment": dict(env or {})}
        if workdir:
            kwargs["workdir"] = workdir
        try:
            code, out = self._obj.exec_run(argv, **kwargs)
        except _sdk_errors.APIError as exc:  # type: ignore[union-attr]
            raise LabError(explain(str(exc)).render(f"{self.name} 안에서 명령을 실행하지 못했다", str(exc))) from exc
        text = out.decode(errors="replace") if isinstance(out, bytes) else str(out)
        if show and text:
            print(text.rstrip("\n"), flush=True)
        return ExecResult(int(code), text)

    def logs(self, tail: int | None = 50, show: bool = True) -> str:
        """컨테이너 로그(stdout+stderr)의 마지막 `tail`줄."""
        try:
            raw = self._obj.logs(tail=tail if tail is not None else "all")
        except _sdk_errors.NotFound:  # type: ignore[union-attr]
            return ""
        text = raw.decode(errors="replace")
        if show and text:
            print(text.rstrip("\n"), flush=True)
        return text

    # ---- 멈춤 --------------------------------------------------------------
    def stop(self, timeout: float = 10, remove: bool = True) -> int | None:
        """SIGTERM(이미지의 STOPSIGNAL)을 보내고 `timeout`초 기다린 뒤 SIGKILL (그레이스풀 셧다운, 07 레슨).

        종료 코드를 돌려준다. `remove=True`면 컨테이너(와 익명 볼륨)도 지운다.
        """
        code = None
        try:
            self._obj.stop(timeout=int(timeout))
            code = self.reload()["State"].get("ExitCode")
            if remove:
                self._obj.remove(v=True, force=True)
        except _sdk_errors.NotFound:  # type: ignore[union-attr]
            pass
        if remove:
            registry.unregister(self)
        return code

    def kill(self, sig: str | int = "SIGKILL") -> None:
        self._obj.kill(signal=sig)

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __str__(self) -> str:
        return f"컨테이너 {self.name}"

    def __repr__(self) -> str:
        return f"<Container {self.name} lab={self.lab}>"


def _port_bindings(ports: Mapping[int | str, int | None] | None) -> dict[str, tuple[str, int | None]]:
    out: dict[str, tuple[str, int | None]] = {}
    for cport, hport in (ports or {}).items():
        key = str(cport) if "/" in str(cport) else f"{cport}/tcp"
        out[key] = ("127.0.0.1", hport)
    return out


def _remove_stale(c: Any, name: str) -> None:
    """같은 이름의 컨테이너가 있으면: 실습 도구가 만든 것이면 지우고, 아니면 알려 준다."""
    try:
        old = c.containers.get(name)
    except _sdk_errors.NotFound:  # type: ignore[union-attr]
        return
    if LABEL not in (old.labels or {}):
        raise LabError(f"❌ 이름 {name}인 컨테이너가 이미 있다 (실습 도구가 만든 것이 아니다).\n"
                       f"   해결: 다른 이름을 쓰거나 `docker rm -f {name}`으로 직접 지운다.")
    old.remove(force=True, v=True)


def run(image: str, lab: str, *, name: str | None = None, command: str | Sequence[str] | None = None,
        ports: Mapping[int | str, int | None] | None = None, env: Mapping[str, str] | None = None,
        user: str | None = None, volumes: Mapping[str, Mapping[str, str]] | None = None,
        network: str | None = None, labels: Mapping[str, str] | None = None,
        healthcheck: Mapping[str, Any] | None = None, mem_limit: str | None = None, cpus: float | None = None,
        read_only: bool = False, stop_signal: str | None = None, wait_healthy: bool = True,
        ready_path: str | None = None, timeout: float = 60.0, **kwargs: Any) -> Container:
    """컨테이너를 실행하고 (기본) healthy가 될 때까지 기다린다 (05 레슨).

    - `ports={8000: None}`: 컨테이너 8000번을 127.0.0.1의 빈 포트에 연다 (`c.port(8000)`으로 확인).
      `{8000: 8080}`처럼 호스트 포트를 정할 수도 있다: 이미 쓰이면 한국어 오류.
    - 컨테이너에는 `course.lab=<lab>` 레이블이 붙고 `labs.cleanup()`이 치운다.
    - `ready_path="/"`: 헬스 체크에 더해, 처음 연 포트로 HTTP 응답이 올 때까지 기다린다.
    - 같은 이름이 남아 있으면(이전 커널 등) 먼저 지운다.
    """
    c = require_docker()
    name = name or f"course-{re.sub(r'[^a-zA-Z0-9_.-]', '-', lab)}-{uuid.uuid4().hex[:6]}"
    _remove_stale(c, name)
    all_labels = {LABEL: lab, **(labels or {})}
    nano_cpus = int(cpus * 1e9) if cpus else None
    hc = None
    if healthcheck:
        hc = {k: int(v * 1e9) if k in ("interval", "timeout", "start_period") else v for k, v in healthcheck.items()}
    try:
        obj = c.containers.create(image, command=command, name=name, environment=dict(env or {}),
                                  ports=_port_bindings(ports), user=user or None, volumes=dict(volumes or {}),
                                  network=network, labels=all_labels, healthcheck=hc, mem_limit=mem_limit,
                                  nano_cpus=nano_cpus, read_only=read_only, stop_signal=stop_signal, detach=True,
                                  **kwargs)
    except _sdk_errors.ImageNotFound as exc:  # type: ignore[union-attr]
        raise LabError(explain("No such image").render(f"이미지 {image}{particle(image, '이')} 없다", str(exc))) from exc
    except _sdk_errors.APIError as exc:  # type: ignore[union-attr]
        raise LabError(explain(str(exc), _DOCKER_REFUSED).render(
            f"컨테이너 {name}{particle(name, '을')} 만들지 못했다", str(exc))) from exc
    container = Container(obj, lab)
    registry.register(container)
    try:
        obj.start()
    except _sdk_errors.APIError as exc:  # type: ignore[union-attr]
        container.stop(timeout=0)
        text = str(exc)
        if _PORT_BUSY.search(text):
            busy = [h for h in (ports or {}).values() if h]
            raise port_in_use(busy[0] if busy else 0) from exc
        raise LabError(explain(text, _DOCKER_REFUSED).render(f"컨테이너 {name}{particle(name, '을')} 시작하지 못했다", text)) from exc
    if wait_healthy or ready_path:
        try:
            if wait_healthy:
                container.wait_healthy(timeout)
            if ready_path and ports:
                container.wait_http(int(str(next(iter(ports))).split("/")[0]), ready_path, timeout)
        except BaseException:
            container.stop(timeout=2)
            raise
    return container


def health_transitions(container: Container, timeout: float = 60.0, *, until: Sequence[str] = ("healthy", "unhealthy"),
                       show: bool = True) -> list[tuple[float, str]]:
    """헬스 상태가 바뀌는 순간을 기록한다: [(경과 초, 상태), …] (05 레슨: starting → healthy).

    `until`의 상태에 닿거나 `timeout`이 지나면 멈춘다 (멈춘 것은 오류가 아니다: 기록을 돌려준다).
    """
    start = time.monotonic()
    seen: list[tuple[float, str]] = []
    while time.monotonic() - start < timeout:
        state = container.reload()["State"]
        status = (state.get("Health") or {}).get("Status") or state["Status"]
        if not seen or seen[-1][1] != status:
            seen.append((round(time.monotonic() - start, 1), status))
            if show:
                print(f"  {seen[-1][0]:5.1f}초  {status}", flush=True)
        if status in until or state["Status"] in ("exited", "dead"):
            break
        time.sleep(0.25)
    return seen


def exec(container: Container, cmd: str | Sequence[str], **kwargs: Any) -> ExecResult:  # noqa: A001 - 레슨의 용어
    """`docker exec`: `container.exec(...)`와 같다."""
    return container.exec(cmd, **kwargs)


def logs(container: Container, tail: int | None = 50, show: bool = True) -> str:
    """`docker logs`: `container.logs(...)`와 같다."""
    return container.logs(tail=tail, show=show)


# ---- 명령 실행기 (Compose CLI) --------------------------------------------

@dataclass
class CommandResult:
    argv: list[str]
    returncode: int
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _stream(argv: list[str], *, env: Mapping[str, str], cwd: Path, timeout: float, show: bool,
            prefix: str = "  ", label: str | None = None) -> CommandResult:
    """자식 프로세스의 출력을 한 줄씩 받아 파이썬에서 출력한다. 조용하면 몇 초마다 '기다리는 중'을 찍는다."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise LabError(explain(str(exc)).render(f"명령을 시작하지 못했다: {argv[0]}", str(exc))) from exc
    lines: queue.Queue[bytes | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            lines.put(raw)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    collected: list[str] = []
    last = time.monotonic()
    timed_out = False
    while True:
        now = time.monotonic()
        if now - start > timeout:
            timed_out = True
            break
        try:
            raw = lines.get(timeout=0.5)
        except queue.Empty:
            if show and time.monotonic() - last > HEARTBEAT_SECONDS:
                print(f"{prefix}… 기다리는 중 ({int(time.monotonic() - start)}초)", flush=True)
                last = time.monotonic()
            continue
        if raw is None:
            break
        line = raw.decode(errors="replace").rstrip()
        if not line:
            continue
        collected.append(line)
        if show:
            print(prefix + line, flush=True)
            last = time.monotonic()
    if timed_out:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    result = CommandResult(argv, proc.returncode if not timed_out else -1, "\n".join(collected),
                           time.monotonic() - start)
    if timed_out:
        fix = ("헬스 체크를 통과하지 못한 서비스가 있는지 `compose.ps()`와 `compose.logs()`로 확인한다."
               if label and label.startswith("docker compose")
               else "명령이 입력을 기다리는지, 네트워크(패키지 저장소)가 느린지 확인한다.")
        raise LabError(Explanation(f"{timeout:.0f}초 안에 끝나지 않았다.", fix).render(
            f"명령이 타임아웃을 넘겼다: {label or ' '.join(argv[:3])}", "\n".join(collected[-15:])))
    return result


# ---- Compose --------------------------------------------------------------

LAB_SECRET_KEY = "lab-only-secret-not-for-production"


def _dotenv_defines(path: Path, key: str) -> bool:
    if not path.exists():
        return False
    return any(re.match(rf"^\s*{key}\s*=\s*\S", line) for line in path.read_text(errors="replace").splitlines())


def _compose_env(lab: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    from .images import image_env

    env = {**os.environ, **image_env(), "COURSE_LAB": lab, **(extra or {})}
    env.setdefault("COMPOSE_ANSI", "never")
    return {k: str(v) for k, v in env.items()}


def edge_network(project: str) -> dict[str, str]:
    """Compose 프로젝트마다 다른 edge 네트워크 대역 (`compose.yaml`의 `EDGE_SUBNET`·`EDGE_IP_RANGE`·`EDGE_GATEWAY`).

    코스의 스택은 앱이 nginx가 있는 대역에서 온 `X-Forwarded-*`만 믿도록 edge 네트워크의 대역을 고정한다.
    고정 대역은 한 기계에 스택 하나만 허락하므로(일괄 채점 `--jobs 2`, 앞 레슨의 스택이 남은 채 다음 레슨),
    실습 도구가 띄우는 스택은 프로젝트 이름에서 10.200.0.0–10.249.255.0 사이의 /24 하나를 고른다.
    """
    h = int(hashlib.sha256(project.encode()).hexdigest(), 16)
    net = f"10.{200 + h % 50}.{(h // 50) % 256}"
    return {"EDGE_SUBNET": f"{net}.0/24", "EDGE_IP_RANGE": f"{net}.128/25", "EDGE_GATEWAY": f"{net}.1"}


class Compose:
    """진짜 `docker compose` CLI로 스택을 다룬다 (06 레슨). 등록부에 적혀 `labs.cleanup()`이 내린다.

    ```python
    with labs.docker.Compose("course-06", lab="06_compose") as stack:
        stack.up(scale={"app": 3})
        print(stack.url("/health/ready"))
    ```
    `env`는 Compose의 변수 치환(`${SECRET_KEY}` 등)에 쓰인다. 이미지 변수(PYTHON_IMAGE …)는
    `python -m labs.images prepare`가 정한 값이 자동으로 들어가고, `COURSE_LAB`은 `lab`이 된다.
    """

    pid = None

    def __init__(self, project: str, *, lab: str, files: Sequence[str | Path] | None = None,
                 env: Mapping[str, str] | None = None, project_dir: str | Path | None = None):
        self.project = re.sub(r"[^a-z0-9_-]", "-", project.lower())
        self.lab = lab
        self.files = [Path(f) for f in (files or [COMPOSE_DIR / "compose.yaml"])]
        self.project_dir = Path(project_dir) if project_dir else self.files[0].parent
        self.extra_env = dict(env or {})
        self._handle: _ComposeHandle | None = None

    # ---- 실행 --------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """Compose에 넘길 환경 변수. SECRET_KEY를 어디에도 정하지 않았으면 실습용 값을 넣는다
        (로컬 서버 실습의 `labs.app_env()`와 같다). 프로덕션에서는 .env나 시크릿으로 정한다."""
        env = _compose_env(self.lab, self.extra_env)
        if not env.get("SECRET_KEY") and not _dotenv_defines(self.project_dir / ".env", "SECRET_KEY"):
            env["SECRET_KEY"] = LAB_SECRET_KEY
        for key, value in edge_network(self.project).items():
            if key not in env and not _dotenv_defines(self.project_dir / ".env", key):
                env[key] = value
        return env

    def argv(self, *args: str) -> list[str]:
        files = [x for f in self.files for x in ("-f", str(f))]
        return ["docker", "compose", "--ansi", "never", "--progress", "plain", "-p", self.project,
                "--project-directory", str(self.project_dir), *files, *args]

    def run(self, *args: str, timeout: float = 300, check: bool = True, show: bool = True) -> CommandResult:
        """`docker compose <args>`를 실행하고 출력을 보여 준다. 실패하면 한국어 오류."""
        require_docker()
        if compose_version() is None:
            raise LabError(Explanation("`docker compose`(Compose v2 이상) 플러그인이 없다.",
                                       "`make docker`(= `bash scripts/docker-engine.sh`)가 설치한다.",
                                       ).render("Docker Compose를 찾을 수 없다"))
        result = _stream(self.argv(*args), env=self.env(), cwd=self.project_dir, timeout=timeout, show=show,
                         label=f"docker compose {' '.join(args[:4])}")
        if check and not result.ok:
            raise self._error(args, result.output)
        return result

    def _error(self, args: Sequence[str], output: str) -> LabError:
        what = f"`docker compose {' '.join(args[:3])}`{particle(' '.join(args[:3]), '이')} 실패했다"
        if _PORT_BUSY.search(output):
            m = re.search(r"(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)", output)
            return port_in_use(int(m.group(1))) if m else LabError(explain(output).render(what, output[-800:]))
        detail = "\n".join(output.splitlines()[-20:])
        return LabError(explain(output, _COMPOSE_FAILED).render(what, detail))

    def _register(self) -> None:
        if self._handle is None:
            self._handle = _ComposeHandle(self, self.lab)
            registry.register(self._handle)

    # ---- 명령 --------------------------------------------------------------
    def config(self, show: bool = False) -> dict[str, Any]:
        """`docker compose config`: 변수 치환까지 끝난 최종 설정 (Compose가 파일을 받아들이는지 검사)."""
        out = self.run("config", "--format", "json", show=False, timeout=60).output
        data = json.loads(out[out.index("{"):])
        if show:
            print(json.dumps(data, indent=2, ensure_ascii=False))
        return data

    def build(self, services: Sequence[str] = (), progress: bool = True) -> list[BuildResult]:
        """`build:`가 있는 서비스 이미지를 만든다. Compose가 풀어 준 설정(컨텍스트, Dockerfile, args, 이미지 이름)을
        그대로 써서 SDK로 빌드한다: 진행 상황이 보이고, 추가 CA가 컨텍스트에 들어간다."""
        cfg = self.config()
        done: dict[tuple[str, str, str], BuildResult] = {}
        for svc, spec in cfg.get("services", {}).items():
            b = spec.get("build")
            if not b or (services and svc not in services):
                continue
            tag = spec.get("image") or f"{self.project}-{svc}"
            ctx = Path(b["context"])
            df = ctx / b.get("dockerfile", "Dockerfile")
            key = (str(ctx), str(df), tag)
            if key in done:
                continue
            args = {k: str(v) for k, v in (b.get("args") or {}).items() if v is not None}
            done[key] = build(ctx, tag, self.lab, dockerfile=df, buildargs=args, target=b.get("target"),
                              progress=progress)
        return list(done.values())

    def up(self, services: Sequence[str] = (), *, wait: bool = True, build: bool = True,
           scale: Mapping[str, int] | None = None, timeout: float = 240, recreate: bool = False) -> CommandResult:
        """`docker compose up -d --wait`: 헬스 체크를 통과할 때까지 기다린다 (06 레슨).

        `scale={"app": 3}`은 `--scale app=3`이다. `build=True`면 먼저 이미지를 만든다 (캐시가 있으면 금방 끝난다).
        """
        self._register()
        if build:
            self.build(services)
        args = ["up", "-d", "--no-build"]
        if wait:
            args += ["--wait", "--wait-timeout", str(int(timeout))]
        for svc, n in (scale or {}).items():
            args += ["--scale", f"{svc}={n}"]
        if recreate:
            args.append("--force-recreate")
        try:
            return self.run(*args, *services, timeout=timeout + 60)
        except LabError as exc:
            raise LabError(f"{exc}\n   --- 서비스 상태 ---\n" + self._status_lines()) from exc

    def _status_lines(self) -> str:
        try:
            rows = self.ps(all=True)
        except LabError:
            return "   (상태를 읽지 못했다)"
        return "\n".join(f"   {r.get('Name')}: {r.get('State')} {r.get('Health') or ''} {r.get('Status', '')}"
                         for r in rows)

    def ps(self, all: bool = False, service: str | None = None) -> list[dict[str, Any]]:  # noqa: A002
        """`docker compose ps --format json`: 컨테이너마다 dict (Name, Service, State, Health, Publishers…)."""
        args = ["ps", "--format", "json"] + (["--all"] if all else []) + ([service] if service else [])
        out = self.run(*args, show=False, timeout=60).output.strip()
        if not out:
            return []
        if out.startswith("["):
            return json.loads(out)
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def logs(self, *services: str, tail: int = 50, show: bool = True) -> str:
        """`docker compose logs --tail N`."""
        return self.run("logs", "--no-color", "--tail", str(tail), *services, show=show, timeout=60).output

    def exec(self, service: str, cmd: str | Sequence[str], *, index: int | None = None, user: str | None = None,
             check: bool = True, show: bool = True, timeout: float = 120) -> CommandResult:
        """`docker compose exec -T <service> <cmd>` (예: `alembic upgrade head`)."""
        argv = ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        opts = ["-T"] + (["--index", str(index)] if index else []) + (["--user", user] if user else [])
        return self.run("exec", *opts, service, *argv, check=check, show=show, timeout=timeout)

    def port(self, service: str = "nginx", private_port: int = 80, index: int = 1) -> int:
        """서비스의 컨테이너 포트가 열린 호스트 포트."""
        out = self.run("port", "--index", str(index), service, str(private_port), show=False, timeout=30).output
        m = _HOST_PORT.search(out.strip().splitlines()[-1] if out.strip() else "")
        if not m:
            raise LabError(f"❌ {service}의 {private_port}번 포트가 호스트에 열려 있지 않다: {out.strip()}")
        return int(m.group(1))

    def url(self, path: str = "/", service: str = "nginx", private_port: int = 80) -> str:
        """루프백으로 된 스택 입구의 URL (기본: nginx)."""
        return f"http://127.0.0.1:{self.port(service, private_port)}{path}"

    def scale(self, service: str, replicas: int, timeout: float = 180) -> CommandResult:
        """서비스 복제본 수를 바꾼다 (`up -d --wait --scale svc=N --no-recreate`)."""
        return self.up([service], scale={service: replicas}, build=False, timeout=timeout)

    def stop(self, timeout: float | None = None, services: Sequence[str] = (),  # type: ignore[override]
             show: bool = True) -> CommandResult:
        """`docker compose stop -t N`: SIGTERM 뒤 N초의 유예 시간 (그레이스풀 셧다운)."""
        args = ["stop"] + (["-t", str(int(timeout))] if timeout is not None else []) + list(services)
        return self.run(*args, timeout=(timeout or 10) * 2 + 60, show=show)

    def down(self, volumes: bool = True, timeout: float | None = 10, show: bool = True) -> CommandResult:
        """`docker compose down [-v]`: 컨테이너·네트워크(와 볼륨)를 지운다."""
        args = ["down", "--remove-orphans"] + (["-v"] if volumes else []) + (
            ["-t", str(int(timeout))] if timeout is not None else [])
        try:
            return self.run(*args, timeout=180, show=show)
        finally:
            if self._handle is not None:
                registry.unregister(self._handle)
                self._handle = None

    def __enter__(self) -> Compose:
        self._register()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down(volumes=True)

    def __str__(self) -> str:
        return f"Compose 프로젝트 {self.project}"


_COMPOSE_FAILED = Explanation("Compose가 스택을 올리지(또는 내리지) 못했다.",
                              "아래 출력과 서비스 상태, `compose.logs()`로 어떤 서비스가 실패했는지 확인한다.")


@dataclass
class _ComposeHandle:
    """등록부에 적는 대리 객체: 등록부는 `stop()`을 부르는데, Compose의 `stop()`은 레슨용(멈추기만)이라
    정리 때는 `down -v`가 불리도록 한다."""

    compose: Compose
    lab: str
    pid: None = None

    def stop(self) -> None:
        self.compose.down(volumes=True, timeout=5, show=False)

    def __str__(self) -> str:
        return str(self.compose)


# ---- 정리 -----------------------------------------------------------------

def reap(lab: str | None = None) -> list[str]:
    """`course.lab` 레이블이 붙은 컨테이너·네트워크·볼륨을 지운다 (커널 재시작 뒤에도). 이미지는 남긴다."""
    if _sdk is None:
        return []
    try:
        c = client(timeout=30)
    except LabError:
        return []
    flt = {"label": f"{LABEL}={lab}" if lab else LABEL}
    done: list[str] = []
    for ctr in c.containers.list(all=True, filters=flt):
        try:
            ctr.remove(force=True, v=True)
            done.append(f"컨테이너 {ctr.name}")
        except _sdk_errors.NotFound:  # type: ignore[union-attr]
            pass
    for net in c.networks.list(filters=flt):
        try:
            net.remove()
            done.append(f"네트워크 {net.name}")
        except _sdk_errors.APIError:  # type: ignore[union-attr]
            pass
    for vol in c.volumes.list(filters=flt):
        try:
            vol.remove(force=True)
            done.append(f"볼륨 {vol.name}")
        except _sdk_errors.APIError:  # type: ignore[union-attr]
            pass
    return done


registry.add_reaper(reap)

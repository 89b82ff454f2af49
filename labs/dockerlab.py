"""05·06 레슨의 실습 도우미: 일부러 나쁘게 만든 Dockerfile, 빌드 컨텍스트 측정, 시크릿 유출, 레이어 캐시, Compose 이벤트.

`labs.docker`가 엔진과 Compose를 다루는 일반 도구라면, 이 모듈은 두 레슨이 보여 주려는 *현상*을 만든다.

- 작업 폴더: 예제 앱의 복사본과 Dockerfile 변형은 상태 폴더 아래 레슨별 작업 폴더에만 쓴다.
  저장소의 원본(`sample_app/`)은 절대 고치지 않는다. `labs.cleanup(lab)`이 작업 폴더를 지운다.
- 이미지 태그는 `course-05/…`, `course-06/…`만 쓴다. 다시 빌드해 이름을 잃은(dangling) 이미지 가운데
  이 모듈이 만든 것(`course.lesson` 레이블)만 정리 때 지운다. 다른 이미지는 건드리지 않는다.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import tarfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import docker, registry
from .errors import Explanation, LabError
from .korean import josa

LESSON05 = "05_docker_images"
LESSON06 = "06_docker_compose"
IMAGE_LABEL = "course.lesson"
"""이 모듈이 빌드한 이미지에 붙는 레이블. 정리할 때 이름 잃은 이미지 중 이것만 지운다."""

SAMPLE_APP = registry.PROJECT_ROOT / "sample_app"
MB = 1024 * 1024


# ---- 작업 폴더 -------------------------------------------------------------

def _work_root(lab: str | None = None) -> Path:
    root = registry.state_dir() / "workspaces"
    return root / lab if lab else root


@dataclass(eq=False)
class Workspace:
    """레슨이 쓰는 임시 작업 폴더 (상태 폴더 아래). 등록부에 적혀 `labs.cleanup(lab)`이 지운다."""

    lab: str
    path: Path
    pid: None = None

    def stop(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        registry.unregister(self)

    def __truediv__(self, other: str) -> Path:
        return self.path / other

    def __str__(self) -> str:
        return f"작업 폴더 {self.path.name}"


def workspace(lab: str, name: str = "work") -> Workspace:
    """레슨 `lab`의 작업 폴더 `name`을 비운 채로 만든다 (이전 실행이 남긴 것은 먼저 지운다)."""
    path = _work_root(lab) / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ws = Workspace(lab, path)
    registry.register(ws)
    return ws


def _reap(lab: str | None) -> list[str]:
    """정리 함수: 작업 폴더와, 이 모듈이 빌드했다가 이름을 잃은 이미지를 지운다."""
    done: list[str] = []
    root = _work_root(lab)
    if root.is_dir():
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            shutil.rmtree(sub, ignore_errors=True)
            done.append(f"작업 폴더 {sub.name}")
        if lab:
            try:
                root.rmdir()  # 비었으면 레슨 폴더도 지운다
            except OSError:
                pass
    done += prune_dangling(lab)
    return done


def prune_dangling(lab: str | None = None) -> list[str]:
    """이 모듈이 빌드한 이미지 가운데 다시 빌드하면서 이름을 잃은 것만 지운다 (디스크 절약)."""
    try:
        c = docker.client(timeout=30)
    except LabError:
        return []
    label = f"{IMAGE_LABEL}={lab}" if lab else IMAGE_LABEL
    try:
        out = c.images.prune(filters={"dangling": True, "label": label})
    except Exception:  # 다른 정리와 겹치면 엔진이 거절할 수 있다: 다음 정리 때 다시 한다
        return []
    n = len(out.get("ImagesDeleted") or [])
    return [f"이름 잃은 이미지 레이어 {n}개"] if n else []


registry.add_reaper(_reap)


# ---- 빌드 컨텍스트 만들기 ---------------------------------------------------------

FAKE_SECRET = "sk_live_course05_DO_NOT_SHIP_7f3a9c1e5b2d"
"""심어 두는 가짜 시크릿 값. 이미지에서 이 문자열이 보이면 시크릿이 샌 것이다."""

ENV_TEXT = f"""# 로컬 개발용 설정 (커밋하지 않는다)
SECRET_KEY={FAKE_SECRET}
DATABASE_URL=postgresql://app:Pr0d-Passw0rd@db.internal:5432/app
"""
ENV_PRODUCTION_TEXT = "# 운영 설정의 사본\nSECRET_KEY=sk_live_course05_PRODUCTION_c41d\n"
ENV_EXAMPLE_TEXT = "# 본보기: 값은 비워 둔다\nSECRET_KEY=\nDATABASE_URL=\n"

SEED_DOCKERIGNORE = """\
node_modules
__pycache__
*.pyc
.git
.env
.env.local
docker-compose*.yml
Dockerfile*
*.md
.mypy_cache
.pytest_cache
"""
"""시드 5절의 .dockerignore 그대로."""


FIXED_MTIME = 1767225600  # 2026-01-01 00:00 UTC
"""복사본의 파일 시각. 기존 빌더의 COPY 캐시는 내용과 함께 파일 시각도 본다: 시각을 고정해야
내용이 같은 복사본을 다시 만들어도 캐시가 맞는다."""


def fix_mtimes(root: Path) -> None:
    """`root` 아래 모든 파일과 폴더의 수정 시각을 `FIXED_MTIME`으로 맞춘다."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (FIXED_MTIME, FIXED_MTIME), follow_symlinks=False)
    os.utime(root, (FIXED_MTIME, FIXED_MTIME))


def copy_app(dest: Path) -> Path:
    """`sample_app/`을 `dest`로 복사한다 (원본은 건드리지 않는다). 로컬 캐시·DB·node_modules는 뺀다."""
    ignore = shutil.ignore_patterns("node_modules", "__pycache__", "*.py[cod]", "*.db", "*.sqlite3",
                                    ".pytest_cache", "logs")
    shutil.copytree(SAMPLE_APP, dest, ignore=ignore)
    fix_mtimes(dest)
    return dest


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)


def _noise(n: int, seed: int) -> bytes:
    """압축되지 않는(무작위) 바이트. 시드가 같으면 내용도 같다: 컨텍스트 크기가 실행마다 같다."""
    return random.Random(seed).randbytes(n)


def plant_clutter(ctx: Path, *, node_modules: bool = True) -> list[dict[str, str]]:
    """개발 폴더에 흔히 쌓이는 것들을 빌드 컨텍스트 `ctx`에 심는다 (05 레슨: .dockerignore).

    시크릿(`.env`, `.env.production`), 버전 관리(`.git`), 캐시(`__pycache__`), 로그, 로컬 DB,
    호스트에서 설치한 `node/node_modules`(이 저장소에 있으면 그 복사본). 무엇을 심었는지 표로 돌려준다.
    """
    rows: list[dict[str, str]] = []

    def plant(rel: str, data: str | bytes, what: str) -> None:
        _write(ctx / rel, data)
        rows.append({"경로": rel, "무엇": what})

    plant(".env", ENV_TEXT, "시크릿 (SECRET_KEY, DB 비밀번호)")
    plant(".env.production", ENV_PRODUCTION_TEXT, "시크릿 (운영 설정 사본)")
    plant(".env.example", ENV_EXAMPLE_TEXT, "본보기 (값 없음: 넣어도 된다)")
    _write(ctx / ".git/HEAD", "ref: refs/heads/main\n")
    plant(".git/objects/pack/pack-5e1f.pack", _noise(12 * MB, 5), "버전 관리 이력 (12 MB)")
    plant("__pycache__/main.cpython-313.pyc", _noise(40_000, 6), "바이트코드 캐시")
    plant("routes/__pycache__/health.cpython-313.pyc", _noise(20_000, 7), "바이트코드 캐시 (하위 폴더)")
    plant("logs/app.log", ("INFO 요청 처리\n" * 120_000).encode(), "로그 (약 2 MB)")
    plant("sample_app.db", _noise(4 * MB, 8), "로컬 SQLite DB (4 MB)")
    if node_modules:
        src = SAMPLE_APP / "node" / "node_modules"
        dest = ctx / "node" / "node_modules"
        if src.is_dir():
            shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
        else:  # npm이 없는 기계: 비슷한 크기의 가짜 패키지들
            for i in range(400):
                _write(dest / f"pkg{i:03d}" / "index.js", _noise(60_000, 100 + i).hex()[:60_000])
        rows.append({"경로": "node/node_modules/", "무엇": "호스트에서 설치한 Node 패키지"})
    fix_mtimes(ctx)
    return rows


def read_patterns(text: str) -> list[str]:
    """.dockerignore 본문을 패턴 목록으로 (빈 줄과 주석은 뺀다)."""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def set_dockerignore(ctx: Path, text: str | None) -> None:
    """빌드 컨텍스트의 `.dockerignore`를 바꾼다. None이면 지운다."""
    f = ctx / ".dockerignore"
    if text is None:
        f.unlink(missing_ok=True)
    else:
        f.write_text(text)


@dataclass
class ContextInfo:
    """빌드 컨텍스트: 엔진에 보내는 파일 수와 tar 크기."""

    files: list[str]
    size: int

    @property
    def size_mb(self) -> float:
        return self.size / 1e6

    def has(self, rel: str) -> bool:
        """이 경로(또는 그 아래 파일)가 컨텍스트에 들어가는지."""
        rel = rel.rstrip("/")
        return any(f == rel or f.startswith(rel + "/") for f in self.files)


def context_info(ctx: Path, patterns: Sequence[str] | None = None) -> ContextInfo:
    """`docker build`가 엔진에 보낼 컨텍스트을 실제로 tar로 묶어 크기를 잰다 (05 레슨).

    `patterns`를 주지 않으면 컨텍스트의 `.dockerignore`를 따른다 (없으면 모두 보낸다). `[]`는 "무시 없음".
    Docker CLI와 같은 규칙(docker-py의 구현)을 쓴다: 패턴은 컨텍스트 최상위 기준이고 `**`가 하위 폴더를 뜻한다.
    """
    from docker.utils.build import create_archive, exclude_paths

    if patterns is None:
        f = ctx / ".dockerignore"
        patterns = read_patterns(f.read_text()) if f.exists() else []
    paths = sorted(exclude_paths(str(ctx), list(patterns), dockerfile="Dockerfile"))
    files = [p for p in paths if (ctx / p).is_file() or (ctx / p).is_symlink()]
    archive = create_archive(str(ctx), files=paths)
    try:
        archive.seek(0, os.SEEK_END)
        size = archive.tell()
    finally:
        archive.close()
    return ContextInfo(files, size)


def touch_code(ctx: Path, rel: str = "main.py") -> str:
    """소스 파일 하나에 매번 다른 주석 한 줄을 더한다 ("코드만 바꾼 커밋"). 더한 줄을 돌려준다."""
    line = f"# 코드 변경 {uuid.uuid4().hex[:8]}\n"
    with open(ctx / rel, "a") as f:
        f.write("\n" + line)
    return line.strip()


# ---- Dockerfile 변형 --------------------------------------------------------------

NAIVE_DOCKERFILE = """\
ARG PYTHON_FULL_IMAGE=python:3.13
FROM ${PYTHON_FULL_IMAGE}
WORKDIR /app
COPY . ./sample_app
RUN pip install -r sample_app/requirements.txt
RUN apt-get update && apt-get install -y postgresql-client
EXPOSE 8000
CMD python -m uvicorn sample_app.main:app --host 0.0.0.0 --port 8000
"""
"""시드 연습 문제 1의 Dockerfile을 예제 앱에 맞춘 것: full 이미지, 단일 단계, 소스 먼저, root, 셸 형식 CMD."""

ORDER_BAD = """\
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY . ./sample_app
RUN pip install --no-cache-dir -r sample_app/requirements.txt
"""
"""나쁜 순서: 소스를 먼저 복사하므로 코드 한 줄만 바뀌어도 pip install 층부터 다시 만든다."""

ORDER_GOOD = """\
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . ./sample_app
"""
"""좋은 순서: 의존성 목록만 먼저 복사해 설치한다. 코드가 바뀌어도 pip install 층은 캐시로 건너뛴다."""

SECRET_THEN_RM = """\
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY .env .
RUN grep -c SECRET_KEY .env && rm .env
"""
"""시크릿을 복사해 쓰고 곧바로 지우는 Dockerfile: 마지막 파일 시스템에는 없지만 COPY 층에는 남는다."""

CACHE_MOUNT = """\
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
"""
"""BuildKit 캐시 마운트: pip가 받은 휠을 빌드 사이에 보관한다 (기존 빌더는 이 문법을 모른다)."""


def write_dockerfile(ctx: Path, text: str) -> Path:
    """빌드 컨텍스트의 `Dockerfile`을 이 변형으로 바꾼다 (컨텍스트은 작업 폴더의 복사본이다).

    Dockerfile은 컨텍스트 *안*에 고정된 이름으로 둔다. 컨텍스트 밖의 Dockerfile을 `labs.docker.build`에 주면
    임의의 이름으로 컨텍스트에 끼워 넣는데, 그 파일이 `COPY . …`에 섞여 들어가 매번 COPY 층의 캐시를 깬다.
    """
    path = ctx / "Dockerfile"
    path.write_text(text)
    os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    return path


def build(ctx: Path, tag: str, lab: str, **kwargs: Any) -> docker.BuildResult:
    """`labs.docker.build()`와 같되, 정리 때 찾을 수 있게 레슨 레이블을 붙인다."""
    labels = {IMAGE_LABEL: lab, **kwargs.pop("labels", {})}
    return docker.build(ctx, tag, lab, labels=labels, **kwargs)


def image_summary(report: Any = None) -> list[dict[str, str]]:
    """이 기계가 쓰는 코스 이미지 표와 레지스트리 상태 안내를 출력한다 (05·06 레슨의 준비 셀).

    `report`는 `labs.doctor()`의 결과다: 레지스트리 점검(❌)이면 대체 이미지를 쓴다고 분명히 말한다.
    """
    from .images import IMAGES, image_env

    env = image_env()
    check = report.get("registry") if report is not None else None
    if check is not None and not check.ok:
        print("⚠️ 컨테이너 레지스트리(Docker Hub)에 닿지 않는다: 공식 이미지를 받을 수 없어, "
              "Debian 패키지로 만든 대체 이미지(course-offline/…)를 같은 자리에 쓴다.")
    elif check is not None:
        print("✅ 컨테이너 레지스트리에 닿는다: 공식 이미지를 받아 쓴다.")
    rows = []
    for img in IMAGES:
        if img.group != "core":
            continue
        used = env[img.env]
        rows.append({"변수": img.env, "공식 이미지": img.official, "이 기계에서 쓰는 이미지": used,
                     "대체 이미지": "예" if used.startswith("course-offline/") else "아니오"})
    for row in rows:
        print(f"  {row['변수']:<18} {row['이 기계에서 쓰는 이미지']:<34} (공식: {row['공식 이미지']})")
    return rows


def run_once(image: str, lab: str, command: Sequence[str], timeout: float = 60, **kwargs: Any) -> str:
    """일회성 컨테이너로 명령 하나를 실행하고 출력을 돌려준다 (`docker run --rm image cmd`)."""
    with docker.run(image, lab, command=list(command), wait_healthy=False, **kwargs) as c:
        code = c.wait(timeout=timeout)
        out = c.logs(tail=None, show=False).strip()
    if code != 0:
        raise LabError(f"❌ {josa('`' + ' '.join(command) + '`', '이')} 종료 코드 {code}로 끝났다:\n{out[-500:]}")
    return out


def pid1(container: docker.Container) -> str:
    """컨테이너 안의 PID 1이 무엇인지 (`/proc/1/cmdline`): 셸인가, 앱인가."""
    raw = container.exec(["cat", "/proc/1/cmdline"], show=False).output
    return raw.replace("\0", " ").strip()


def healthcheck_config(tag: str) -> dict[str, Any]:
    """이미지에 적힌 HEALTHCHECK (`docker inspect`): 명령, 간격, 타임아웃, 시작 유예, 재시도."""
    hc = docker.require_docker().images.get(tag).attrs["Config"].get("Healthcheck") or {}
    if not hc.get("Test"):
        return {}
    return {"명령": " ".join(hc["Test"][1:]) if hc["Test"][0] in ("CMD", "CMD-SHELL") else " ".join(hc["Test"]),
            "간격(초)": hc.get("Interval", 0) / 1e9, "타임아웃(초)": hc.get("Timeout", 0) / 1e9,
            "시작 유예(초)": hc.get("StartPeriod", 0) / 1e9, "재시도": hc.get("Retries", 0)}


def text_width(text: str) -> int:
    """터미널에서 차지하는 칸 수 (한글은 두 칸): 표·나란히 보기의 줄을 맞출 때 쓴다."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def side_by_side(left: str, right: str, titles: tuple[str, str] = ("", ""), gap: int = 4) -> None:
    """두 파일을 나란히 출력한다 (한글은 두 칸으로 세어 줄을 맞춘다)."""
    a, b = left.rstrip("\n").splitlines(), right.rstrip("\n").splitlines()
    width = max([text_width(x) for x in a + [titles[0]]] + [20])
    rows = [titles] if any(titles) else []
    rows += [("-" * width, "-" * max(text_width(x) for x in b + [titles[1]]))] if rows else []
    rows += [(a[i] if i < len(a) else "", b[i] if i < len(b) else "") for i in range(max(len(a), len(b)))]
    for x, y in rows:
        print((x + " " * (width - text_width(x) + gap) + y).rstrip())


def lesson_images(lab: str) -> list[str]:
    """이 레슨이 빌드해 남겨 둔 이미지 태그들 (다음 실행의 캐시). 디스크가 모자라면 `docker image rm`으로 지운다."""
    c = docker.require_docker()
    tags = [t for img in c.images.list(filters={"label": f"{IMAGE_LABEL}={lab}"}) for t in img.tags]
    return sorted(tags)


def leftovers(lab: str) -> dict[str, int]:
    """`course.lab=<lab>` 레이블이 붙은 채 남은 컨테이너·네트워크·볼륨 수 (정리 셀의 확인)."""
    c = docker.require_docker()
    flt = {"label": f"{docker.LABEL}={lab}"}
    return {"컨테이너": len(c.containers.list(all=True, filters=flt)), "네트워크": len(c.networks.list(filters=flt)),
            "볼륨": len(c.volumes.list(filters=flt))}


# ---- 빌드 결과 읽기 ----------------------------------------------------------------

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


def build_steps(result: docker.BuildResult) -> list[dict[str, Any]]:
    """빌드 로그를 단계별로 나눈다: 번호, 명령, 캐시를 썼는지 (FROM·ARG처럼 층이 없는 단계는 None)."""
    steps: list[dict[str, Any]] = []
    for line in result.log:
        m = _STEP.match(line.strip())
        if m:
            instr = m.group(3)
            keyword = instr.split()[0].upper()
            steps.append({"단계": int(m.group(1)), "명령": instr,
                          "캐시": None if keyword in ("FROM", "ARG") else False})
        elif steps and "Using cache" in line and steps[-1]["캐시"] is not None:
            steps[-1]["캐시"] = True
    return steps


def step_cached(result: docker.BuildResult, needle: str) -> bool:
    """명령에 `needle`이 들어간 첫 단계가 캐시를 썼는지. 그런 단계가 없으면 LabError."""
    for step in build_steps(result):
        if needle in step["명령"]:
            return bool(step["캐시"])
    raise LabError(f"❌ 빌드 로그에 `{needle}` 단계가 없다.")


def first_rebuilt(result: docker.BuildResult) -> str | None:
    """캐시를 쓰지 못한 첫 단계의 명령 (모두 캐시였으면 None)."""
    for step in build_steps(result):
        if step["캐시"] is False:
            return step["명령"]
    return None


def layer_table(tag: str, base: str | None = None) -> list[dict[str, Any]]:
    """이미지의 층을 오래된 것부터 표로 (`docker history`). `base`를 주면 기반 이미지의 층은 한 줄로 묶는다."""
    rows = docker.history(tag)
    own = rows
    head: list[dict[str, Any]] = []
    if base:
        n = len(docker.history(base))
        own = rows[n:]
        size = sum(r["size_mb"] for r in rows[:n])
        head = [{"명령": f"(기반 이미지 {base}의 층 {n}개)", "크기(MB)": round(size, 1)}]
    return head + [{"명령": r["instruction"], "크기(MB)": r["size_mb"]} for r in own]


# ---- 이미지 속 파일 보기 -----------------------------------------------------------

def read_file(tag: str, path: str, lab: str) -> str | None:
    """이미지 안의 파일을 읽는다: 컨테이너를 만들기만 하고(실행하지 않는다) `docker cp`처럼 꺼낸다. 없으면 None."""
    c = docker.require_docker()
    ctr = c.containers.create(tag, command=["true"], labels={docker.LABEL: lab})
    try:
        try:
            chunks, _ = ctr.get_archive(path)
        except Exception:  # NotFound: 그런 파일이 없다
            return None
        buf = io.BytesIO(b"".join(chunks))
        with tarfile.open(fileobj=buf) as tar:
            member = tar.next()
            if member is None or not member.isfile():
                return None
            f = tar.extractfile(member)
            return f.read().decode(errors="replace") if f else None
    finally:
        ctr.remove(force=True)


class _IterReader(io.RawIOBase):
    """바이트 조각을 내놓는 생성기를 파일처럼 읽게 한다 (`docker save`를 메모리에 다 올리지 않는다)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._it: Iterator[bytes] = iter(chunks)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            try:
                self._buf = next(self._it)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


@dataclass
class LayerHit:
    """`docker save`로 꺼낸 층 안에서 찾은 파일."""

    layer: int          # 1부터 (오래된 층이 1)
    instruction: str    # 그 층을 만든 명령
    path: str
    text: str

    def __str__(self) -> str:
        return f"{self.layer}번째 층 ({self.instruction}) 안의 /{self.path}"


def find_in_layers(tag: str, name: str) -> list[LayerHit]:
    """이미지를 `docker save`로 내보내 모든 층(tar)을 뒤져 이름이 `name`인 파일을 찾는다 (05 레슨: 시크릿 유출).

    나중 층에서 `rm`으로 지운 파일도 아래 층에는 그대로 있다: 이미지를 받은 사람은 누구나 꺼낼 수 있다.
    """
    c = docker.require_docker()
    image = c.images.get(tag)
    found: dict[str, list[tuple[str, str]]] = {}
    manifest: list[dict[str, Any]] = []
    configs: dict[str, dict[str, Any]] = {}

    def scan(layer_name: str, fileobj: Any) -> None:
        try:
            with tarfile.open(fileobj=fileobj, mode="r|") as inner:
                for m in inner:
                    if m.isfile() and Path(m.name).name == name:
                        data = inner.extractfile(m)
                        text = data.read(2000).decode(errors="replace") if data else ""
                        found.setdefault(layer_name, []).append((m.name, text))
        except tarfile.TarError:
            pass  # 층이 아닌 blob

    # 엔진 25 이전의 `docker save`는 `<id>/layer.tar` + `<id>.json`, 그 뒤로는 OCI 모양(`blobs/sha256/…`)이다.
    with tarfile.open(fileobj=io.BufferedReader(_IterReader(image.save(named=False))), mode="r|") as outer:
        for member in outer:
            if not member.isfile():
                continue
            f = outer.extractfile(member)
            if f is None:
                continue
            if member.name == "manifest.json":
                manifest = json.load(f)
            elif member.name.endswith("layer.tar"):
                scan(member.name, f)
            elif member.name.endswith(".json") or (member.name.startswith("blobs/") and member.size < 2 * MB):
                data = f.read()
                try:
                    configs[member.name] = json.loads(data)
                except ValueError:
                    scan(member.name, io.BytesIO(data))
            elif member.name.startswith("blobs/"):
                scan(member.name, f)
    layers = manifest[0]["Layers"] if manifest else []
    config = configs.get(manifest[0]["Config"], {}) if manifest else {}
    made = [h.get("created_by", "") for h in config.get("history", []) if not h.get("empty_layer")]
    hits = []
    for idx, layer in enumerate(layers):
        for path, text in found.get(layer, []):
            instr = made[idx] if idx < len(made) else "?"
            instr = instr.replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ").strip()
            hits.append(LayerHit(idx + 1, docker._short(instr, 70), path, text))
    return hits


# ---- 헬스 체크를 일부러 깨기 --------------------------------------------------------

_SIGNAL_WORKERS = """\
import os, signal
me, n = os.getpid(), 0
for p in filter(str.isdigit, os.listdir('/proc')):
    pid = int(p)
    if pid in (1, me):
        continue
    try:
        cmd = open(f'/proc/{p}/cmdline', 'rb').read()
    except OSError:
        continue
    if b'gunicorn' in cmd or b'uvicorn' in cmd:
        os.kill(pid, signal.SIG%s)
        n += 1
print(n)
"""


def freeze_workers(container: docker.Container, resume: bool = False) -> int:
    """컨테이너 안의 앱 워커를 SIGSTOP으로 얼린다 (`resume=True`면 SIGCONT로 푼다). 신호를 받은 프로세스 수.

    프로세스는 살아 있지만 요청에 답하지 못하는 "멈춘 앱"이다: 헬스 체크만이 이것을 알아챈다.
    PID 1(gunicorn 마스터)은 건드리지 않는다 (컨테이너 안에서 PID 1은 SIGSTOP을 받지 않는다).
    """
    res = container.exec(["python", "-c", _SIGNAL_WORKERS % ("CONT" if resume else "STOP")], show=False)
    if not res.ok:
        raise LabError(f"❌ 워커에 신호를 보내지 못했다: {res.output.strip()[-200:]}")
    return int(res.output.strip().splitlines()[-1])


def stop_timed(container: docker.Container, timeout: float = 5) -> tuple[float, int | None]:
    """`docker stop -t timeout`: 걸린 초와 종료 코드 (0이면 앱이 SIGTERM을 받고 스스로 끝났다, 137이면 SIGKILL)."""
    start = time.monotonic()
    code = container.stop(timeout=timeout)
    return time.monotonic() - start, code


# ---- BuildKit ------------------------------------------------------------------

def buildkit_report() -> tuple[bool, str]:
    """BuildKit(buildx)을 쓸 수 있는지와 한국어 설명 (05 레슨: 캐시 마운트)."""
    if docker.buildkit_available():
        return True, "✅ BuildKit(buildx)이 있다: `RUN --mount=type=cache`와 같은 BuildKit 문법을 쓸 수 있다."
    return False, ("❌ 이 기계에는 BuildKit 클라이언트(buildx 플러그인)가 없다: 기존 빌더(legacy builder)로 "
                   "빌드한다. 캐시 마운트(`RUN --mount=...`)는 쓸 수 없다.")


def buildkit_rebuild(ctx: Path, dockerfile: Path, tag: str) -> list[float]:
    """(BuildKit이 있을 때만) 캐시 마운트 Dockerfile을 두 번 빌드하며 걸린 초를 잰다.

    두 번째 빌드 전에 requirements.txt에 주석을 더해 pip 층을 무효화한다: 캐시 마운트 덕분에
    내려받기 없이 휠을 다시 쓰므로 첫 빌드보다 빨라야 한다. BuildKit이 없으면 LabError.
    """
    if not docker.buildkit_available():
        raise LabError(buildkit_report()[1])
    from .images import image_env

    args = [f"--build-arg={k}={v}" for k, v in image_env().items() if k == "PYTHON_IMAGE"]
    times = []
    for i in range(2):
        if i:
            with open(ctx / "requirements.txt", "a") as f:
                f.write(f"\n# 다시 빌드 {uuid.uuid4().hex[:6]}\n")
        start = time.monotonic()
        out = subprocess.run(["docker", "build", "-q", "-f", str(dockerfile), "-t", tag,
                              "--label", f"{IMAGE_LABEL}={LESSON05}", *args, str(ctx)],
                             capture_output=True, text=True, timeout=600,
                             env={**os.environ, "DOCKER_BUILDKIT": "1"})
        if out.returncode != 0:
            raise LabError(f"❌ BuildKit 빌드가 실패했다:\n{out.stderr[-800:]}")
        times.append(time.monotonic() - start)
    return times


# ---- npm --------------------------------------------------------------------

@dataclass
class NpmPlan:
    """`npm ci --dry-run`의 결과: 설치할 패키지 수, pm2(개발 의존성)가 들어가는지, npm의 경고."""

    flags: str
    packages: int
    has_pm2: bool
    warnings: list[str]


def npm_dry_run(lab: str, *flags: str) -> NpmPlan:
    """`sample_app/node`의 잠금 파일로 `npm ci --dry-run <flags>`를 돌린다 (아무것도 설치하지 않는다).

    작업 폴더에 package.json과 package-lock.json만 복사해서 돌리므로 저장소의 node_modules는 그대로다.
    """
    from .procs import find_binary

    npm = find_binary("npm")
    if npm is None:
        raise LabError("❌ npm이 없다: Node.js 18 이상과 npm을 설치한다 (03 레슨 준비물).")
    ws = _work_root(lab) / "npm"
    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(SAMPLE_APP / "node" / name, ws / name)
    out = subprocess.run([npm, "ci", "--dry-run", "--no-audit", "--no-fund", *flags], cwd=ws,
                         capture_output=True, text=True, timeout=120)
    text = out.stdout + out.stderr
    if out.returncode != 0:
        raise LabError(f"❌ npm ci --dry-run이 실패했다:\n{text[-600:]}")
    m = re.search(r"added (\d+) packages?", text)
    shutil.rmtree(ws, ignore_errors=True)
    return NpmPlan(" ".join(flags), int(m.group(1)) if m else 0, bool(re.search(r"^add pm2 ", text, re.M)),
                   [ln.strip() for ln in text.splitlines() if ln.startswith("npm warn")])


# ---- Compose: 이벤트로 본 시작 순서 ------------------------------------------------

@dataclass
class ContainerEvent:
    """엔진이 알린 컨테이너 사건 하나 (`docker events`)."""

    t: float            # 기록을 시작한 때부터의 초
    service: str
    number: int         # 복제본 번호 (app-1, app-2 …)
    action: str         # create, start, health_status: healthy, die, oom, kill, stop …
    exit_code: int | None = None

    @property
    def who(self) -> str:
        return f"{self.service}-{self.number}"


class EventRecorder:
    """Compose 프로젝트의 컨테이너 사건을 배경에서 기록한다 (06 레슨: 시작 순서, 재시작 정책).

    ```python
    with labs.dockerlab.EventRecorder("course-06") as events:
        stack.up()
    events.started()   # {"db": 0.41, "redis": 0.40, "migrate": 6.1, ...}
    ```
    헬스 체크 명령이 만드는 `exec_*` 사건은 버린다.
    """

    def __init__(self, project: str):
        self.project = project
        self.events: list[ContainerEvent] = []
        self._stream: Any = None
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    def start(self) -> EventRecorder:
        c = docker.require_docker()
        self._t0 = time.time()
        self._stream = c.events(decode=True, since=int(self._t0) - 1, filters={
            "type": "container", "label": f"com.docker.compose.project={self.project}"})
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()
        return self

    def _pump(self) -> None:
        try:
            for ev in self._stream:
                action = ev.get("Action") or ev.get("status") or ""
                if action.startswith("exec_"):
                    continue
                t = ev.get("timeNano", 0) / 1e9 - self._t0
                if t < 0:
                    continue  # since가 초 단위라 직전 사건이 섞일 수 있다
                attrs = (ev.get("Actor") or {}).get("Attributes") or {}
                code = attrs.get("exitCode")
                self.events.append(ContainerEvent(
                    round(t, 2), attrs.get("com.docker.compose.service", "?"),
                    int(attrs.get("com.docker.compose.container-number", 0) or 0), action.strip(),
                    int(code) if code is not None else None))
        except Exception:  # 스트림을 닫으면 읽기가 끊긴다: 정상 종료
            pass

    def stop(self) -> None:
        if self._stream is not None:
            time.sleep(0.3)  # 방금 일어난 사건이 도착할 시간
            try:
                self._stream.close()
            except Exception:
                pass
            self._stream = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> EventRecorder:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- 읽기 ----------------------------------------------------------------
    def first(self, service: str, action: str, after: float = -1.0) -> float | None:
        """`service`의 `action`(앞부분 일치)이 처음 일어난 시각. 없으면 None."""
        for ev in self.events:
            if ev.service == service and ev.action.startswith(action) and ev.t > after:
                return ev.t
        return None

    def started(self) -> dict[str, float]:
        """서비스마다 처음 `start`한 시각, 시작 순서대로."""
        out: dict[str, float] = {}
        for ev in self.events:
            if ev.action == "start" and ev.service not in out:
                out[ev.service] = ev.t
        return out

    def order(self) -> list[str]:
        """서비스가 처음 시작한 순서."""
        return list(self.started())

    def of(self, who: str) -> list[ContainerEvent]:
        """컨테이너 하나(`app-1`처럼)나 서비스 하나(`app`)의 사건들."""
        return [e for e in self.events if e.who == who or e.service == who]

    def rows(self, actions: Sequence[str] = ("create", "start", "health_status", "die", "oom", "kill",
                                              "stop", "destroy")) -> list[dict[str, Any]]:
        """표로 보기 좋은 사건 목록 (시각, 컨테이너, 사건, 종료 코드)."""
        return [{"시각(초)": e.t, "컨테이너": e.who, "사건": e.action,
                 "종료 코드": "" if e.exit_code is None else e.exit_code}
                for e in self.events if e.action.startswith(tuple(actions))]


def gates(events: EventRecorder) -> list[tuple[str, bool, str]]:
    """Compose 스택(compose.yaml)의 시작 조건이 실제 사건 순서에서 지켜졌는지 (06 레슨).

    (설명, 지켜졌나, 근거) 목록: migrate는 db가 healthy가 된 뒤, app은 migrate가 0으로 끝나고
    db·redis가 healthy가 된 뒤, nginx는 app이 healthy가 된 뒤에 시작해야 한다.
    """
    s = events.started()
    healthy = {svc: events.first(svc, "health_status: healthy") for svc in ("db", "redis", "app")}
    migrate_done = next((e.t for e in events.events if e.service == "migrate" and e.action == "die"), None)
    migrate_code = next((e.exit_code for e in events.events if e.service == "migrate" and e.action == "die"), None)

    def after(svc: str, t: float | None) -> bool:
        return svc in s and t is not None and s[svc] >= t

    return [
        ("db·redis가 먼저 시작한다 (기다릴 것이 없다)", all(x in s for x in ("db", "redis")) and
         max(s.get("db", 1e9), s.get("redis", 1e9)) < min(s.get(x, 1e9) for x in ("migrate", "app", "nginx")),
         "db·redis의 start가 다른 서비스보다 앞선다"),
        ("migrate는 db가 healthy가 된 뒤에 시작한다 (service_healthy)", after("migrate", healthy["db"]),
         "db의 health_status: healthy → migrate의 start"),
        ("app은 migrate가 종료 코드 0으로 끝난 뒤에 시작한다 (service_completed_successfully)",
         migrate_code == 0 and after("app", migrate_done), "migrate의 die(exitCode=0) → app의 start"),
        ("app은 db·redis가 healthy가 된 뒤에 시작한다", after("app", max(healthy["db"] or 1e9, healthy["redis"] or 1e9))
         if healthy["db"] and healthy["redis"] else False, "db·redis의 health_status: healthy → app의 start"),
        ("nginx는 app이 healthy가 된 뒤에 시작한다", after("nginx", healthy["app"]),
         "app의 health_status: healthy → nginx의 start"),
    ]


def plot_timeline(events: EventRecorder, *, title: str, save: str | Path | None = None) -> None:
    """컨테이너마다 '시작 중'(start → healthy)과 'healthy', '실행 후 종료' 구간을 가로 막대로 그린다."""
    import matplotlib.pyplot as plt

    from .plots import _finish

    whos: list[str] = []
    for e in events.events:
        if e.action == "start" and e.who not in whos:
            whos.append(e.who)
    end = max((e.t for e in events.events), default=1.0) + 1.0
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(whos) + 1.4))
    colors = {"시작 중": "#f4a261", "healthy": "#2a9d8f", "실행 (헬스 체크 없음)": "#8ab6d6", "종료": "#bbbbbb"}
    used: set[str] = set()
    for y, who in enumerate(reversed(whos)):
        evs = events.of(who)
        start = next(e.t for e in evs if e.action == "start")
        healthy = next((e.t for e in evs if e.action == "health_status: healthy" and e.t >= start), None)
        died = next((e for e in evs if e.action == "die" and e.t >= start), None)
        stop = died.t if died else end
        segments = []
        if healthy is not None:
            segments += [("시작 중", start, healthy), ("healthy", healthy, stop)]
        else:
            segments.append(("실행 (헬스 체크 없음)", start, stop))
        for label, a, b in segments:
            ax.barh(y, max(b - a, 0.05), left=a, color=colors[label], label=None if label in used else label)
            used.add(label)
        if died:
            ax.annotate(f"종료 코드 {died.exit_code}", (died.t, y), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=9)
    ax.set_yticks(range(len(whos)))
    ax.set_yticklabels(list(reversed(whos)))
    ax.set_xlabel("up을 시작한 뒤 경과 시간 (초)")
    ax.set_xlim(0, end)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    _finish(fig, save)


# ---- Compose: 복제본, 한도, 재시작 ----------------------------------------------------

APP_IMAGE_06 = "course-06/sample-app:latest"
"""06 레슨의 스택이 쓰는 앱 이미지 이름 (Compose의 `APP_IMAGE` 변수로 넘긴다)."""


def ensure_app_image(lab: str, progress: bool = False) -> docker.BuildResult:
    """06 레슨의 앱 이미지를 `sample_app/`에서 빌드한다 (`compose.yaml`의 `build:`와 같은 컨텍스트·인자).

    층이 캐시에 있으면 몇 초 만에 끝난다. Compose의 `up`은 이 이미지를 쓰므로 `build=False`로 부른다.
    """
    return docker.build(SAMPLE_APP, APP_IMAGE_06, lab, progress=progress)


def describe_services(config: Mapping[str, Any]) -> list[dict[str, str]]:
    """`docker compose config`의 결과를 서비스마다 한 줄로: 헬스 체크, 기다리는 조건, 호스트 포트, 한도, 재시작."""
    rows = []
    for name, spec in config.get("services", {}).items():
        deps = spec.get("depends_on") or {}
        waits = ", ".join(f"{d}({v.get('condition', '').replace('service_', '')}"
                          f"{', restart' if v.get('restart') else ''})" for d, v in deps.items()) or "—"
        ports = ", ".join(f"{p.get('host_ip') or '0.0.0.0'}:*→{p['target']}" for p in spec.get("ports") or []) or "없음"
        lim = ((spec.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        mem = lim.get("memory")
        mem_text = f"{int(mem) // MB}MiB" if isinstance(mem, (int, str)) and str(mem).isdigit() else (mem or "—")
        hc = spec.get("healthcheck") or {}
        rows.append({"서비스": name, "헬스 체크": "있음" if hc.get("test") and not hc.get("disable") else "—",
                     "기다리는 조건": waits, "호스트 포트": ports,
                     "한도": f"CPU {lim.get('cpus', '—')}, 메모리 {mem_text}" if lim else "—",
                     "재시작": spec.get("restart", "no")})
    return rows


def build_from_copy(folder: Path, src: Path, services: Sequence[str] = ("app", "migrate")) -> Path:
    """앱 서비스들이 저장소의 `sample_app/` 대신 복사본 `src`에서 빌드되게 하는 작은 오버라이드 파일을 쓴다."""
    import yaml

    path = folder / "build-from-copy.yaml"
    path.write_text("# 06 레슨: 빌드 컨텍스트을 작업 폴더의 복사본으로 바꾼다 (저장소의 코드는 고치지 않는다)\n"
                    + yaml.safe_dump({"services": {s: {"build": {"context": str(src)}} for s in services}},
                                     allow_unicode=True))
    return path


def project_volumes(project: str) -> list[str]:
    """Compose 프로젝트가 만든 이름 붙은 볼륨들 (`docker volume ls`), 이름 순."""
    c = docker.require_docker()
    return sorted(v.name for v in c.volumes.list(filters={"label": f"com.docker.compose.project={project}"}))


def ps_summary(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """`compose.ps(all=True)`의 행을 서비스별 한 줄로: 복제본 수, 상태, 헬스, 종료 코드."""
    groups: dict[str, Counter[str]] = {}
    for r in rows:
        state = f"{r.get('State')}" + (f"/{r['Health']}" if r.get("Health") else "")
        if r.get("State") == "exited":
            state += f" (종료 코드 {r.get('ExitCode')})"
        groups.setdefault(r.get("Service", "?"), Counter())[state] += 1
    return [f"{svc}: " + ", ".join(f"{state} ×{n}" if n > 1 else state for state, n in sorted(states.items()))
            for svc, states in sorted(groups.items())]


def stays(container: docker.Container, status: str, seconds: float = 3.0) -> bool:
    """`seconds` 동안 상태가 `status`로 머무는지 지켜본다 (재시작 정책이 다시 띄우지 않는지 확인).

    먼저 그 상태가 되기를 5초까지 기다린 뒤부터 잰다 (엔진이 상태를 바꾸는 데 잠깐 걸릴 수 있다).
    """
    arrive = time.monotonic() + 5
    while container.status() != status and time.monotonic() < arrive:
        time.sleep(0.1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if container.status() != status:
            return False
        time.sleep(0.25)
    return True


def start_again(container: docker.Container, timeout: float = 60.0) -> str:
    """멈춘 컨테이너를 다시 시작하고(`docker start`) healthy가 될 때까지 조용히 기다린다. 마지막 상태를 돌려준다."""
    container._obj.start()
    states = docker.health_transitions(container, timeout=timeout, show=False)
    return states[-1][1] if states else container.status()


def service_containers(project: str, service: str) -> list[docker.Container]:
    """Compose 프로젝트의 한 서비스 컨테이너들을 복제본 번호 순으로 (`labs.docker.Container`로 감싼다)."""
    c = docker.require_docker()
    objs = c.containers.list(all=True, filters={"label": [f"com.docker.compose.project={project}",
                                                          f"com.docker.compose.service={service}"]})
    objs.sort(key=lambda o: int(o.labels.get("com.docker.compose.container-number", 0)))
    return [docker.Container(o, o.labels.get(docker.LABEL, "")) for o in objs]


def replica_names(project: str, service: str = "app") -> dict[str, str]:
    """컨테이너 호스트 이름(= /whoami의 hostname) → `app-1` 같은 복제본 이름."""
    out = {}
    for ctr in service_containers(project, service):
        num = ctr.attrs["Config"]["Labels"].get("com.docker.compose.container-number", "?")
        out[ctr.attrs["Config"]["Hostname"]] = f"{service}-{num}"
    return out


def wait_replicas(url: str, n: int, timeout: float = 30.0) -> set[str]:
    """`/whoami`로 서로 다른 호스트 이름이 `n`개 보일 때까지 요청한다 (nginx가 DNS를 다시 풀 때까지)."""
    import httpx

    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                seen.add(client.get(url).json()["hostname"])
            except (httpx.HTTPError, ValueError, KeyError):
                time.sleep(0.2)
            if len(seen) >= n:
                return seen
    raise LabError(Explanation(f"{timeout:.0f}초 동안 복제본 {len(seen)}개만 보였다 (기대: {n}개).",
                               "`stack.ps()`로 복제본이 모두 healthy인지, nginx의 resolver 설정을 확인한다.",
                               ).render("nginx 뒤의 복제본이 모두 보이지 않는다"))


def spread(result: Any, names: Mapping[str, str] | None = None) -> dict[str, int]:
    """`labs.load(..., keep_body=True)` 결과에서 응답한 복제본별 건수 (이름 순)."""
    counts: Counter[str] = Counter()
    for s in result.samples:
        if s.status == 200 and s.body:
            try:
                host = json.loads(s.body)["hostname"]
            except (ValueError, KeyError):
                continue
            counts[(names or {}).get(host, host)] += 1
    return dict(sorted(counts.items()))


@dataclass
class OomResult:
    """메모리 한도 실험의 결과."""

    limit_mb: int
    exit_code: int
    oom_killed: bool
    reached_mb: int     # 죽기 전에 잡았다고 보고한 양

    def __str__(self) -> str:
        mark = "✅" if self.oom_killed else "❌"
        return (f"{mark} 한도 {self.limit_mb} MiB 컨테이너: 종료 코드 {self.exit_code}, "
                f"OOMKilled={self.oom_killed}")


_ALLOCATE = """\
import sys
chunks = []
for i in range(1, %d + 1):
    chunks.append(b"x" * (8 * 1024 * 1024))   # 8 MiB씩 실제로 채운다 (0으로 둔 메모리는 잡히지 않는다)
    print(i * 8, flush=True)
"""


def oom_probe(image: str, lab: str, *, limit_mb: int = 64, allocate_mb: int = 256, timeout: float = 60) -> OomResult:
    """메모리 한도 `limit_mb`인 일회성 컨테이너에서 `allocate_mb`를 잡아 본다 (06 레슨: 리소스 제한).

    스왑도 같은 값으로 묶는다(`memswap_limit`): 그래야 한도를 넘는 순간 커널의 OOM killer가 프로세스를 끝낸다.
    """
    c = docker.run(image, lab, command=["python", "-c", _ALLOCATE % (allocate_mb // 8)], wait_healthy=False,
                   mem_limit=f"{limit_mb}m", memswap_limit=f"{limit_mb}m")
    try:
        code = c.wait(timeout=timeout)
        state = c.reload()["State"]
        lines = [ln for ln in c.logs(tail=None, show=False).split() if ln.isdigit()]
        return OomResult(limit_mb, code, bool(state.get("OOMKilled")), int(lines[-1]) if lines else 0)
    finally:
        c.stop(timeout=1)


def limits(container: docker.Container) -> dict[str, Any]:
    """컨테이너에 걸린 한도 (엔진이 실제로 적용한 값: `docker inspect`의 HostConfig)."""
    hc = container.reload()["HostConfig"]
    return {"메모리 한도(MiB)": (hc.get("Memory") or 0) // MB or None,
            "CPU 한도(코어)": (hc.get("NanoCpus") or 0) / 1e9 or None,
            "재시작 정책": (hc.get("RestartPolicy") or {}).get("Name") or "no"}


def memory_usage_mb(container: docker.Container) -> float:
    """지금 쓰는 메모리(MiB, 페이지 캐시 제외) — `docker stats`의 MEM USAGE와 같은 계산."""
    stats = container._obj.stats(stream=False)
    mem = stats.get("memory_stats", {})
    cache = (mem.get("stats") or {}).get("total_inactive_file", (mem.get("stats") or {}).get("inactive_file", 0))
    return (mem.get("usage", 0) - cache) / MB


def crash(container: docker.Container) -> str:
    """컨테이너의 주 프로세스가 갑자기 죽은 상황을 만든다 (06 레슨: 재시작 정책). 한 일을 설명으로 돌려준다.

    리눅스 호스트에서 권한이 있으면 호스트 쪽에서 주 프로세스에 SIGKILL을 보낸다 (프로세스가 스스로 죽은 것과 같다).
    그럴 수 없으면(Docker Desktop, 다른 사용자) 컨테이너 안에서 PID 1에 SIGTERM을 보내 스스로 끝나게 한다.
    `docker kill`/`docker stop`은 쓰지 않는다: 엔진은 그것을 "사람이 멈춘 것"으로 보고 다시 시작하지 않는다.
    """
    state = container.reload()["State"]
    pid = int(state.get("Pid") or 0)
    cgroup = Path(f"/proc/{pid}/cgroup")
    try:
        mine = pid > 0 and container.id in cgroup.read_text()
    except OSError:
        mine = False
    if mine:
        try:
            os.kill(pid, signal.SIGKILL)
            return "호스트에서 주 프로세스에 SIGKILL (갑작스러운 종료)"
        except PermissionError:
            pass
    container.exec(["sh", "-c", "kill -TERM 1"], show=False)
    return "컨테이너 안에서 PID 1에 SIGTERM (프로세스가 스스로 끝남)"


def wait_restarted(container: docker.Container, before: int, timeout: float = 60.0) -> dict[str, Any]:
    """재시작 횟수가 `before`보다 커지고 다시 healthy가 될 때까지 기다린다."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attrs = container.reload()
        health = (attrs["State"].get("Health") or {}).get("Status")
        if attrs["RestartCount"] > before and attrs["State"]["Status"] == "running" and health in (None, "healthy"):
            return {"재시작 횟수": attrs["RestartCount"], "상태": attrs["State"]["Status"], "헬스": health}
        time.sleep(0.3)
    raise LabError(Explanation(f"{timeout:.0f}초 안에 다시 healthy가 되지 않았다.",
                               "재시작 정책(`restart:`)과 컨테이너 로그를 확인한다.").render(
        f"{josa(container.name, '이')} 다시 시작되지 않았다"))


# ---- 진짜 명령을 보이며 실행 ----------------------------------------------------

def shown_path(path: str | Path) -> str:
    """명령 줄에 보일 경로: 저장소 안이면 저장소 루트에서 본 상대 경로, 밖(작업 폴더)이면 파일 이름만.
    저장된 출력에 이 기계의 절대 경로가 남지 않게 한다."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(registry.PROJECT_ROOT.resolve()))
    except ValueError:
        return p.name


def compose_command(stack: docker.Compose, *args: str) -> str:
    """`stack`이 실행할 `docker compose` 명령을 저장소 루트에서 그대로 따라 칠 수 있는 한 줄로 돌려준다.
    (실습 도구가 붙이는 `--ansi never --progress plain`과 `--project-directory`는 출력 모양만 바꾸므로 뺀다.)"""
    files = [x for f in stack.files for x in ("-f", shown_path(f))]
    return shlex.join(["docker", "compose", "-p", stack.project, *files, *args])


def compose_run(stack: docker.Compose, *args: str, stdin: Path | None = None, show: bool = True,
                timeout: float = 180) -> docker.CommandResult:
    """`$ docker compose -p … <args>`를 먼저 찍고 실행한다. `stdin`을 주면 그 파일을 명령의 표준 입력으로 보낸다
    (`… exec -T app python - < labs/redis_fill.py`). 출력은 `show`이면 두 칸 들여 찍고, 실패하면 한국어 오류."""
    print("$ " + compose_command(stack, *args) + (f" < {shown_path(stdin)}" if stdin else ""), flush=True)
    if stdin is None:
        # 끝난 뒤에 한꺼번에 찍는다: 바쁜 기계에서 끼어드는 '기다리는 중' 줄 없이 저장된 출력이 실행마다 같다
        result = stack.run(*args, show=False, timeout=timeout)
        if show and result.output.strip():
            print("\n".join("  " + line for line in result.output.splitlines()), flush=True)
        return result
    start = time.monotonic()
    try:
        proc = subprocess.run(stack.argv(*args), input=stdin.read_bytes(), env=stack.env(), cwd=stack.project_dir,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"❌ {timeout:g}초 안에 끝나지 않았다: {compose_command(stack, *args)}") from exc
    out = proc.stdout.decode(errors="replace").rstrip()
    if show and out:
        print("\n".join("  " + line for line in out.splitlines()), flush=True)
    if proc.returncode != 0:
        raise LabError(f"❌ 종료 코드 {proc.returncode}: {compose_command(stack, *args)}\n{out[-800:]}")
    return docker.CommandResult(stack.argv(*args), proc.returncode, out, time.monotonic() - start)


# ---- depends_on의 restart: true ------------------------------------------------

def start_marks(containers: Iterable[docker.Container]) -> dict[str, dict[str, Any]]:
    """컨테이너마다 마지막 시작 시각(`State.StartedAt`)과 재시작 정책이 다시 띄운 횟수(`RestartCount`).
    앞뒤로 재어 비교하면 누가 다시 시작됐는지, 엔진(재시작 정책)이 했는지 알 수 있다."""
    marks = {}
    for c in containers:
        attrs = c.reload()
        labels = attrs["Config"]["Labels"]
        name = f"{labels.get('com.docker.compose.service', c.name)}-{labels.get('com.docker.compose.container-number', '1')}"
        marks[name] = {
            "StartedAt": attrs["State"].get("StartedAt", ""), "RestartCount": int(attrs.get("RestartCount", 0))}
    return marks


def restarted(before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """`start_marks` 두 번 사이에 다시 시작된(StartedAt이 바뀐) 컨테이너 이름들."""
    return [name for name in after if name in before and after[name]["StartedAt"] != before[name]["StartedAt"]]


def marks_table(before: Mapping[str, Mapping[str, Any]], *afters: tuple[str, Mapping[str, Mapping[str, Any]]],
                ) -> list[dict[str, Any]]:
    """`start_marks`들을 표로: 단계마다 StartedAt(초 단위까지)과 RestartCount."""
    rows = []
    for name in before:
        row: dict[str, Any] = {"컨테이너": name, "처음 StartedAt": before[name]["StartedAt"][11:19],
                               "처음 RestartCount": before[name]["RestartCount"]}
        for label, marks in afters:
            row[f"{label} StartedAt"] = marks[name]["StartedAt"][11:19]
            row[f"{label} RestartCount"] = marks[name]["RestartCount"]
        rows.append(row)
    return rows


def wait_healthy_all(containers: Iterable[docker.Container], timeout: float = 90.0) -> list[str]:
    """컨테이너들이 모두 healthy(헬스 체크가 없으면 running)가 될 때까지 조용히 기다린다 (저장된 출력이 실행마다
    같게: 기다리는 동안 아무것도 찍지 않는다). 마지막 상태들을 돌려준다."""
    deadline = time.monotonic() + timeout
    states: list[str] = []
    for c in containers:
        while True:
            state = c.reload()["State"]
            now = (state.get("Health") or {}).get("Status") or state["Status"]
            if now in ("healthy", "running") and (now == "healthy" or not state.get("Health")):
                states.append(now)
                break
            if state["Status"] in ("exited", "dead") or time.monotonic() > deadline:
                raise LabError(Explanation(f"{timeout:.0f}초 안에 healthy가 되지 않았다 (지금: {now}).",
                                           "`stack.ps()`와 컨테이너 로그로 어느 서비스가 멈췄는지 확인한다.",
                                           ).render(f"{josa(c.name, '이')} 준비되지 않았다", c.logs(15, show=False)))
            time.sleep(0.3)
    return states


# ---- 백킹 서비스의 설정: Redis maxmemory, PostgreSQL init 스크립트 ---------------------

REDIS_FILL = registry.PROJECT_ROOT / "labs" / "redis_fill.py"
INITDB_LINE = "running /docker-entrypoint-initdb.d/"


def redis_config(stack: docker.Compose, *names: str, show: bool = True) -> dict[str, str]:
    """`$ docker compose … exec -T redis redis-cli CONFIG GET <names>`: 돌아온 이름·값 쌍을 dict로.
    Redis는 쌍을 정해지지 않은 순서로 돌려주므로, `show`이면 물어본 순서대로 `이름 = 값`을 찍는다."""
    out = compose_run(stack, "exec", "-T", "redis", "redis-cli", "CONFIG", "GET", *names, show=False).output
    words = [w.strip() for w in out.splitlines() if w.strip()]
    pairs = dict(zip(words[::2], words[1::2]))
    if show:
        print("\n".join(f"  {name} = {pairs[name]}" for name in names if name in pairs), flush=True)
    return pairs


def redis_info(stack: docker.Compose, section: str = "stats", show: bool = False) -> dict[str, str]:
    """`redis-cli INFO <section>`의 `이름:값` 줄들을 dict로 (`evicted_keys`, `used_memory` …)."""
    out = compose_run(stack, "exec", "-T", "redis", "redis-cli", "INFO", section, show=show).output
    return dict(line.strip().split(":", 1) for line in out.splitlines() if ":" in line and not line.startswith("#"))


def initdb_lines(container: docker.Container) -> list[str]:
    """PostgreSQL 컨테이너 로그에서 `/docker-entrypoint-initdb.d`의 스크립트를 실행한 줄들.
    빈 데이터 폴더로 처음 시작한 컨테이너에만 있다 (공식 이미지와 코스의 대체 이미지가 같은 줄을 찍는다)."""
    log = container.logs(tail=None, show=False)
    return [line[line.index(INITDB_LINE):].strip() for line in log.splitlines() if INITDB_LINE in line]


# ---- 개발용 오버라이드: 핫 리로드 ----------------------------------------------------

HELLO_ROUTE = '''

@router.get("/hello", summary="핫 리로드 실습 (06 레슨)")
async def hello() -> dict:
    return {"message": %r}
'''


def set_hello(src: Path, message: str) -> None:
    """복사본의 `routes/info.py`에 `/hello` 엔드포인트를 더하거나 그 메시지를 바꾼다 (저장소 원본은 그대로)."""
    f = src / "routes" / "info.py"
    text = f.read_text()
    marker = '\n\n@router.get("/hello"'
    if marker in text:
        text = text[: text.index(marker)]
    f.write_text(text + HELLO_ROUTE % message)


def wait_for(url: str, check: Callable[[Any], bool], timeout: float = 30.0) -> float:
    """`url`의 응답이 `check`를 만족할 때까지 요청한다. 걸린 초를 돌려준다 (핫 리로드 지연 측정)."""
    import httpx

    start = time.monotonic()
    last = ""
    with httpx.Client(timeout=3) as client:
        while time.monotonic() - start < timeout:
            try:
                resp = client.get(url)
                if check(resp):
                    return time.monotonic() - start
                last = f"HTTP {resp.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(0.1)
    raise LabError(Explanation(f"{timeout:.0f}초 동안 바뀐 응답이 오지 않았다 (마지막: {last}).",
                               "바인드 마운트 경로와 `--reload`가 켜졌는지 `stack.logs('app')`로 확인한다.",
                               ).render(f"{josa(url, '이')} 바뀌지 않았다"))

"""오프라인 이미지 키트: 코스가 쓰는 이미지를 준비한다 (05·06 레슨, 교실 준비, CI).

    python -m labs.images prepare      # 받을 수 있으면 공식 이미지를 받고, 아니면 대체 이미지를 만든다
    python -m labs.images status       # 무엇을 쓰는지 표로 본다
    python -m labs.images env          # 셸에서 쓸 KEY=값 줄 (set -a; . <(…); set +a)

레지스트리에 닿지 않으면(에어갭, Docker Hub 제한, CI) Debian 패키지로 **대체 이미지**를 만든다:
debootstrap으로 Debian 기반을 한 번 만들어 `docker import`하고, 그 위에 `labs/offline/<이름>/Dockerfile`을
빌드한다. 대체 이미지는 `course-offline/...` 이름만 쓰고 공식 이름으로는 절대 태그하지 않는다.

코스 파일은 이미지를 변수로 부른다 (`ARG PYTHON_IMAGE=python:3.13-slim`, `${POSTGRES_IMAGE:-postgres:17-alpine}`).
키트는 고른 이미지를 `<상태 폴더>/images.env`에 적고, `compose/.env`의 관리 구역에도 적는다.
`labs.docker.build()`와 `labs.docker.Compose`는 이 값을 자동으로 쓴다.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docker.errors import APIError, ImageNotFound

from . import registry
from .errors import Explanation, LabError
from .korean import particle

OFFLINE_DIR = Path(__file__).resolve().parent / "offline"
SUITE = "trixie"
BASE_TAG = f"course-offline/debian:{SUITE}-slim"
RECIPE_LABEL = "course.offline.recipe"
BASE_RECIPE_VERSION = "3"  # 기반 이미지를 만드는 코드가 바뀌면 올린다 (캐시 무효화).
COMPOSE_ENV = registry.PROJECT_ROOT / "compose" / ".env"
_BLOCK_BEGIN = "# >>> labs.images (python -m labs.images prepare 가 관리한다: 고치지 않는다)"
_BLOCK_END = "# <<< labs.images"


@dataclass(frozen=True)
class CourseImage:
    """코스가 쓰는 이미지 하나: 어떤 변수로 부르는지, 공식 이름, 대체 이미지 이름과 레시피."""

    key: str
    env: str
    official: str
    offline: str
    recipe: str
    lesson: str
    parent: str | None = None  # 대체 이미지가 다른 대체 이미지 위에 쌓이면 그 key
    group: str = "core"        # core: 레슨과 테스트, dev: 연습 문제 3의 개발 도구


IMAGES: tuple[CourseImage, ...] = (
    CourseImage("python-slim", "PYTHON_IMAGE", "python:3.13-slim", "course-offline/python:3.13-slim",
                "python-slim", "05 다단계 빌드의 기반"),
    CourseImage("python-full", "PYTHON_FULL_IMAGE", "python:3.13", "course-offline/python:3.13",
                "python-full", "05 크기 비교, 연습 문제 1", parent="python-slim"),
    CourseImage("postgres", "POSTGRES_IMAGE", "postgres:17-alpine", "course-offline/postgres:17",
                "postgres", "06 Compose 스택의 DB"),
    CourseImage("redis", "REDIS_IMAGE", "redis:8-alpine", "course-offline/redis:8",
                "redis", "06 Compose 스택의 캐시"),
    CourseImage("nginx", "NGINX_IMAGE", "nginx:1.28-alpine", "course-offline/nginx:1.26",
                "nginx", "04·06 역방향 프록시"),
    CourseImage("node", "NODE_IMAGE", "node:22-slim", "course-offline/node:22",
                "node", "03·05 Express 쌍둥이 앱"),
    CourseImage("redis-commander", "REDIS_COMMANDER_IMAGE", "rediscommander/redis-commander:latest",
                "course-offline/redis-commander:0.9", "redis-commander", "연습 문제 3", parent="node",
                group="dev"),
    CourseImage("maildev", "MAILDEV_IMAGE", "maildev/maildev:2.2.1", "course-offline/maildev:2",
                "maildev", "연습 문제 3", parent="node", group="dev"),
)
BY_KEY = {img.key: img for img in IMAGES}


# ---- 고른 이미지 (images.env) --------------------------------------------

def env_file() -> Path:
    return registry.state_dir() / "images.env"


def defaults() -> dict[str, str]:
    """아무것도 준비하지 않았을 때의 값: 공식 이미지."""
    return {img.env: img.official for img in IMAGES}


def image_env(*, resolve: bool = True) -> dict[str, str]:
    """코스 파일의 이미지 변수와 지금 쓸 값 (05·06 레슨). `prepare` 전에는 공식 이미지 이름.

    `resolve=True`(기본)면 공식 이미지가 이 기계에 없고 대체 이미지는 있을 때 대체 이미지를 고른다:
    다른 클론이나 일부만(`skip_dev`) 돈 `prepare`가 만든 대체 이미지도 그대로 쓴다 (예: 새 클론에서의 일괄 채점).
    셸에서 정한 값은 건드리지 않는다.
    """
    env = defaults()
    f = env_file()
    if f.exists():
        for line in f.read_text().splitlines():
            m = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line.strip())
            if m:
                env[m.group(1)] = m.group(2)
    for key in env:  # 셸에서 직접 정한 값이 이긴다 (강사가 사내 레지스트리 이미지를 쓸 때).
        if os.environ.get(key):
            env[key] = os.environ[key]
    if resolve:
        _prefer_present(env)
    return env


def _prefer_present(env: dict[str, str]) -> None:
    from .docker import client

    todo = [img for img in IMAGES if env.get(img.env) == img.official and not os.environ.get(img.env)]
    if not todo:
        return
    try:
        c = client(timeout=10)
        for img in todo:
            if _has(c, img.offline) and not _has(c, img.official):
                env[img.env] = img.offline
    except Exception:  # noqa: BLE001  엔진이 없거나 답하지 않으면 적힌 값을 그대로 쓴다
        return


def _has(c, ref: str) -> bool:
    try:
        c.images.get(ref)
        return True
    except ImageNotFound:
        return False


def _write_env(chosen: dict[str, str]) -> None:
    env = {**image_env(resolve=False), **chosen}
    text = "".join(f"{k}={v}\n" for k, v in sorted(env.items()))
    f = env_file()
    tmp = f.with_suffix(".tmp")
    tmp.write_text("# python -m labs.images prepare 가 고른 이미지\n" + text)
    tmp.replace(f)
    _write_compose_block(text)


def _write_compose_block(text: str) -> None:
    """compose/.env 의 관리 구역만 바꾼다: 사용자가 적은 다른 줄(SECRET_KEY 등)은 그대로 둔다."""
    if not COMPOSE_ENV.parent.exists():
        return
    old = COMPOSE_ENV.read_text() if COMPOSE_ENV.exists() else ""
    pattern = re.compile(re.escape(_BLOCK_BEGIN) + r".*?" + re.escape(_BLOCK_END) + r"\n?", re.S)
    block = f"{_BLOCK_BEGIN}\n{text}{_BLOCK_END}\n"
    new = pattern.sub(lambda _: block, old) if pattern.search(old) else (old.rstrip("\n") + "\n\n" if old.strip()
                                                                          else "") + block
    COMPOSE_ENV.write_text(new)


# ---- 추가 CA (사내 프록시, CI) ---------------------------------------------

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
LOCAL_CA_DIR = Path("/usr/local/share/ca-certificates")


def _norm(pem: str) -> str:
    return "".join(pem.split())


@lru_cache(maxsize=4)
def _extra_certs(setting: str | None) -> tuple[str, ...]:
    if setting and setting.lower() == "none":
        return ()
    if setting:
        path = Path(setting)
        if not path.exists():
            raise LabError(f"❌ COURSE_EXTRA_CA 파일이 없다: {setting}\n   해결: PEM 파일 경로를 주거나 none으로 끈다.")
        return tuple(_PEM.findall(path.read_text(errors="replace")))
    # 기본: 이 기계의 관리자가 더한 CA (사내 프록시 CA는 보통 여기 있다).
    certs: list[str] = []
    if LOCAL_CA_DIR.is_dir():
        for f in sorted(LOCAL_CA_DIR.rglob("*.crt")):
            certs += _PEM.findall(f.read_text(errors="replace"))
    return tuple(certs)


def extra_ca_certs() -> tuple[str, ...]:
    """이미지 안에서 더 믿어야 할 CA 인증서들 (PEM). `COURSE_EXTRA_CA=파일`로 주고, `none`으로 끈다.

    주지 않으면 이 기계에 관리자가 더한 CA(`/usr/local/share/ca-certificates/*.crt`)를 쓴다.
    """
    return _extra_certs(os.environ.get("COURSE_EXTRA_CA"))


def extra_ca_pem() -> str | None:
    """빌드 컨텍스트에 넣을 CA 묶음 (`pip`의 PIP_CERT, `npm`의 NODE_EXTRA_CA_CERTS가 읽는다).

    추가 CA가 없으면 None (공식 이미지의 기본 묶음으로 충분하다). 있으면 이 기계의 시스템 묶음에 더해
    돌려준다: PIP_CERT는 묶음을 통째로 바꾸므로 일반 CA도 함께 있어야 한다.
    """
    extra = extra_ca_certs()
    if not extra:
        return None
    certs = _PEM.findall(SYSTEM_BUNDLE.read_text(errors="replace")) if SYSTEM_BUNDLE.exists() else []
    seen = {_norm(c) for c in certs}
    certs += [c for c in extra if _norm(c) not in seen]
    return "\n".join(certs) + "\n"


# ---- 출력 ------------------------------------------------------------------

def _say(msg: str) -> None:
    print(msg, flush=True)


# ---- Debian 기반 이미지 ------------------------------------------------------

def _mirror() -> str:
    return os.environ.get("COURSE_DEBIAN_MIRROR", "http://deb.debian.org/debian").rstrip("/")


def _security_mirror() -> str:
    return os.environ.get("COURSE_DEBIAN_SECURITY_MIRROR", "http://deb.debian.org/debian-security").rstrip("/")


def _base_hash() -> str:
    h = hashlib.sha256()
    for part in (BASE_RECIPE_VERSION, SUITE, _mirror(), _security_mirror(), *extra_ca_certs()):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


_APT_CONF = {
    # 공식 debian 이미지와 같은 apt 설정: 내려받은 .deb를 남기지 않고, 번역 목록을 받지 않는다.
    "docker-clean": 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
                    '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
                    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
                    '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
                    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
}
# slim 이미지처럼 문서·매뉴얼·번역은 설치하지 않는다 (저작권 파일은 남긴다).
_DPKG_EXCLUDE = """path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
"""


def _customize_rootfs(root: Path) -> None:
    (root / "etc/apt/sources.list").unlink(missing_ok=True)
    (root / "etc/apt/sources.list.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/apt/sources.list.d/debian.sources").write_text(
        f"Types: deb\nURIs: {_mirror()}\nSuites: {SUITE} {SUITE}-updates\nComponents: main\n"
        f"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        f"Types: deb\nURIs: {_security_mirror()}\nSuites: {SUITE}-security\nComponents: main\n"
        f"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
    for name, text in _APT_CONF.items():
        (root / "etc/apt/apt.conf.d" / name).write_text(text)
    (root / "etc/dpkg/dpkg.cfg.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/dpkg/dpkg.cfg.d/docker-slim").write_text(_DPKG_EXCLUDE)
    # 빌드 중 apt가 서비스(nginx, postgres…)를 띄우려 하지 않게 한다 (공식 debian 이미지와 같다).
    rc = root / "usr/sbin/policy-rc.d"
    rc.write_text("#!/bin/sh\nexit 101\n")
    rc.chmod(0o755)
    for sub in ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/groff",
                "usr/share/lintian", "var/lib/apt/lists", "var/cache/apt/archives", "var/log"):
        d = root / sub
        if not d.is_dir():
            continue
        for item in d.iterdir():
            if sub == "usr/share/doc" and item.is_dir():
                for f in item.iterdir():
                    if f.name != "copyright":
                        shutil.rmtree(f) if f.is_dir() and not f.is_symlink() else f.unlink()
                continue
            if item.name in ("partial", "lock"):
                continue
            shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
    (root / "etc/machine-id").write_text("")
    (root / "etc/hostname").write_text("localhost\n")
    (root / "etc/resolv.conf").unlink(missing_ok=True)
    # 추가 CA: 이미지의 기본 묶음에 없는 것만 로컬 CA로 더한다 (update-ca-certificates가 묶음을 다시 만든다).
    bundle = root / "etc/ssl/certs/ca-certificates.crt"
    have = {_norm(c) for c in _PEM.findall(bundle.read_text(errors="replace"))} if bundle.exists() else set()
    extra = [c for c in extra_ca_certs() if _norm(c) not in have]
    if extra:
        dest = root / "usr/local/share/ca-certificates"
        dest.mkdir(parents=True, exist_ok=True)
        for i, pem in enumerate(extra):
            (dest / f"course-extra-{i:03d}.crt").write_text(pem + "\n")
        subprocess.run(["chroot", str(root), "update-ca-certificates"], check=True, capture_output=True)
        _say(f"   추가 CA {len(extra)}개를 기반 이미지에 넣었다 (pip·npm·apt가 사내 프록시를 믿게)")


def _run_streamed(argv: list[str], timeout: float, what: str) -> None:
    from .docker import _stream

    res = _stream(argv, env=os.environ, cwd=registry.PROJECT_ROOT, timeout=timeout, show=False, label=what)
    if not res.ok:
        raise LabError(Explanation(f"{what}{particle(what, '이')} 실패했다 (종료 코드 {res.returncode}).",
                                   "Debian 미러에 닿는지(COURSE_DEBIAN_MIRROR), 디스크 공간이 넉넉한지 확인한다.",
                                   ).render(f"{what} 실패", "\n".join(res.output.splitlines()[-20:])))


def ensure_base(force: bool = False) -> str:
    """모든 대체 이미지가 공유하는 Debian 기반 이미지를 준비한다 (debootstrap → docker import).

    루트 파일 시스템 tar는 상태 폴더에 캐시한다: 이미지를 지워도 다시 만들 때 debootstrap을 건너뛴다.
    """
    from .docker import require_docker

    c = require_docker()
    want = _base_hash()
    try:
        img = c.images.get(BASE_TAG)
        if not force and (img.labels or {}).get(RECIPE_LABEL) == want:
            return BASE_TAG
    except ImageNotFound:
        pass
    cache = registry.state_dir() / "offline"
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / f"debian-{SUITE}-rootfs-{want}.tar"
    if force or not tarball.exists():
        if shutil.which("debootstrap") is None:
            raise LabError(Explanation("debootstrap이 없다: 레지스트리 없이 기반 이미지를 만들 때 필요하다.",
                                       "`apt-get install debootstrap` 뒤 다시 실행한다.",
                                       ).render("대체 이미지의 기반을 만들 수 없다"))
        if os.geteuid() != 0:
            raise LabError(Explanation("debootstrap은 root 권한이 필요하다.",
                                       "`sudo .venv/bin/python -m labs.images prepare`로 실행한다.",
                                       ).render("대체 이미지의 기반을 만들 수 없다"))
        for old in cache.glob(f"debian-{SUITE}-rootfs-*.tar"):
            old.unlink()
        work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=cache))
        root = work / "rootfs"
        t = time.monotonic()
        _say(f"   debootstrap {SUITE} (minbase) … 보통 30초쯤 걸린다")
        try:
            _run_streamed(["debootstrap", "--variant=minbase", "--include=ca-certificates", SUITE, str(root),
                           _mirror()], timeout=900, what="debootstrap")
            _customize_rootfs(root)
            part = tarball.with_suffix(".part")
            _run_streamed(["tar", "--numeric-owner", "-C", str(root), "--exclude=./dev/*", "--exclude=./proc/*",
                           "--exclude=./sys/*", "-cf", str(part), "."], timeout=300, what="rootfs 묶기")
            part.replace(tarball)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _say(f"   루트 파일 시스템 {tarball.stat().st_size / 1e6:.0f}MB ({time.monotonic() - t:.0f}초)")
    c.api.import_image_from_file(str(tarball), repository=BASE_TAG.split(":")[0], tag=BASE_TAG.split(":")[1],
                                 changes=["ENV LANG=C.UTF-8", 'CMD ["bash"]', f"LABEL {RECIPE_LABEL}={want}",
                                          f"LABEL course.offline.official=debian:{SUITE}-slim"])
    _say(f"   ✅ {BASE_TAG} (docker import)")
    return BASE_TAG


# ---- 대체 이미지 -------------------------------------------------------------

def _recipe_hash(img: CourseImage, base_id: str, parent_id: str | None) -> str:
    h = hashlib.sha256()
    folder = OFFLINE_DIR / img.recipe
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f.relative_to(folder).as_posix().encode())
        h.update(f.read_bytes())
    h.update(base_id.encode())
    h.update((parent_id or "").encode())
    return h.hexdigest()[:16]


def _standin_current(img: CourseImage) -> bool:
    """대체 이미지가 있고 레시피(와 그 아래 이미지들)가 바뀌지 않았는지: 네트워크 없이 확인한다."""
    from .docker import require_docker

    c = require_docker()
    try:
        base = c.images.get(BASE_TAG)
        if (base.labels or {}).get(RECIPE_LABEL) != _base_hash():
            return False
        parent_id = None
        if img.parent:
            if not _standin_current(BY_KEY[img.parent]):
                return False
            parent_id = c.images.get(BY_KEY[img.parent].offline).id
        current = c.images.get(img.offline)
    except ImageNotFound:
        return False
    return (current.labels or {}).get(RECIPE_LABEL) == _recipe_hash(img, base.id, parent_id)


def ensure_standin(img: CourseImage, *, force: bool = False, progress: bool = True) -> str:
    """대체 이미지 하나를 준비한다: 레시피가 같으면 그대로 쓰고, 바뀌었거나 없으면 빌드한다."""
    from .docker import build, require_docker

    c = require_docker()
    base = c.images.get(ensure_base())
    parent_tag = ensure_standin(BY_KEY[img.parent], progress=progress) if img.parent else None
    parent_id = c.images.get(parent_tag).id if parent_tag else None
    want = _recipe_hash(img, base.id, parent_id)
    try:
        current = c.images.get(img.offline)
        if not force and (current.labels or {}).get(RECIPE_LABEL) == want:
            return img.offline
    except ImageNotFound:
        pass
    args = {"BASE_IMAGE": BASE_TAG}
    if parent_tag:
        args["PARENT_IMAGE"] = parent_tag
    build(OFFLINE_DIR / img.recipe, img.offline, "images", buildargs=args, progress=progress, extra_ca=False,
          labels={RECIPE_LABEL: want, "course.offline.official": img.official}, timeout=1800)
    return img.offline


# ---- 받기 --------------------------------------------------------------------

def _pull(ref: str) -> tuple[bool, str]:
    """공식 이미지를 받아 본다. (성공?, 실패 이유)."""
    from .docker import require_docker

    c = require_docker()
    repo, _, tag = ref.rpartition(":") if ":" in ref.split("/")[-1] else (ref, "", "latest")
    try:
        last = time.monotonic()
        for chunk in c.api.pull(repo, tag=tag, stream=True, decode=True):
            if "error" in chunk:
                return False, chunk["error"]
            if time.monotonic() - last > 3:
                _say(f"      … {chunk.get('status', '')} {chunk.get('progress', '')}".rstrip())
                last = time.monotonic()
        c.images.get(ref)
        return True, ""
    except Exception as exc:  # noqa: BLE001  네트워크·레지스트리 오류는 여러 모양이다
        text = str(exc)
        m = re.search(r'\("(.*)"\)', text)  # SDK 오류 문자열 속 데몬의 메시지만 보여 준다
        return False, _short_reason(m.group(1) if m else text)


def _short_reason(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:119] + "…"


def _present(ref: str) -> bool:
    from .docker import image_exists

    return image_exists(ref)


# ---- prepare -----------------------------------------------------------------

def _selection(only: Iterable[str] | None, skip_dev: bool) -> list[CourseImage]:
    keys = list(only) if only else [i.key for i in IMAGES if not (skip_dev and i.group == "dev")]
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        raise LabError(f"❌ 모르는 이미지 이름: {', '.join(unknown)} (가능: {', '.join(BY_KEY)})")
    return [BY_KEY[k] for k in keys]


def prepare(*, only: Iterable[str] | None = None, skip_dev: bool = False, pull: bool = True,
            retry_pull: bool = False, force: bool = False, progress: bool = True) -> dict[str, str]:
    """코스가 쓰는 이미지를 모두 준비하고 {변수: 이미지}를 돌려준다 (교실 준비, 05 레슨 첫 셀, CI).

    1. 공식 이미지가 이미 있으면 그대로 쓴다.
    2. 지난번에 만든 대체 이미지가 최신이면 그대로 쓴다 (`retry_pull=True`면 레지스트리를 다시 시도한다).
    3. 받아 본다 (`pull=False` 또는 `COURSE_OFFLINE_IMAGES=1`이면 건너뛴다).
    4. 받을 수 없으면 Debian 패키지로 대체 이미지(`course-offline/...`)를 만든다 (처음 한 번 몇 분).
    이미 준비된 기계에서는 네트워크 없이 몇 초 만에 끝난다.
    """
    from .docker import require_docker

    require_docker()
    start = time.monotonic()
    force_standins = os.environ.get("COURSE_OFFLINE_IMAGES") == "1"  # 시험용: 공식 이미지가 있어도 대체 이미지
    offline = not pull or force_standins
    chosen: dict[str, str] = {}
    selection = _selection(only, skip_dev)
    for n, img in enumerate(selection, 1):
        t = time.monotonic()
        head = f"[{n}/{len(selection)}] {img.env}"
        override = os.environ.get(img.env)
        if override and _present(override):
            chosen[img.env] = override
            _say(f"{head} = {override} (환경 변수로 지정, 있음)")
            continue
        if not force_standins and _present(img.official):
            chosen[img.env] = img.official
            _say(f"{head} = {img.official} ✅ 공식 이미지가 있다")
            continue
        if not (retry_pull or force) and _standin_current(img):
            chosen[img.env] = img.offline
            _say(f"{head} = {img.offline} ✅ 대체 이미지 있음")
            continue
        if not offline:
            _say(f"{head}: {img.official} 받는 중 …")
            ok, why = _pull(img.official)
            if ok:
                chosen[img.env] = img.official
                _say(f"{head} = {img.official} ✅ 받았다 ({time.monotonic() - t:.0f}초)")
                continue
            offline = True  # 한 번 실패하면 나머지는 바로 대체 이미지로 간다 (매번 기다리지 않는다).
            _say(f"   레지스트리에 닿지 않는다 ({why}) → 이제부터 대체 이미지를 쓴다")
        tag = ensure_standin(img, force=force, progress=progress)
        chosen[img.env] = tag
        _say(f"{head} = {tag} ✅ 대체 이미지를 만들었다 ({time.monotonic() - t:.0f}초)")
    _write_env(chosen)
    _say(f"✅ 이미지 {len(chosen)}개 준비 완료 ({time.monotonic() - start:.1f}초). "
         f"선택은 {_display_path(env_file())}와 compose/.env 에 적었다.")
    return chosen


def _display_path(p: Path) -> str:
    try:
        return str(p.relative_to(registry.PROJECT_ROOT))
    except ValueError:
        return p.name


def status() -> list[dict[str, str]]:
    """이미지 변수마다 지금 쓰는 값과, 그 이미지가 로컬에 있는지."""
    env = image_env()
    rows = []
    for img in IMAGES:
        ref = env[img.env]
        rows.append({"변수": img.env, "쓰는 이미지": ref, "공식": img.official,
                     "있음": "✅" if _present(ref) else "❌", "레슨": img.lesson})
    return rows


def remove_standins() -> list[str]:
    """대체 이미지를 모두 지운다 (디스크 정리). 다음 `prepare`가 다시 만든다."""
    from .docker import require_docker

    c = require_docker()
    gone = []
    for img in reversed(IMAGES):
        try:
            c.images.remove(img.offline)
            gone.append(img.offline)
        except APIError:  # 없거나 컨테이너가 쓰는 중이면 남겨 둔다
            pass
    try:
        c.images.remove(BASE_TAG)
        gone.append(BASE_TAG)
    except APIError:
        pass
    return gone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.images", description="코스 이미지 키트")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="이미지를 받거나 대체 이미지를 만든다")
    p.add_argument("--offline", action="store_true", help="받지 않고 바로 대체 이미지를 쓴다")
    p.add_argument("--pull", action="store_true", help="대체 이미지가 있어도 레지스트리를 다시 시도한다")
    p.add_argument("--force", action="store_true", help="대체 이미지를 처음부터 다시 만든다")
    p.add_argument("--skip-dev", action="store_true", help="연습 문제 3의 개발 도구 이미지는 건너뛴다")
    p.add_argument("--only", nargs="+", metavar="KEY", help=f"이 이미지만 ({', '.join(BY_KEY)})")
    sub.add_parser("status", help="무엇을 쓰는지 보여 준다")
    sub.add_parser("env", help="KEY=값 줄을 출력한다 (셸에서 set -a; . 로 읽는다)")
    sub.add_parser("clean", help="대체 이미지를 지운다")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "prepare":
            prepare(only=args.only, skip_dev=args.skip_dev, pull=not args.offline, retry_pull=args.pull,
                    force=args.force)
        elif args.cmd == "status":
            for row in status():
                print(f"{row['있음']} {row['변수']:<22} {row['쓰는 이미지']:<40} (공식: {row['공식']}; {row['레슨']})")
        elif args.cmd == "env":
            for k, v in sorted(image_env().items()):
                print(f"{k}={v}")
        elif args.cmd == "clean":
            for tag in remove_standins():
                print(f"🧹 {tag}")
    except LabError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

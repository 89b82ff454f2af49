"""`labs.doctor()`: 이 기계에서 어떤 실습을 돌릴 수 있는지 점검한다 (모든 레슨의 첫 셀).

점검 결과는 ✅/❌ 표로 보여 주고, ❌마다 고치는 방법을 적는다. 노트북 셀의 태그
(`requires-docker`, `requires-nginx`, `requires-node`)는 `capabilities()`의 같은 이름 항목과 짝을 이룬다.
"""

from __future__ import annotations

import glob
import html
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache

from .procs import find_binary, port_is_free
from .registry import PROJECT_ROOT

COMMON_PORTS = (8000, 8080, 8443)


@dataclass
class Check:
    key: str
    title: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def get(self, key: str) -> Check | None:
        return next((c for c in self.checks if c.key == key), None)

    @property
    def mode(self) -> str:
        """실행 방식: Docker까지 되면 live-docker, 아니면 live-local."""
        docker = self.get("docker")
        return "live-docker" if docker and docker.ok else "live-local"

    def __str__(self) -> str:
        rows = [f"{'✅' if c.ok else '❌'} {c.title}: {c.detail}" + (f"\n     → {c.fix}" if not c.ok and c.fix else "")
                for c in self.checks]
        return "\n".join(rows + [f"실행 방식: {self.mode}"])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "<tr><th>상태</th><th>항목</th><th>내용</th><th>해결 방법</th></tr>"
        body = "".join(
            f"<tr><td>{'✅' if c.ok else '❌'}</td><td>{html.escape(c.title)}</td>"
            f"<td>{html.escape(c.detail)}</td><td>{'' if c.ok else html.escape(c.fix)}</td></tr>"
            for c in self.checks)
        return f"<table>{head}{body}</table><p>실행 방식: <b>{self.mode}</b></p>"


def _version(argv: list[str], timeout: float = 5.0) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else ""


def _check_python() -> Check:
    v = sys.version_info
    ok = v >= (3, 11)
    return Check("python", "Python", ok, f"{v.major}.{v.minor}.{v.micro}",
                 "Python 3.11 이상으로 가상 환경을 다시 만든다 (`make lab`).")


def _check_docker() -> list[Check]:
    if shutil.which("docker") is None:
        return [Check("docker", "Docker 엔진", False, "docker 명령이 없다",
                      "Docker Engine을 설치한다 (Debian/Ubuntu: `make docker`)."),
                Check("compose", "Docker Compose v2+", False, "docker 명령이 없다", "Docker와 함께 설치한다.")]
    server = _version(["docker", "info", "--format", "{{.ServerVersion}}"], timeout=8)
    engine = Check("docker", "Docker 엔진", bool(server), f"서버 {server}" if server else "엔진에 연결할 수 없다",
                   "엔진을 켠다: `make docker` (또는 `sudo systemctl start docker`).")
    compose_v = _version(["docker", "compose", "version", "--short"])
    major = int(compose_v.lstrip("v").split(".")[0]) if compose_v and compose_v.lstrip("v")[:1].isdigit() else 0
    compose = Check("compose", "Docker Compose v2+", major >= 2,
                    f"v{compose_v.lstrip('v')}" if compose_v else "`docker compose` 플러그인이 없다",
                    "Compose 플러그인을 설치한다: `make docker`가 함께 설치한다.")
    return [engine, compose]


CONTAINER_MARKER = "/etc/course-container"


def in_course_container() -> bool:
    """코스 컨테이너(container/Dockerfile, 이슈 15) 안에서 도는지: 이미지가 `COURSE_CONTAINER=1`과 표시 파일을 둔다."""
    return os.environ.get("COURSE_CONTAINER") == "1" or os.path.exists(CONTAINER_MARKER)


def _check_container() -> Check:
    # 정보 행이다: 호스트에서 직접 도는 것도 지원하는 방식이라 ❌가 아니다.
    if in_course_container():
        return Check("container", "실행 환경", True, "코스 컨테이너 (자기 Docker 엔진을 쓴다)")
    return Check("container", "실행 환경", True, "이 기계에서 직접 (make lab)")


def _check_buildx() -> Check:
    fix = ("buildx가 없으면 예전 빌더로 빌드한다 (캐시·시크릿 마운트는 쓸 수 없다). "
           "코스 컨테이너(`make course-lab`)에는 들어 있다. Debian: `apt-get install docker-buildx`.")
    if shutil.which("docker") is None:
        return Check("buildx", "BuildKit (docker buildx)", False, "docker 명령이 없다", fix)
    version = _version(["docker", "buildx", "version"])
    if not version:
        return Check("buildx", "BuildKit (docker buildx)", False, "buildx 플러그인이 없다 (예전 빌더)", fix)
    parts = version.split()
    return Check("buildx", "BuildKit (docker buildx)", True, f"buildx {parts[1] if len(parts) > 1 else version}")


def _check_registry() -> Check:
    # 레지스트리 API는 인증 없이 401로 답한다: 401이면 닿는 것이다.
    try:
        urllib.request.urlopen("https://registry-1.docker.io/v2/", timeout=3)
        ok = True
    except urllib.error.HTTPError:
        ok = True
    except (OSError, ValueError):
        ok = False
    return Check("registry", "컨테이너 레지스트리(Docker Hub)", ok,
                 "닿는다" if ok else "닿지 않는다 (오프라인 대체 이미지를 쓴다)",
                 "`python -m labs.images prepare`가 Debian 패키지로 대체 이미지를 만든다.")


def _check_binary(key: str, title: str, argv: list[str], fix: str) -> Check:
    path = find_binary(argv[0])
    if path is None:
        return Check(key, title, False, f"`{argv[0]}` 없음", fix)
    version = _version([path, *argv[1:]])
    return Check(key, title, version is not None, version or "실행되지 않는다", fix)


def _check_node() -> Check:
    check = _check_binary("node", "Node.js 18+", ["node", "--version"],
                          "Node.js 22 이상을 설치한다 (Debian: `apt-get install nodejs npm`).")
    if check.ok:
        major = int(check.detail.lstrip("v").split(".")[0])
        if major < 18:
            check.ok, check.detail = False, f"{check.detail} (PM2 7은 18 이상이 필요하다)"
    return check


def _check_pm2() -> Check:
    pm2 = PROJECT_ROOT / "sample_app" / "node" / "node_modules" / ".bin" / "pm2"
    ok = pm2.exists()
    return Check("pm2", "PM2", ok, "sample_app/node 에 설치됨" if ok else "설치되지 않았다",
                 "`make lab`이 `npm ci`로 설치한다.")


def _check_postgres() -> Check:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres")) or ([shutil.which("postgres")]
                                                                       if shutil.which("postgres") else [])
    if not found:
        return Check("postgres", "PostgreSQL 서버", False, "postgres 실행 파일 없음",
                     "`apt-get install postgresql` (또는 Docker 실습의 컨테이너를 쓴다).")
    version = _version([found[-1], "--version"]) or "?"
    return Check("postgres", "PostgreSQL 서버", True, version)


def _check_ports() -> Check:
    busy = [p for p in COMMON_PORTS if not port_is_free(p)]
    return Check("ports", "자주 쓰는 포트", not busy,
                 "모두 비어 있다: " + ", ".join(map(str, COMMON_PORTS)) if not busy
                 else "사용 중: " + ", ".join(map(str, busy)),
                 "`labs.cleanup()`을 실행하거나 `labs.who_uses_port(포트)`로 주인을 찾는다.")


def _check_font() -> Check:
    from .plots import korean_font

    name = korean_font()
    return Check("font", "한글 글꼴(그림)", name is not None, name or "없음",
                 "`pip install koreanize-matplotlib` (`make lab`이 설치한다).")


def run_checks(network: bool = True) -> Report:
    checks = [_check_container(), _check_python(), *_check_docker(), _check_buildx()]
    if network:
        checks.append(_check_registry())
    checks += [
        _check_binary("nginx", "nginx", ["nginx", "-v"], "`apt-get install nginx-light` (없으면 컨테이너로 대신한다)."),
        _check_node(),
        _check_pm2(),
        _check_binary("redis", "Redis 서버", ["redis-server", "--version"], "`apt-get install redis-server`."),
        _check_postgres(),
        _check_ports(),
        _check_font(),
    ]
    return Report(checks)


@lru_cache(maxsize=1)
def capabilities() -> dict[str, bool]:
    """셀 태그와 짝을 이루는 능력 목록: {"docker": True, "nginx": False, ...}."""
    report = run_checks(network=False)
    has = {c.key: c.ok for c in report.checks}
    return {
        "docker": has.get("docker", False) and has.get("compose", False),
        "nginx": has.get("nginx", False),
        "node": has.get("node", False) and has.get("pm2", False),
        "redis": has.get("redis", False),
        "postgres": has.get("postgres", False),
    }


def doctor(needs: list[str] | tuple[str, ...] = (), network: bool = True) -> Report:
    """점검표를 보여 주고 돌려준다. `needs`에 적은 능력이 없으면 무엇이 건너뛰어지는지 알려 준다.

    `COURSE_REQUIRE_ALL=1`(CI)에서는 필요한 능력이 없을 때 오류를 낸다.
    """
    report = run_checks(network=network)
    try:
        from IPython.display import display

        display(report)
    except ImportError:
        print(report)
    missing = [n for n in needs if not capabilities().get(n, False)]
    if missing:
        msg = ", ".join(missing)
        if os.environ.get("COURSE_REQUIRE_ALL") == "1":
            raise RuntimeError(f"❌ 이 레슨에 필요한 능력이 없다: {msg} (COURSE_REQUIRE_ALL=1)")
        print(f"⚠️ 이 레슨에 필요한 능력이 없다: {msg}. 해당 셀은 건너뛴다는 안내를 보여 준다.")
    else:
        print("✅ 이 레슨을 실행할 준비가 됐다.")
    return report

"""학생이 쓴 것을 실행하거나 읽는 단계를 가두는 상자: bubblewrap + 다른 사용자 + rlimit + 타임아웃 (10 레슨의 일괄 채점).

채점기가 믿지 않는 단계(학생의 gunicorn 설정 읽기, nginx 설정 파싱과 `nginx -t`, `docker compose config`,
hadolint·shellcheck, 배포 스크립트, `--static` 채점의 자식 프로세스 전체)는 모두 이 모듈의 `run()`·`spawn()`으로 돈다.

상자 하나가 주는 것:

- **bubblewrap**(`bwrap`, Debian 패키지 `bubblewrap`): 새 마운트·pid·ipc·uts 이름 공간, 네트워크 이름 공간(루프백
  서버가 필요한 단계만 호스트 네트워크를 같이 쓴다). 루트 파일 시스템은 빈 tmpfs이고, 도구에 필요한 것만 읽기 전용으로
  붙인다(`/usr`, `/etc`의 몇 파일, 가상 환경, 파이썬). 쓸 수 있는 곳은 채점기가 만든 버림용 폴더 하나뿐이고 그곳이
  작업 폴더다. 저장소(`solutions/`, `tests/`, `.git`)와 HOME은 보이지 않는다.
- **다른 사용자**: 채점기가 root로 돌면 상자 안의 프로세스는 `setpriv`로 이름 없는 uid(64000번대)로 바뀌고
  권한(capability)을 모두 버린다 (`--no-new-privs`). root가 아니면 bubblewrap의 사용자 이름 공간을 쓴다.
- **rlimit**(`prlimit`): 데이터 메모리, 프로세스 수, CPU 시간, 파일 크기, 열린 파일 수.
- **타임아웃**: 넘기면 bwrap 프로세스를 SIGKILL로 끝낸다. `--die-with-parent`와 `--unshare-pid` 때문에 상자 안의
  pid 1이 죽고, 커널이 그 pid 이름 공간의 모든 프로세스(`setsid`·이중 fork로 빠져나간 것까지)를 죽인다.
- **환경 변수 허용 목록**: `--clearenv` 뒤에 준 것만 (PATH, LANG, HOME·TMPDIR은 상자 안).

bwrap이 없는 기계(노트북의 학습자)는 `available()`이 False다: 그때 `run()`은 rlimit과 타임아웃만 건
보통 프로세스로 돌고, `Result.sandboxed`가 False다 (강사 일괄 채점은 `require=True`로 bwrap을 요구한다).
"""

from __future__ import annotations

import grp
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import LabError

UID_BASE = 64000
"""root로 채점할 때 상자 안 프로세스가 쓰는 uid의 시작 (passwd에 없는 번호: 누구의 파일도 소유하지 않는다)."""
UID_SPAN = 900

ETC_FILES = ("/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
             "/etc/nginx", "/etc/ssl", "/etc/ca-certificates", "/etc/mime.types", "/etc/hosts",
             "/etc/nsswitch.conf", "/etc/services", "/etc/protocols")
"""`/etc`에서 붙이는 것: 동적 링커, 인증서, nginx의 mime.types 정도 (passwd·shadow·사용자 설정은 붙이지 않는다)."""


class SandboxUnavailable(LabError):
    """bubblewrap이 없거나 이 기계에서 이름 공간을 만들 수 없다."""


@dataclass
class Limits:
    """상자 하나의 자원 한도. 메모리는 RLIMIT_DATA(힙·익명 메모리)로 건다: Go·Haskell 도구가 미리 잡는 주소 공간은 세지 않는다."""

    memory_mb: int = 768
    nproc: int = 96
    cpu_s: int = 60
    fsize_mb: int = 64
    nofile: int = 512

    def prlimit_args(self) -> list[str]:
        return [f"--data={self.memory_mb * 1024 * 1024}", f"--nproc={self.nproc}", f"--cpu={self.cpu_s}",
                f"--fsize={self.fsize_mb * 1024 * 1024}", f"--nofile={self.nofile}", f"--core=0"]


@dataclass
class Box:
    """상자의 모양: 쓸 수 있는 폴더(첫째가 작업 폴더), 읽기만 하는 경로, 네트워크, 환경 변수, 한도."""

    workdir: Path
    readonly: Sequence[Path | str] = ()
    writable: Sequence[Path | str] = ()
    network: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    groups: Sequence[int] = ()
    """root로 채점할 때 상자 안 사용자에게 줄 보조 그룹 (배포 스크립트의 docker 그룹)."""
    sockets: Sequence[Path | str] = ()
    """있는 그대로(소유자를 바꾸지 않고) 붙이는 유닉스 소켓 (배포 스크립트의 Docker 소켓: 권한은 `groups`가 준다)."""
    python: bool = True
    """가상 환경과 파이썬 설치를 읽기 전용으로 붙인다."""
    kit: bool = False
    """실습 도구(`labs/`, `sample_app/`, `compose/`)를 읽기 전용으로 붙인다 (저장소의 나머지 — `solutions/`, `tests/`,
    `.git` — 는 붙이지 않는다)."""


@dataclass
class Result:
    returncode: int | None
    output: str
    seconds: float
    timed_out: bool = False
    sandboxed: bool = True

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


@lru_cache(maxsize=1)
def bwrap() -> str | None:
    return shutil.which("bwrap") or (("/usr/bin/bwrap") if Path("/usr/bin/bwrap").exists() else None)


@lru_cache(maxsize=1)
def available() -> bool:
    """bwrap이 있고 이 기계에서 실제로 상자를 만들 수 있는지 (한 번 시험해 본다)."""
    if bwrap() is None or shutil.which("prlimit") is None:
        return False
    try:
        tmp = Path(os.environ.get("TMPDIR", "/tmp"))
        done = subprocess.run(_bwrap_argv(Box(workdir=tmp, python=False), ["/bin/true"]), capture_output=True,
                              timeout=20, **_popen_user(Box(workdir=tmp)))
        return done.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def require() -> None:
    if not available():
        raise SandboxUnavailable(
            "❌ 채점 상자(bubblewrap)를 만들 수 없다: `apt-get install bubblewrap`으로 설치하고, "
            "사용자 이름 공간이 켜져 있는지(`sysctl kernel.unprivileged_userns_clone`) 본다.")


def _as_root() -> bool:
    return os.geteuid() == 0


def pick_uid() -> int:
    """상자마다 다른 uid (같은 uid를 나누면 프로세스 수 한도도 나눈다)."""
    return UID_BASE + random.randrange(UID_SPAN)


def prepare_dir(path: Path, uid: int | None) -> Path:
    """상자가 쓸 폴더를 만들고, root로 채점하면 상자 안 사용자에게 넘긴다."""
    path.mkdir(parents=True, exist_ok=True)
    if uid is not None and _as_root():
        for root, dirs, files in os.walk(path):
            os.chown(root, uid, uid)
            for name in dirs + files:
                os.lchown(os.path.join(root, name), uid, uid)
    return path


def python_paths() -> list[str]:
    """가상 환경과 그 밑의 파이썬 설치 (둘 다 읽기 전용으로 붙인다)."""
    paths = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)}
    return sorted(p for p in paths if p and not p.startswith("/usr/") and p != "/usr")


def kit_paths() -> list[str]:
    """상자 안 채점기에 필요한 저장소 폴더: 실습 도구, 예제 앱, Compose 파일. 정답 노트북과 테스트는 없다."""
    from .registry import PROJECT_ROOT

    return [str(PROJECT_ROOT / d) for d in ("labs", "sample_app", "compose") if (PROJECT_ROOT / d).is_dir()]


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _bwrap_argv(box: Box, argv: Sequence[str], uid: int | None = None) -> list[str]:
    b = bwrap()
    if b is None:
        raise SandboxUnavailable("❌ bwrap이 없다.")
    args = [b, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "grading-sandbox"]
    if not box.network:
        args.append("--unshare-net")
    if not _as_root():
        args.append("--unshare-user")
    args += ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/" + top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    if inside():
        # 상자 안의 상자(정적 채점 자식 안에서 학생 설정을 읽을 때): 바깥 상자의 /proc는 일부가 가려져 있어
        # 커널이 새 proc 마운트를 허락하지 않는다. 안쪽 상자에는 /proc를 아예 두지 않는다 — 새 pid 이름 공간이라
        # 바깥 프로세스(채점 자식)는 번호로도 보이지 않는다.
        args += ["--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/etc"]
    else:
        args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/etc"]
    for f in ETC_FILES:
        args += ["--ro-bind-try", f, f]
    mounts: list[tuple[str, str]] = []
    ro = [str(p) for p in box.readonly]
    if box.python:
        ro = python_paths() + ro
    if box.kit:
        ro = kit_paths() + ro
    for p in ro:
        mounts.append(("--ro-bind", str(Path(p).resolve())))
    for p in [box.workdir, *box.writable]:
        mounts.append(("--bind", str(Path(p).resolve())))
    for sock in box.sockets:  # 소켓은 경로 그대로 (`/var/run/docker.sock`은 `/run`의 링크라도 클라이언트는 그 이름을 찾는다)
        mounts.append(("--bind", str(sock)))
    made: set[str] = {"/", "/usr", "/tmp", "/etc", "/proc", "/dev"}
    for _kind, p in mounts:
        for a in _ancestors(p):  # 중간 폴더는 누구나 지나갈 수 있게 (bwrap의 기본은 0700)
            if a not in made and not a.startswith("/usr/"):
                args += ["--perms", "0755", "--dir", a]
                made.add(a)
    for kind, p in mounts:
        args += [kind, p, p]
    args += ["--chdir", str(Path(box.workdir).resolve()), "--clearenv"]
    for k, v in box.env.items():
        args += ["--setenv", str(k), str(v)]
    args.append("--")
    if _as_root():
        uid = uid if uid is not None else pick_uid()
        groups = ",".join(str(g) for g in box.groups)
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}",
                 *([f"--groups={groups}"] if groups else ["--clear-groups"]),
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    return [*args, *argv]


def _popen_user(box: Box) -> dict:
    return {}


def base_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """상자 안 환경 변수의 허용 목록: PATH, 로캘, HOME·TMPDIR(작업 폴더 안)만. 채점기의 환경은 물려주지 않는다."""
    venv_bin = str(Path(sys.prefix) / "bin")
    env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
           "LC_ALL": "C.UTF-8", "HOME": str(home), "TMPDIR": str(home / "tmp"), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONUNBUFFERED": "1"}
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


def command(box: Box, argv: Sequence[str], uid: int | None = None) -> list[str]:
    """상자 안에서 `argv`를 실행하는 전체 명령 (prlimit → bwrap → setpriv → argv)."""
    return ["prlimit", *box.limits.prlimit_args(), "--", *_bwrap_argv(box, argv, uid)]


def spawn(box: Box, argv: Sequence[str], *, stdout=None, stderr=None, stdin=subprocess.DEVNULL,
          uid: int | None = None) -> subprocess.Popen:
    """상자 안에서 프로세스를 띄운다 (서버, 오래 도는 자식). 멈출 때는 `kill()`로 상자째."""
    require()
    uid = uid if uid is not None else (pick_uid() if _as_root() else None)
    for p in [box.workdir, *box.writable]:
        prepare_dir(Path(p), uid)
    home = Path(box.env.get("HOME", box.workdir))
    if str(home).startswith(str(Path(box.workdir).resolve())):
        prepare_dir(home, uid)
        prepare_dir(Path(box.env.get("TMPDIR", home / "tmp")), uid)
    return subprocess.Popen(command(box, argv, uid), stdout=stdout, stderr=stderr, stdin=stdin,
                            start_new_session=True)


def kill(proc: subprocess.Popen, wait: float = 5.0) -> None:
    """상자를 통째로 끝낸다: bwrap(과 그 앞의 prlimit)에 SIGKILL → 상자 안 pid 1이 죽고 pid 이름 공간이 모두 죽는다."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        pass


def run(box: Box, argv: Sequence[str], *, timeout: float, input: str | bytes | None = None,
        max_output: int = 200_000, require_sandbox: bool = True) -> Result:
    """상자 안에서 `argv`를 실행하고 끝나기를 기다린다. 타임아웃을 넘기면 상자째 죽인다.

    출력(표준 출력과 오류를 합친 것)은 작업 폴더 밖의 임시 파일로 받고 앞 `max_output` 바이트만 읽는다:
    출력 폭탄이 채점기의 메모리를 채우지 못한다."""
    import tempfile

    if not available():
        if require_sandbox:
            require()
        return _run_plain(box, argv, timeout=timeout, input=input, max_output=max_output)
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = spawn(box, argv, stdout=out, stderr=subprocess.STDOUT,
                     stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL)
        return _collect(proc, out, input, timeout=timeout, max_output=max_output, start=start, boxed=True)


def _run_plain(box: Box, argv: Sequence[str], *, timeout: float, input, max_output: int) -> Result:
    """bwrap이 없는 학습자 기계: rlimit과 타임아웃만 건다 (자기 노트북의 자기 답이라 위협이 아니다)."""
    import tempfile

    start = time.monotonic()
    Path(box.workdir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(["prlimit", *box.limits.prlimit_args(), "--", *argv] if shutil.which("prlimit")
                                else list(argv), cwd=box.workdir, env=dict(box.env), stdout=out,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                                start_new_session=True)
        return _collect(proc, out, input, timeout=timeout, max_output=max_output, start=start, boxed=False)


def _collect(proc: subprocess.Popen, out, input, *, timeout: float, max_output: int, start: float,
             boxed: bool) -> Result:
    """입력을 넣고, 타임아웃까지 기다리고, 프로세스 트리를 거두고, 출력 앞부분(`max_output`바이트)을 읽는다."""
    timed_out = False
    try:
        if input is not None:
            try:
                proc.stdin.write(input.encode() if isinstance(input, str) else input)  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:  # 자식이 입력을 읽기 전에 끝났다 (BrokenPipeError 포함)
                pass
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill(proc)
    out.seek(0)
    data = out.read(max_output)
    return Result(None if timed_out else proc.returncode, data.decode(errors="replace"),
                  time.monotonic() - start, timed_out, boxed)


def docker_gid() -> int | None:
    try:
        return grp.getgrnam("docker").gr_gid
    except KeyError:
        return None


def inside() -> bool:
    """지금 이 프로세스가 채점 상자 안에서 도는지 (상자의 호스트 이름으로 안다)."""
    try:
        return os.uname().nodename == "grading-sandbox"
    except OSError:
        return False

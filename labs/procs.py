"""서버 프로세스 실행기: 빈 포트에 띄우고, 준비될 때까지 기다리고, 신호로 멈춘다 (00·01 레슨).

uvicorn·gunicorn·hypercorn·node·nginx 모두 같은 방식으로 다룬다.
- 자식 프로세스는 자기 프로세스 그룹에서 돌린다: 워커까지 한 번에 신호를 보내고 남김없이 거둔다.
- 로그는 파일로 받는다 (파이프는 읽지 않으면 막힌다). `logs()`로 언제든 읽는다.
- 준비는 `sleep`이 아니라 HTTP 응답이나 TCP 연결로 확인하고, 기다림에는 항상 타임아웃이 있다.
- 켠 프로세스는 등록부에 적히고 pid 파일을 남긴다: `labs.cleanup()`과 커널 재시작 뒤 정리가 이것을 쓴다.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from . import registry
from .errors import LabError, explain, missing_binary, port_in_use
from .korean import particle

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """루프백에서 지금 비어 있는 TCP 포트 하나를 고른다."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    """`check()`가 참이 될 때까지 짧게 묻는다. `timeout`초가 지나면 무엇을 기다렸는지 적은 한국어 오류."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise LabError(f"❌ {what}: {timeout:g}초 안에 이뤄지지 않았다.")


def display_path(arg: str) -> str:
    """저장소 안의 절대 경로를 저장소 루트 기준 상대 경로로 (`.labs_state/files/…`). 나머지는 그대로."""
    if not arg.startswith(os.sep):
        return arg
    if Path(arg).parent == VENV_BIN:  # 가상 환경의 실행 파일은 이름만 (활성화한 터미널에서 그대로 된다)
        return Path(arg).name
    try:
        return str(Path(arg).relative_to(registry.PROJECT_ROOT)) or "."
    except ValueError:
        return arg


def command_line(argv: list[str] | str, env: dict[str, str] | None = None, cwd: Path | str | None = None) -> str:
    """터미널에 붙여 넣을 수 있는 명령 줄: `VAR=값 명령 인자…` (저장소 루트에서, 경로는 루트 기준 상대 경로).

    `argv`가 문자열이면 셸 명령 그대로 쓴다. `env`에는 보여 줄 환경 변수만 준다 (명령이 달라지게 하는 것).
    `cwd`가 저장소 루트가 아니면 `cd 폴더 &&`를 붙인다.
    """
    if isinstance(argv, str):
        body = argv
    else:
        words = [display_path(a) if os.sep in a else a for a in argv]
        body = shlex.join(words)
    text = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in (env or {}).items())
    text = (text + " " if text else "") + body
    if cwd is not None and Path(cwd).resolve() != registry.PROJECT_ROOT.resolve():
        text = f"cd {shlex.quote(display_path(str(Path(cwd).resolve())))} && {text}"
    return text


def find_binary(name: str) -> str | None:
    """가상 환경의 bin을 먼저, 그다음 PATH를 찾는다 (커널이 PATH를 모를 때도 동작하도록)."""
    candidate = VENV_BIN / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


_PACKAGE_HINTS = {
    "uvicorn": "`make lab` (파이썬 의존성)",
    "gunicorn": "`make lab` (파이썬 의존성)",
    "hypercorn": "`make lab` (파이썬 의존성)",
    "node": "Node.js 18 이상 (`apt-get install nodejs npm`)",
    "nginx": "nginx (`apt-get install nginx-light`)",
    "redis-server": "Redis (`apt-get install redis-server`)",
    "pm2": "`make lab` (sample_app/node 의 npm 의존성)",
}



def tree_cpu_seconds(pid: int | None = None) -> float:
    """프로세스 `pid`(없으면 이 프로세스)와 그 자손이 지금까지 쓴 CPU 시간(초). 그사이 끝난 자손은 건너뛴다."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            continue
    return total

@dataclass
class Server:
    """실행 중인(또는 실행할) 서버 프로세스 하나.

    `with labs.start_uvicorn(...) as srv:` 처럼 쓰면 블록을 나갈 때 SIGTERM으로 멈춘다.
    """

    name: str
    argv: list[str]
    lab: str
    port: int | None = None
    ready_path: str | None = "/health"
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = registry.PROJECT_ROOT
    scheme: str = "http"
    ready_check: Callable[[], bool] | None = field(default=None, repr=False)
    run_as: str | None = None
    inherit_env: bool = True
    echo: bool = False
    """참이면 시작하기 전에 실제 명령 줄(`$ gunicorn …`)을 출력한다 (학습자가 터미널에서 되풀이할 수 있게)."""
    echo_env: dict[str, str] = field(default_factory=dict)
    """`echo`로 보여 줄 환경 변수 (실습용 기본 환경 변수는 빼고, 호출한 쪽이 준 것만)."""
    proc: subprocess.Popen | None = field(default=None, repr=False)
    log_path: Path | None = None
    returncode: int | None = None

    # ---- 시작과 준비 ------------------------------------------------------

    def start(self, timeout: float = 30.0) -> "Server":
        binary = find_binary(self.argv[0]) if os.sep not in self.argv[0] else self.argv[0]
        if binary is None:
            raise missing_binary(self.argv[0], _PACKAGE_HINTS.get(self.argv[0], "해당 프로그램"))
        if self.port is not None and not port_is_free(self.port):
            raise port_in_use(self.port)
        if self.echo:
            print("$ " + command_line(self.argv, self.echo_env, self.cwd), flush=True)
        log_dir = registry.state_dir() / "logs" / self.lab
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.name}-{self.port or 'x'}-{int(time.time() * 1000)}.log"
        # inherit_env=False: 테스트처럼 환경을 통째로 정해 주고 싶을 때 (지운 변수가 되살아나지 않게)
        env = {**(os.environ if self.inherit_env else {}), "PYTHONUNBUFFERED": "1", **self.env}
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
        # PostgreSQL처럼 root 실행을 거부하는 서버는 다른 계정으로 낮춰 실행한다.
        account = {"user": self.run_as, "group": self.run_as, "extra_groups": []} if self.run_as else {}
        with open(self.log_path, "wb") as log:
            try:
                self.proc = subprocess.Popen(
                    [binary, *self.argv[1:]], cwd=self.cwd, env=env, stdout=log,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, **account,
                )
            except OSError as exc:
                raise LabError(explain(str(exc)).render(f"{self.name}{particle(self.name, '을')} 시작하지 못했다", str(exc))) from exc
        registry.write_pidfile(self.lab, self.proc.pid, self.name)
        registry.register(self)
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop(timeout=5)
            raise
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float = 30.0) -> None:
        """준비될 때까지 기다린다: HTTP 경로가 2xx/3xx로 답하거나, (경로가 없으면) 포트가 열린다."""
        deadline = time.monotonic() + timeout
        delay = 0.02
        while time.monotonic() < deadline:
            if not self.alive():
                self.returncode = self.proc.returncode if self.proc else None
                text = self.logs(20)
                raise LabError(explain(text).render(
                    f"{self.name}{particle(self.name, '이')} 준비되기 전에 종료됐다 (종료 코드 {self.returncode})", text))
            if self._probe():
                return
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        text = self.logs(20)
        raise LabError(
            f"❌ {self.name}{particle(self.name, '이')} {timeout:.0f}초 안에 준비되지 않았다.\n"
            f"   확인: 포트 {self.port}, 준비 경로 {self.ready_path!r}, 아래 로그\n"
            + "\n".join(f"   {line}" for line in text.splitlines())
        )

    def _probe(self) -> bool:
        if self.ready_check is not None:
            return self.ready_check()
        if self.port is None:
            return True
        if self.ready_path is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                return False
        ctx = ssl._create_unverified_context() if self.scheme == "https" else None
        try:
            with urllib.request.urlopen(self.url + self.ready_path, timeout=2, context=ctx) as r:
                return 200 <= r.status < 400
        except urllib.error.HTTPError as exc:
            return 200 <= exc.code < 400
        except (OSError, ValueError):
            return False

    # ---- 관찰 -------------------------------------------------------------

    def logs(self, last: int | None = None) -> str:
        """지금까지 모인 로그(stdout+stderr). `last`를 주면 마지막 몇 줄만."""
        if not self.log_path or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace")
        if last is not None:
            text = "\n".join(text.splitlines()[-last:])
        return text

    def worker_pids(self) -> list[int]:
        """마스터가 띄운 워커 프로세스의 pid (gunicorn·uvicorn --workers 등)."""
        if not self.alive():
            return []
        try:
            kids = psutil.Process(self.proc.pid).children(recursive=False)
        except psutil.Error:
            return []
        return sorted(k.pid for k in kids if _is_worker(k))

    def send_signal(self, sig: int) -> None:
        """마스터 프로세스에만 신호를 보낸다 (예: gunicorn에 SIGHUP, SIGTTIN)."""
        if self.alive():
            os.kill(self.proc.pid, sig)

    # ---- 멈춤 -------------------------------------------------------------

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
        """`sig`를 보내고 `timeout`초 기다린다. 그래도 살아 있으면 프로세스 그룹 전체를 SIGKILL.

        종료 코드를 돌려준다 (신호로 죽었으면 음수).
        """
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # 마스터가 끝났어도 그룹에 남은 자식(고아 워커)이 있으면 거둔다.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.returncode = self.proc.returncode
        registry.remove_pidfile(self.lab, self.proc.pid)
        registry.unregister(self)
        return self.returncode

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __str__(self) -> str:
        return f"{self.name} (포트 {self.port})"


def _is_worker(proc: psutil.Process) -> bool:
    # uvicorn --workers 는 multiprocessing 자원 추적기 같은 보조 프로세스도 띄운다.
    try:
        cmd = " ".join(proc.cmdline())
    except psutil.Error:
        return False
    return "resource_tracker" not in cmd and "semaphore_tracker" not in cmd


# ---- 서버별 시작 함수 ------------------------------------------------------

DEFAULT_ASGI = "sample_app.main:app"
DEFAULT_WSGI = "sample_app.wsgi:application"


def app_env(lab: str, **overrides: str) -> dict[str, str]:
    """예제 애플리케이션용 환경 변수: 실습용 SECRET_KEY, 레슨마다 따로 쓰는 SQLite 파일, 실습 전용 엔드포인트 켜기
    (`LAB_ENDPOINTS=true`: `/hang`, `/work/block`, `/work/cpu`, `/debug/client`, `DELETE /counter`)."""
    db = registry.state_dir() / "data" / f"{lab}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    env = {
        "SECRET_KEY": "lab-only-secret-not-for-production",
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "ENVIRONMENT": "lab",
        "LAB_ENDPOINTS": "true",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def start_process(name: str, argv: list[str], lab: str, *, port: int | None = None,
                  ready_path: str | None = "/health", env: dict[str, str] | None = None,
                  cwd: Path | None = None, timeout: float = 30.0, scheme: str = "http",
                  ready_check: Callable[[], bool] | None = None, run_as: str | None = None,
                  echo: bool = False, echo_env: dict[str, str] | None = None) -> Server:
    """임의의 서버 명령을 실행하고 준비될 때까지 기다린다. 이전 커널이 남긴 같은 레슨의 프로세스를 먼저 거둔다.

    준비 확인은 `ready_check`(직접 준 함수) → `ready_path`(HTTP) → 포트 열림 순으로 고른다.
    `echo=True`면 실행하는 명령 줄을 `$ …`로 먼저 보여 준다 (`echo_env`: 함께 보여 줄 환경 변수).
    """
    registry.reap_stale(lab)
    srv = Server(name=name, argv=argv, lab=lab, port=port, ready_path=ready_path, env=env or {},
                 cwd=cwd or registry.PROJECT_ROOT, scheme=scheme, ready_check=ready_check, run_as=run_as,
                 echo=echo, echo_env=dict(echo_env or {}))
    return srv.start(timeout=timeout)


def start_uvicorn(lab: str, app: str = DEFAULT_ASGI, *, workers: int = 1, port: int | None = None,
                  args: list[str] = (), env: dict[str, str] | None = None,
                  timeout: float = 30.0, echo: bool = False) -> Server:
    """`uvicorn app --workers N`을 빈 포트에 띄운다 (01 레슨). `echo=True`면 실행하는 명령 줄을 먼저 보여 준다."""
    port = port or free_port()
    argv = ["uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), *args]
    return start_process("uvicorn", argv, lab, port=port, env=app_env(lab, **(env or {})), timeout=timeout,
                         echo=echo, echo_env=env)


def start_gunicorn(lab: str, app: str = DEFAULT_ASGI, *, workers: int = 1,
                   worker_class: str | None = "uvicorn_worker.UvicornWorker", port: int | None = None,
                   args: list[str] = (), env: dict[str, str] | None = None,
                   timeout: float = 30.0, echo: bool = False) -> Server:
    """gunicorn 마스터와 워커들을 띄운다. `worker_class=None`이면 설정 파일/기본값(sync)을 따른다 (01·02 레슨).

    `echo=True`면 실행하는 명령 줄(`$ gunicorn …`)을 먼저 보여 준다 (`env`로 준 환경 변수도 함께)."""
    port = port or free_port()
    argv = ["gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    if _gunicorn_has_control_socket():
        # gunicorn 25.1+는 기본으로 ~/.gunicorn/gunicorn.ctl 제어 소켓을 만든다: 여러 실습 서버가 같은
        # 파일을 두고 다투지 않게 끈다.
        argv.append("--no-control-socket")
    if worker_class:
        argv += ["--worker-class", worker_class]
    argv += list(args)
    return start_process("gunicorn", argv, lab, port=port, env=app_env(lab, **(env or {})), timeout=timeout,
                         echo=echo, echo_env=env)


def _gunicorn_has_control_socket() -> bool:
    try:
        from importlib.metadata import version

        major, minor = (int(x) for x in version("gunicorn").split(".")[:2])
    except (ImportError, ValueError):  # 설치되지 않았거나(PackageNotFoundError) 버전이 숫자가 아니다
        return False
    return (major, minor) >= (25, 1)


def start_hypercorn(lab: str, app: str = DEFAULT_ASGI, *, workers: int = 1, port: int | None = None,
                    args: list[str] = (), env: dict[str, str] | None = None, scheme: str = "http",
                    timeout: float = 30.0, echo: bool = False) -> Server:
    """hypercorn을 띄운다. TLS 인증서를 `args`로 넘기면 `scheme="https"`로 준비를 확인한다 (01 레슨).

    `echo=True`면 실행하는 명령 줄(`$ hypercorn …`)을 먼저 보여 준다."""
    port = port or free_port()
    argv = ["hypercorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *args]
    return start_process("hypercorn", argv, lab, port=port, env=app_env(lab, **(env or {})),
                         scheme=scheme, timeout=timeout, echo=echo, echo_env=env)


def start_node(lab: str, script: str = "server.js", *, port: int | None = None,
               env: dict[str, str] | None = None, timeout: float = 30.0) -> Server:
    """Express 쌍둥이 앱을 node로 직접 띄운다 (03 레슨, PM2 없이 비교할 때)."""
    port = port or free_port()
    cwd = registry.PROJECT_ROOT / "sample_app" / "node"
    return start_process("node", ["node", script], lab, port=port,
                         env={"PORT": str(port), **(env or {})}, cwd=cwd, timeout=timeout)


def migrate(lab: str, env: dict[str, str] | None = None, timeout: float = 60.0) -> str:
    """예제 애플리케이션의 마이그레이션(`alembic upgrade head`)을 실행하고 출력을 돌려준다."""
    full_env = {**os.environ, **app_env(lab, **(env or {}))}
    try:
        done = subprocess.run([sys.executable, "-m", "sample_app.migrate"], cwd=registry.PROJECT_ROOT,
                              env=full_env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"❌ 마이그레이션이 {timeout:.0f}초 안에 끝나지 않았다. 데이터베이스 주소를 확인한다.") from exc
    text = done.stdout + done.stderr
    if done.returncode != 0:
        raise LabError(explain(text).render("마이그레이션이 실패했다", "\n".join(text.splitlines()[-15:])))
    return text

"""백킹 서비스(PostgreSQL, Redis)를 로컬 프로세스로 띄운다 (07·08 레슨, 예제 앱 테스트).

Docker 없이도 "Redis를 멈추면 레디니스가 503이 된다", "URL만 바꿔 SQLite → PostgreSQL" 같은 실습을
하려고 Debian 패키지의 서버 프로그램을 임시 폴더·빈 포트로 직접 띄운다. 디스크 동기화를 끄는 등
속도 위주의 **실습 전용** 설정이다. 켠 서버는 `labs.cleanup()`이 치우고, 임시 데이터도 함께 지운다.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import registry
from .errors import LabError, missing_binary
from .korean import particle
from .procs import Server, free_port, start_process


def postgres_bin_dir() -> Path:
    """PostgreSQL 서버 프로그램 폴더. Debian은 PATH가 아니라 /usr/lib/postgresql/<버전>/bin에 둔다."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "postgres").exists():
            return Path(candidate)
    raise missing_binary("postgres", "PostgreSQL (`apt-get install postgresql`)")


def _service_account() -> str | None:
    """root로 실행 중이면 PostgreSQL을 돌릴 계정(`postgres`). PostgreSQL은 root 실행을 거부한다."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise LabError("❌ root로 실행 중인데 `postgres` 계정이 없다: PostgreSQL은 root로 돌지 않는다.\n"
                       "   해결: `apt-get install postgresql`이 계정을 만든다.") from None
    return "postgres"


@dataclass
class _Service:
    """로컬 서버 프로세스 하나와 그 임시 데이터 폴더. 멈추면 폴더도 지운다."""

    server: Server
    datadir: Path
    stop_signal = signal.SIGTERM
    title = "서비스"

    @property
    def lab(self) -> str:
        return self.server.lab

    @property
    def pid(self) -> int | None:
        """등록부가 '이 커널이 켠 프로세스'를 알아보는 데 쓴다 (남은 프로세스 정리에서 제외)."""
        return self.server.pid

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    def stop(self, sig: int | None = None, timeout: float = 15.0) -> int | None:
        code = self.server.stop(sig or self.stop_signal, timeout)
        shutil.rmtree(self.datadir, ignore_errors=True)
        registry.unregister(self)
        return code

    def __str__(self) -> str:
        return f"{self.title} (포트 {self.port})"

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class Postgres(_Service):
    """실행 중인 로컬 PostgreSQL. `url()`은 시드처럼 드라이버 없는 `postgresql://` 주소를 준다.

    멈출 때는 SIGINT(fast shutdown): 연결을 끊고 곧바로 깨끗이 내린다.
    """

    bin_dir: Path = Path("/usr/bin")
    user: str = "app"
    stop_signal = signal.SIGINT
    title = "PostgreSQL"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def ready(self) -> bool:
        return pg_ready(self.bin_dir, self.port, self.user)

    def create_database(self, name: str) -> str:
        """빈 데이터베이스를 만들고 그 주소를 돌려준다."""
        done = subprocess.run([str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", self.user, name], capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise LabError(f"❌ 데이터베이스 {name}{particle(name, '을')} 만들지 못했다: {done.stderr.strip()}")
        return self.url(name)


def pg_ready(bin_dir: Path, port: int, user: str = "app") -> bool:
    probe = subprocess.run([str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port), "-U", user],
                           capture_output=True, timeout=10)
    return probe.returncode == 0


def _adopt(server: Server, wrapper):
    """등록부에는 서버 대신 감싼 객체를 올린다: 정리할 때 임시 데이터 폴더까지 지우도록."""
    registry.unregister(server)
    registry.register(wrapper)
    return wrapper


def start_postgres(lab: str, timeout: float = 60.0) -> Postgres:
    """임시 폴더에 클러스터를 만들고(initdb) 127.0.0.1의 빈 포트에서 PostgreSQL을 띄운다."""
    bin_dir = postgres_bin_dir()
    account = _service_account()
    # pytest의 tmp 폴더처럼 root만 들어가는 곳이 아니라 /tmp 바로 아래에 만든다.
    datadir = Path(tempfile.mkdtemp(prefix="course-pg-"))
    try:
        if account:
            shutil.chown(datadir, account, account)
        pgdata = datadir / "data"
        owner = {"user": account, "group": account, "extra_groups": []} if account else {}
        init = subprocess.run([str(bin_dir / "initdb"), "-D", str(pgdata), "-U", "app", "-A", "trust",
                               "-E", "UTF8", "--locale=C", "--no-sync"],
                              cwd=datadir, capture_output=True, text=True, timeout=120, **owner)
        if init.returncode != 0:
            raise LabError(f"❌ initdb가 실패했다:\n{init.stdout}\n{init.stderr}")
        port = free_port()
        argv = [str(bin_dir / "postgres"), "-D", str(pgdata), "-k", str(datadir), "-p", str(port),
                "-h", "127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        server = start_process("postgres", argv, lab, port=port, cwd=datadir, timeout=timeout,
                               ready_check=lambda: pg_ready(bin_dir, port), run_as=account)
    except BaseException:
        shutil.rmtree(datadir, ignore_errors=True)
        raise
    return _adopt(server, Postgres(server, datadir, bin_dir=bin_dir))


@dataclass
class Redis(_Service):
    """실행 중인 로컬 Redis (디스크에 아무것도 남기지 않는다)."""

    title = "Redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        return redis_ping(self.port)

    def kill(self) -> None:
        """정리할 틈 없이 죽인다(SIGKILL): Redis 장애 흉내 (07 레슨)."""
        self.server.stop(signal.SIGKILL, timeout=5)


def redis_ping(port: int) -> bool:
    """RESP로 PING을 보내 +PONG이 오는지 본다."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(lab: str, port: int | None = None, timeout: float = 15.0) -> Redis:
    """redis-server를 127.0.0.1의 빈 포트(또는 `port`)에서 띄운다. 같은 포트로 다시 띄우면 '복구'가 된다."""
    if shutil.which("redis-server") is None:
        raise missing_binary("redis-server", "Redis (`apt-get install redis-server`)")
    port = port or free_port()
    datadir = Path(tempfile.mkdtemp(prefix="course-redis-"))
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(datadir)]
    try:
        server = start_process("redis", argv, lab, port=port, timeout=timeout, ready_check=lambda: redis_ping(port))
    except BaseException:
        shutil.rmtree(datadir, ignore_errors=True)
        raise
    return _adopt(server, Redis(server, datadir))

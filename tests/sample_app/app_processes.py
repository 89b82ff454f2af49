"""예제 앱 테스트가 띄우는 진짜 프로세스: 앱 서버, PostgreSQL, Redis.

실습 도구(`labs.procs`, `labs.services`)를 그대로 쓴다: 노트북과 테스트가 같은 실행기를 검증한다.
여기에는 테스트에 맞춘 얇은 포장(환경을 통째로 정하는 앱 서버, 서비스가 없을 때의 예외)만 둔다.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from labs import LabError, services
from labs.procs import Server, free_port, wait_for
from labs.registry import PROJECT_ROOT

LAB = "t-sample-app"

__all__ = ["PROJECT_ROOT", "AppServer", "ServiceUnavailable", "free_port", "http_ok", "python_command",
           "start_postgres", "start_redis", "wait_until"]


class ServiceUnavailable(RuntimeError):
    """필요한 프로그램이 이 컴퓨터에 없다. 테스트는 이것을 건너뛰기(skip)로 바꾼다."""


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    wait_for(check, timeout, what)


def http_ok(url: str) -> bool:
    """GET이 200으로 답하는가. 연결이 안 되면 False."""
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class AppServer(Server):
    """서버 명령 하나를 주어진 환경 **그대로** 띄운다 (테스트 프로세스의 환경을 물려받지 않는다).

    `with AppServer(...)`에 들어갈 때 시작하고 `/health`가 200이 될 때까지 기다린다.
    """

    def __init__(self, argv: list[str], env: Mapping[str, str], port: int, log: Path | None = None,
                 cwd: Path = PROJECT_ROOT, health_path: str = "/health", start_timeout: float = 20) -> None:
        super().__init__(name=Path(argv[0]).name, argv=argv, lab=LAB, port=port, ready_path=health_path,
                         env=dict(env), cwd=cwd, inherit_env=False)
        self.start_timeout = start_timeout

    def __enter__(self) -> "AppServer":
        self.start(timeout=self.start_timeout)
        return self

    def output(self) -> str:
        return self.logs()


def _available(start, *args):
    try:
        return start(LAB, *args)
    except LabError as exc:
        if "찾을 수 없다" in str(exc) or "계정이 없다" in str(exc):
            raise ServiceUnavailable(str(exc)) from exc
        raise


def start_postgres() -> services.Postgres:
    return _available(services.start_postgres)


def start_redis() -> services.Redis:
    return _available(services.start_redis)


def python_command(*args: str) -> list[str]:
    """지금 테스트를 돌리는 파이썬(가상 환경)으로 모듈을 실행하는 명령."""
    return [sys.executable, *args]

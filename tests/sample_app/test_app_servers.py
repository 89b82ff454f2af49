"""진짜 서버로 띄워 보기: uvicorn, gunicorn(sync·gevent·uvicorn 워커). 종료는 SIGTERM으로 청한다."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import httpx
import pytest
from app_processes import AppServer, free_port, http_ok, python_command, wait_until
from conftest import SECRET, clean_env, sqlite_url


@pytest.fixture
def app_env_vars(tmp_path: Path) -> dict[str, str]:
    """서버 하위 프로세스용 환경: 마이그레이션한 임시 SQLite, SECRET_KEY, 실습 전용 엔드포인트 켜기 (/hang, /work/block)."""
    env = clean_env(secret_key=SECRET, database_url=sqlite_url(tmp_path), secrets_dir=str(tmp_path / "none"),
                    lab_endpoints="true")
    subprocess.run(python_command("-m", "sample_app.migrate"), env=env, cwd=tmp_path, check=True,
                   capture_output=True, timeout=60)
    return env


def uvicorn(port: int, *extra: str) -> list[str]:
    return python_command("-m", "uvicorn", "sample_app.main:app", "--host", "127.0.0.1", "--port", str(port), *extra)


def gunicorn(target: str, port: int, *extra: str) -> list[str]:
    # gunicorn 25.1+는 기본으로 ~/.gunicorn/gunicorn.ctl 제어 소켓을 만든다.
    # 여러 인스턴스가 같은 경로를 다투지 않게 끈다.
    return python_command("-m", "gunicorn", target, "--bind", f"127.0.0.1:{port}", "--no-control-socket", *extra)


def test_uvicorn_finishes_in_flight_request_then_runs_lifespan_shutdown(app_env_vars, tmp_path: Path) -> None:
    port = free_port()
    server = AppServer(uvicorn(port), app_env_vars, port, tmp_path / "uvicorn.log")
    with server:
        me = httpx.get(server.url + "/whoami").json()
        assert me["pid"] == server.proc.pid
        assert httpx.get(server.url + "/info").json()["server"] == f"uvicorn/{metadata.version('uvicorn')}"
        assert httpx.post(server.url + "/notes", json={"title": "서버에서"}).status_code == 201

        answers: list[httpx.Response] = []
        slow = threading.Thread(target=lambda: answers.append(httpx.get(server.url + "/slow?duration=1", timeout=10)))
        slow.start()
        wait_until(lambda: "[slow] 시작" in server.output(), 5, "/slow 요청 시작")
        # uvicorn은 정리를 마친 뒤 받은 신호를 다시 일으켜 끝난다: 종료 코드가 0이 아니라 -SIGTERM이다
        assert server.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
        slow.join(5)

    assert answers and answers[0].status_code == 200, "처리 중이던 요청이 끝나지 못했다"
    out = server.output()
    assert "[lifespan] 시작: 데이터베이스 연결 풀 생성" in out
    for line in ["[slow] 완료", "[lifespan] 종료: 데이터베이스 연결 풀 닫음", "[lifespan] 종료: 정리 완료"]:
        assert line in out
    assert out.index("[slow] 완료") < out.index("[lifespan] 종료: 정리 완료")
    assert SECRET not in out


def test_hypercorn_runs_the_same_app(app_env_vars, tmp_path: Path) -> None:
    port = free_port()
    argv = python_command("-m", "hypercorn", "sample_app.main:app", "--bind", f"127.0.0.1:{port}")
    server = AppServer(argv, app_env_vars, port, tmp_path / "hypercorn.log")
    with server:
        assert httpx.get(server.url + "/info").json()["server"] == f"hypercorn/{metadata.version('hypercorn')}"
        server.stop(signal.SIGTERM)
    assert "[lifespan] 종료: 정리 완료" in server.output()


def test_hang_holds_shutdown_until_graceful_timeout(app_env_vars, tmp_path: Path) -> None:
    """끝나지 않는 요청은 그레이스풀 셧다운도 붙잡는다: `--timeout-graceful-shutdown`이 끊어 준다."""
    port = free_port()
    server = AppServer(uvicorn(port, "--timeout-graceful-shutdown", "1"), app_env_vars, port, tmp_path / "hang.log")
    with server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(server.url + "/hang", timeout=0.5)
        started = time.monotonic()
        server.stop(signal.SIGTERM, timeout=10)
        assert time.monotonic() - started < 5
    assert "[lifespan] 종료: 정리 완료" in server.output()


def test_gunicorn_sync_wsgi_twin(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env()  # WSGI 쌍둥이는 설정을 읽지 않으므로 SECRET_KEY가 없어도 뜬다
    server = AppServer(gunicorn("sample_app.wsgi:application", port, "--workers", "2", "--worker-class", "sync"),
                       env, port, tmp_path / "gunicorn.log")
    with server:
        me = httpx.get(server.url + "/whoami").json()
        assert me["ppid"] == server.proc.pid  # 응답은 마스터가 아니라 워커가 만든다
        assert me["server"].startswith("gunicorn/")
        assert httpx.get(server.url + "/work/cpu?duration=0.01").json()["iterations"] > 0
        assert httpx.get(server.url + "/work/io?duration=0.01").json()["duration"] == 0.01
        assert httpx.get(server.url + "/nope").status_code == 404
        assert server.stop(signal.SIGTERM) == 0
    assert "Shutting down: Master" in server.output()


def concurrent_io(url: str, count: int, duration: float) -> tuple[float, set[int]]:
    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        bodies = list(pool.map(lambda _: httpx.get(f"{url}/work/io?duration={duration}", timeout=30).json(),
                               range(count)))
    return time.monotonic() - started, {body["pid"] for body in bodies}


@pytest.mark.parametrize(("worker_class", "overlaps"), [("sync", False), ("gevent", True)])
def test_wsgi_worker_classes_on_io(worker_class: str, overlaps: bool, tmp_path: Path) -> None:
    """워커 하나로 0.4초짜리 I/O 요청 4개: sync는 줄을 서고, gevent는 한꺼번에 기다린다."""
    port = free_port()
    server = AppServer(gunicorn("sample_app.wsgi:application", port, "--workers", "1", "--worker-class", worker_class),
                       clean_env(), port, tmp_path / f"{worker_class}.log")
    with server:
        elapsed, pids = concurrent_io(server.url, 4, 0.4)
    assert len(pids) == 1
    if overlaps:
        assert elapsed < 1.2, f"gevent 워커가 요청을 겹쳐 처리하지 못했다 ({elapsed:.2f}초)"
    else:
        assert elapsed >= 1.6, f"sync 워커가 요청을 겹쳐 처리했다? ({elapsed:.2f}초)"


def test_gunicorn_timeout_kills_worker_with_blocked_event_loop(app_env_vars, tmp_path: Path) -> None:
    """uvicorn 워커의 gunicorn `--timeout`은 하트비트다: 이벤트 루프가 막히면 워커가 죽고 새로 뜬다."""
    port = free_port()
    server = AppServer(
        gunicorn("sample_app.main:app", port, "--workers", "1", "--worker-class", "uvicorn_worker.UvicornWorker",
                 "--timeout", "2", "--graceful-timeout", "5"),
        app_env_vars, port, tmp_path / "gunicorn-asgi.log",
    )
    with server:
        before = httpx.get(server.url + "/whoami").json()["pid"]
        assert httpx.get(server.url + "/info").json()["server"].startswith("gunicorn/")
        with pytest.raises(httpx.HTTPError):
            httpx.get(server.url + "/work/block?duration=20", timeout=15)
        wait_until(lambda: http_ok(server.url + "/health"), 15, "새 워커")
        after = httpx.get(server.url + "/whoami").json()["pid"]
        assert after != before
        assert server.stop(signal.SIGTERM) == 0
    out = server.output()
    assert "WORKER TIMEOUT" in out
    assert "[lifespan] 종료: 정리 완료" in out

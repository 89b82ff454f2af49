"""헬스 체크(routes/health.py): 라이브니스는 의존성을 보지 않고, 레디니스는 시간 제한 안에 DB·Redis를 본다."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from app_processes import free_port


def test_liveness(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_without_redis(client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "redis": "skipped"}
    assert body["timestamp"].endswith("+00:00")


def test_readiness_logs_the_cause_but_never_returns_it(make_client, capsys) -> None:
    """원인(예외 이름과 문구)은 서버 로그에만 있다."""
    client = make_client(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    capsys.readouterr()
    response = client.get("/health/ready")
    out = capsys.readouterr().out
    assert "[health] redis 점검 실패" in out and "ConnectionError" in out
    assert "ConnectionError" not in response.text


def test_readiness_degraded_when_database_refuses(make_client) -> None:
    client = make_client(migrated=False, database_url=f"postgresql://app@127.0.0.1:{free_port()}/nothing")
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "error: unavailable"
    assert "127.0.0.1" not in response.text and "Error" not in response.text, "응답에 예외 문구가 새어 나왔다"
    assert client.get("/health").status_code == 200  # 라이브니스는 DB와 상관없다


def test_readiness_degraded_when_redis_refuses(make_client) -> None:
    client = make_client(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"] == "error: unavailable"
    assert "127.0.0.1" not in response.text and "Error" not in response.text, "응답에 예외 문구가 새어 나왔다"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """연결은 받지만(backlog) 한 바이트도 답하지 않는 TCP 서버: 멈춰 버린 의존 서비스 흉내."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_readiness_times_out_on_silent_redis(make_client, silent_server: int) -> None:
    client = make_client(redis_url=f"redis://127.0.0.1:{silent_server}/0", health_check_timeout="0.5")
    started = time.monotonic()
    response = client.get("/health/ready")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error: timeout"
    assert elapsed < 3, f"레디니스가 {elapsed:.1f}초 걸렸다: 시간 제한이 듣지 않는다"

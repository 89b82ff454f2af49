"""진짜 PostgreSQL·Redis와 함께 (백킹 서비스). 프로그램이 없으면 건너뛴다(CI에서는 실패)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from alembic import command
from app_processes import AppServer, free_port, python_command
from conftest import SECRET, clean_env

from sample_app.migrate import alembic_config

pytestmark = pytest.mark.services


def test_migrations_on_postgres(pg_url: str, tmp_path: Path, app_env) -> None:
    env = clean_env(database_url=pg_url)
    done = subprocess.run(python_command("-m", "sample_app.migrate"), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "postgresql+asyncpg://" in done.stdout
    assert "[migrate] 완료: 없음 → 0001" in done.stdout
    # 모델과 마이그레이션이 PostgreSQL 기준으로도 같은지(타입까지) 본다
    app_env(database_url=pg_url)
    command.check(alembic_config())


def test_notes_crud_on_postgres(make_client, pg_url: str) -> None:
    client = make_client(database_url=pg_url)
    note = client.post("/notes", json={"title": "포스트그레스", "body": "본문"}).json()
    assert client.get(f"/notes/{note['id']}").json()["body"] == "본문"
    updated = client.put(f"/notes/{note['id']}", json={"title": "바뀜", "body": ""}).json()
    assert updated["title"] == "바뀜"
    assert updated["updated_at"] >= note["updated_at"]
    assert [n["title"] for n in client.get("/notes").json()] == ["바뀜"]
    assert client.delete(f"/notes/{note['id']}").status_code == 204
    assert client.get("/notes").json() == []


def test_ready_with_postgres_and_redis(make_client, pg_url: str, redis_server) -> None:
    client = make_client(database_url=pg_url, redis_url=redis_server.url)
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_degraded_after_redis_dies_while_liveness_stays_ok(make_client, pg_url: str, fresh_redis) -> None:
    client = make_client(database_url=pg_url, redis_url=fresh_redis.url)
    assert client.get("/health/ready").status_code == 200
    assert client.post("/counter").json()["backend"] == "redis"

    fresh_redis.kill()

    ready = client.get("/health/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "error: unavailable"
    assert client.get("/health").status_code == 200  # 라이브니스는 살아 있다: 재시작할 까닭이 없다
    counter = client.post("/counter")
    assert counter.status_code == 503
    assert counter.json() == {"code": "redis_unavailable", "detail": "Redis에 닿지 못했다. 원인은 서버 로그에 있다."}
    assert str(fresh_redis.port) not in counter.text, "응답에 Redis 주소가 새어 나왔다"


def test_redis_counter_is_shared_by_two_app_processes(redis_server, tmp_path: Path) -> None:
    """워커(프로세스) 두 개가 Redis 카운터 하나를 나눠 쓴다. 메모리 카운터라면 값이 갈라진다."""
    env = clean_env(secret_key=SECRET, redis_url=redis_server.url,
                    database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", secrets_dir=str(tmp_path / "none"))
    servers = []
    for name in ("a", "b"):
        port = free_port()
        argv = python_command("-m", "uvicorn", "sample_app.main:app", "--host", "127.0.0.1", "--port", str(port))
        servers.append(AppServer(argv, env, port, tmp_path / f"{name}.log"))
    with servers[0] as first, servers[1] as second:
        httpx.delete(first.url + "/counter")
        answers = [httpx.post(server.url + "/counter").json() for server in (first, second, first, second)]
    assert [answer["value"] for answer in answers] == [1, 2, 3, 4]
    assert {answer["backend"] for answer in answers} == {"redis"}
    assert len({answer["pid"] for answer in answers}) == 2

"""로컬 PostgreSQL·Redis 실행기를 실제 서버로 검증한다."""

import subprocess

import pytest

from labs import registry, services

LAB = "t-services"


@pytest.mark.requires("redis")
def test_redis_start_kill_restart_on_same_port():
    r = services.start_redis(LAB)
    assert r.ping() and r.url.startswith("redis://127.0.0.1:")
    r.kill()
    assert not r.ping()
    again = services.start_redis(LAB, port=r.port)  # 같은 주소로 복구
    assert again.ping()
    registry.cleanup(LAB, quiet=True)
    assert not again.ping() and not again.datadir.exists()


@pytest.mark.requires("postgres")
def test_postgres_create_database_and_cleanup():
    with services.start_postgres(LAB) as pg:
        url = pg.create_database("t_notes")
        assert url.endswith("/t_notes") and pg.ready()
        psql = subprocess.run(["psql", url, "-tAc", "select 1"], capture_output=True, text=True, timeout=20)
        assert psql.stdout.strip() == "1"
    assert not pg.ready() and not pg.datadir.exists()
    assert registry.live(LAB) == []

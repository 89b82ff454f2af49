"""Compose 스택: up --wait, nginx 뒤의 레디니스, --scale, 열화, down -v (06 레슨).

진짜 PostgreSQL·Redis·nginx 컨테이너와 진짜 `docker compose` CLI로 검사한다.
"""

from __future__ import annotations

import collections
import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from labs import docker, procs
from labs.errors import LabError

LAB = "test_docker"  # conftest.py와 같은 값
APP_TAG = "course-test/sample-app:test"

pytestmark = [pytest.mark.docker, pytest.mark.requires("docker")]

PROJECT = "course-test"


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _wait_status(url: str, want: int, timeout: float = 30) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    got: tuple[int, dict] = (0, {})
    while time.monotonic() < deadline:
        try:
            got = _get(url)
        except OSError:
            got = (0, {})
        if got[0] == want:
            return got
        time.sleep(0.5)
    return got


@pytest.fixture(scope="module")
def stack(app_image):
    st = docker.Compose(PROJECT, lab=LAB, env={
        "SECRET_KEY": "test-only-secret-key-for-compose-0123456789",
        "NGINX_PORT": str(procs.free_port()),
        "APP_IMAGE": APP_TAG,
    })
    try:
        st.up(scale={"app": 3}, timeout=240)
        yield st
    finally:
        st.down(volumes=True)


def test_config_follows_current_compose_practice():
    cfg = docker.Compose(PROJECT, lab=LAB, env={"SECRET_KEY": "x"}).config()
    assert "version" not in cfg
    app = cfg["services"]["app"]
    assert "container_name" not in app and not app.get("ports"), "--scale 하려면 이름·호스트 포트가 없어야 한다"
    deps = app["depends_on"]
    assert deps["migrate"]["condition"] == "service_completed_successfully"
    assert deps["db"]["condition"] == "service_healthy" and deps["db"]["restart"] is True
    assert app["deploy"]["resources"]["limits"]["memory"]
    nginx_ports = cfg["services"]["nginx"]["ports"]
    assert all(p["host_ip"] == "127.0.0.1" for p in nginx_ports)
    for name in ("db", "redis"):
        assert not cfg["services"][name].get("ports"), f"{name}은(는) 호스트에 포트를 열지 않는다"
    assert set(cfg["volumes"]) >= {"postgres_data", "redis_data"}


def test_ready_through_nginx_with_real_postgres_and_redis(stack):
    status, body = _get(stack.url("/health/ready"))
    assert status == 200
    assert body["checks"] == {"database": "ok", "redis": "ok"}


def test_all_services_healthy_and_labelled(stack):
    rows = stack.ps()
    assert {r["Service"] for r in rows} == {"app", "db", "redis", "nginx"}
    assert all(r["Health"] == "healthy" for r in rows), rows
    containers = docker.require_docker().containers.list(filters={"label": f"com.docker.compose.project={PROJECT}"})
    assert containers and all(c.labels.get("course.lab") == LAB for c in containers)


def test_migrations_ran_once_before_app(stack):
    out = stack.exec("app", "alembic current", show=False).output
    assert "(head)" in out
    migrate = stack.ps(all=True, service="migrate")
    assert migrate and migrate[0]["State"] == "exited" and migrate[0]["ExitCode"] == 0


def test_scale_spreads_whoami_over_three_containers(stack):
    seen = collections.Counter(_get(stack.url("/whoami"))[1]["hostname"] for _ in range(60))
    assert len(seen) == 3, seen
    assert min(seen.values()) >= 10, f"고르게 나뉘지 않았다: {seen}"


def test_readiness_degrades_when_redis_stops_and_recovers(stack):
    url = stack.url("/health/ready")
    stack.stop(timeout=5, services=["redis"])
    status, body = _wait_status(url, 503)
    assert status == 503 and body["checks"]["redis"] != "ok"
    assert _get(stack.url("/health"))[0] == 200, "라이브니스는 의존 서비스와 상관없이 살아 있어야 한다"
    stack.up(["redis"], build=False, timeout=120)
    assert _wait_status(url, 200, timeout=60)[0] == 200


def test_down_v_leaves_nothing_labelled(stack):
    stack.down(volumes=True)
    c = docker.require_docker()
    flt = {"label": f"course.lab={LAB}"}
    assert [x.name for x in c.containers.list(all=True, filters=flt)] == []
    assert [x.name for x in c.networks.list(filters=flt)] == []
    assert [x.name for x in c.volumes.list(filters=flt)] == []


def test_busy_host_port_gives_clear_error(images, tmp_path):
    """nginx의 호스트 포트를 다른 프로세스가 쓰고 있으면 어느 포트인지 말해 준다."""
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  web:\n"
        "    image: ${NGINX_IMAGE:-nginx:1.28-alpine}\n"
        "    ports: ['127.0.0.1:${WEB_PORT}:80']\n"
        "    labels: {course.lab: \"${COURSE_LAB}\"}\n"
        "networks:\n  default:\n    labels: {course.lab: \"${COURSE_LAB}\"}\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        st = docker.Compose("course-test-busy", lab=LAB, files=[tmp_path / "compose.yaml"],
                            env={"WEB_PORT": str(busy)})
        try:
            with pytest.raises(LabError) as info:
                st.up(build=False, timeout=60)
        finally:
            st.down(volumes=True)
    assert str(busy) in str(info.value) and "사용 중" in str(info.value)

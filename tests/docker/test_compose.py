"""Compose 스택: up --wait, nginx 뒤의 레디니스, --scale, 열화, down -v (06 레슨).

진짜 PostgreSQL·Redis·nginx 컨테이너와 진짜 `docker compose` CLI로 검사한다.
"""

from __future__ import annotations

import collections
import ipaddress
import json
import re
import socket
import time
import urllib.error
import urllib.request
import uuid

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
    env = cfg["services"]["app"]["environment"]
    assert env["FORWARDED_ALLOW_IPS"] != "*", "전달 헤더는 프록시에게서 온 것만 믿는다"
    edge = cfg["networks"]["edge"]["ipam"]["config"][0]
    assert env["FORWARDED_ALLOW_IPS"] == edge["ip_range"]
    assert ipaddress.ip_network(edge["ip_range"]).subnet_of(ipaddress.ip_network(edge["subnet"]))
    assert ipaddress.ip_address(edge["gateway"]) not in ipaddress.ip_network(edge["ip_range"]), \
        "게이트웨이(호스트 쪽 주소)가 믿는 대역 안에 있다"
    assert env["LAB_ENDPOINTS"] == "false"
    assert cfg["services"]["nginx"]["networks"].keys() == {"edge"}, "nginx는 DB·Redis 네트워크에 붙지 않는다"
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


LAB_ONLY_PATHS = ["/hang", "/work/block?duration=30", "/work/cpu?duration=30", "/debug/client"]


def test_production_stack_has_no_lab_endpoints(stack):
    """프로덕션 스택(LAB_ENDPOINTS 기본값)에서는 실습 전용 경로가 없다: nginx를 거쳐도 404다."""
    for path in LAB_ONLY_PATHS:
        started = time.monotonic()
        status, _ = _get(stack.url(path))
        assert status == 404, f"{path} → {status}"
        assert time.monotonic() - started < 3, f"{path}가 워커를 붙잡았다"
    req = urllib.request.Request(stack.url("/counter"), method="DELETE")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    assert info.value.code == 405, "DELETE /counter(초기화)가 열려 있다"
    listed = {e["path"] for e in _get(stack.url("/"))[1]["endpoints"]}
    assert not listed & {"/hang", "/work/block", "/work/cpu", "/debug/client"}
    assert {"/health", "/health/ready", "/whoami", "/slow", "/work/io"} <= listed


def _access_line(stack, marker: str, service: str, timeout: float = 15) -> str:
    """서비스 로그에서 `marker`가 든 접근 로그 줄을 기다려 찾는다."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = stack.run("logs", "--no-color", "--no-log-prefix", service, show=False, timeout=60).output
        lines = [line for line in out.splitlines() if marker in line]
        if lines:
            return lines[-1]
        time.sleep(0.5)
    raise AssertionError(f"{service} 로그에 {marker} 요청 줄이 {timeout:.0f}초 안에 나오지 않았다")


def _app_client_host(line: str) -> str:
    """uvicorn 워커의 접근 로그 줄 `주소:포트 - "GET …" 200`에서 앱이 본 클라이언트 주소."""
    m = re.search(r"(\d+\.\d+\.\d+\.\d+):\d+ - \"", line)
    assert m, f"접근 로그 줄의 모양이 낯설다: {line}"
    return m.group(1)


FORGED = "203.0.113.9"


def test_app_sees_real_client_through_nginx_not_forged_header(stack):
    """nginx가 본 클라이언트 주소가 앱에 그대로 간다. 클라이언트가 지어낸 X-Forwarded-For 값도, nginx 자신의
    주소도 아니다 (FORWARDED_ALLOW_IPS가 edge 네트워크의 컨테이너 대역만 믿는다)."""
    marker = f"xff-{uuid.uuid4().hex[:12]}"
    req = urllib.request.Request(stack.url(f"/health?{marker}"), headers={"X-Forwarded-For": FORGED})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200
    nginx_saw = _access_line(stack, marker, "nginx").split()[0]
    app_saw = _app_client_host(_access_line(stack, marker, "app"))
    assert app_saw == nginx_saw, f"앱은 {app_saw}, nginx는 {nginx_saw}를 클라이언트로 봤다"
    assert app_saw != FORGED, "클라이언트가 지어낸 X-Forwarded-For를 믿었다"
    edge_ips = {c.attrs["NetworkSettings"]["Networks"][f"{PROJECT}_edge"]["IPAddress"]
                for c in docker.require_docker().containers.list(
                    filters={"label": [f"com.docker.compose.project={PROJECT}", "com.docker.compose.service=nginx"]})}
    assert app_saw not in edge_ips, "앱이 nginx의 주소를 클라이언트로 봤다: 전달 헤더를 믿지 않았다"


_DIRECT = """
import ipaddress, socket, sys, urllib.request
edge = ipaddress.ip_network(sys.argv[1])
own = [a for a in socket.gethostbyname_ex(socket.gethostname())[2] if ipaddress.ip_address(a) not in edge]
for host in ["127.0.0.1", *own]:
    req = urllib.request.Request(f"http://{host}:8000/health?{sys.argv[2]}-{host}", headers={"X-Forwarded-For": sys.argv[3]})
    urllib.request.urlopen(req, timeout=5).read()
    print(host)
"""


def test_forged_header_sent_straight_to_app_is_not_trusted(stack):
    """nginx를 거치지 않고 앱 포트로 곧장 보낸 X-Forwarded-For는 믿지 않는다: 컨테이너 안의 루프백에서도,
    DB·Redis가 있는 default 네트워크의 주소에서도 (앱 포트는 호스트에 열려 있지 않으므로 컨테이너 안에서 보낸다)."""
    marker = f"direct-{uuid.uuid4().hex[:12]}"
    edge = stack.config()["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    out = stack.exec("app", ["python", "-c", _DIRECT, edge, marker, FORGED], show=False).output
    senders = out.split()
    assert "127.0.0.1" in senders and len(senders) >= 2, out
    for host in senders:
        seen = _app_client_host(_access_line(stack, f"{marker}-{host}", "app"))
        assert seen == host, f"{host}에서 보낸 요청을 앱이 {seen}에서 온 것으로 봤다"
        assert ipaddress.ip_address(seen) not in ipaddress.ip_network(edge)


def test_redis_runs_with_maxmemory_and_eviction_policy(stack):
    """compose.yaml의 `command:`가 (대체 이미지에서도) redis-server 옵션으로 들어간다: 앱 컨테이너의 redis-py로 본다."""
    code = ("import os, redis; r = redis.Redis.from_url(os.environ['REDIS_URL'], decode_responses=True); "
            "print(r.config_get('maxmemory')['maxmemory'], r.config_get('maxmemory-policy')['maxmemory-policy'])")
    out = stack.exec("app", ["python", "-c", code], show=False).output.split()
    assert out[-2:] == [str(128 * 1024 * 1024), "allkeys-lru"], out


def test_initdb_script_ran_on_fresh_volume(stack):
    """compose/initdb/01-init.sql이 빈 데이터 폴더에서 한 번 돌았다: 앱 계정의 세션 기본값이 그 파일대로다."""
    logs = stack.run("logs", "--no-color", "db", show=False, timeout=60).output
    assert "/docker-entrypoint-initdb.d/01-init.sql" in logs
    out = stack.exec("db", ["psql", "-U", "app", "-d", "app", "-tAc",
                            "SELECT current_setting('statement_timeout') || ' ' || current_setting('TimeZone')"],
                     show=False).output.split()
    assert out[-2:] == ["30s", "UTC"], out


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


def test_each_project_gets_its_own_edge_network(tmp_path):
    # 고정 대역(10.213.0.0/24)이면 한 기계에 스택 하나뿐이다: 실습 도구는 프로젝트마다 다른 /24를 준다.
    a, b = docker.edge_network("course-10-alice"), docker.edge_network("course-10-bob")
    assert a != b and a == docker.edge_network("course-10-alice")
    for net in (a, b):
        first, second, third, _ = net["EDGE_SUBNET"].split(".")
        assert first == "10" and 200 <= int(second) < 250 and net["EDGE_SUBNET"].endswith(".0/24")
        assert net["EDGE_IP_RANGE"] == net["EDGE_SUBNET"].replace(".0/24", ".128/25")
    env = docker.Compose("course-10-alice", lab=LAB).env()
    assert env["EDGE_SUBNET"] == a["EDGE_SUBNET"]
    # 사람이 정한 값(환경 변수나 .env)은 그대로 둔다
    explicit = docker.Compose("course-10-alice", lab=LAB, env={"EDGE_SUBNET": "10.99.0.0/24"}).env()
    assert explicit["EDGE_SUBNET"] == "10.99.0.0/24"

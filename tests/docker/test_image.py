"""sample_app 이미지: 빌드, non-root, 헬스 체크, .dockerignore, 그레이스풀 셧다운, 오류 메시지 (05 레슨)."""

from __future__ import annotations

import shutil
import socket
import time
import urllib.request

import pytest

from labs import docker
from labs.errors import LabError

LAB = "test_docker"  # conftest.py와 같은 값
APP_TAG = "course-test/sample-app:test"
NODE_TAG = "course-test/sample-node:test"

pytestmark = [pytest.mark.docker, pytest.mark.requires("docker")]

SECRET = {"SECRET_KEY": "test-only-secret-key-for-docker-tests-0123456789"}


@pytest.fixture(scope="module")
def app(app_image):
    """앱 컨테이너 하나를 띄워 모듈 안의 테스트가 함께 쓴다."""
    with docker.run(APP_TAG, LAB, ports={8000: None}, env=SECRET, wait_healthy=False) as c:
        c.transitions = docker.health_transitions(c, timeout=90, show=False)
        yield c


def test_image_builds_small_with_few_layers(app_image):
    assert app_image.tag == APP_TAG
    assert app_image.size_mb < 400, f"이미지가 너무 크다: {app_image.size_mb:.0f}MB"
    assert app_image.layers <= 10
    rows = docker.history(APP_TAG)
    assert any("gunicorn" in r["instruction"] for r in rows)


def test_dependency_layer_is_cached_on_rebuild(app_image):
    again = docker.build(docker.registry.PROJECT_ROOT / "sample_app", APP_TAG, LAB, progress=False)
    assert again.cached >= 5, "두 번째 빌드는 캐시를 써야 한다"
    assert again.image_id == app_image.image_id


def test_runs_as_non_root(app):
    assert app.user() == "app"
    assert app.exec(["id", "-u"], show=False).output.strip() == "10001"


def test_turns_healthy(app):
    states = [s for _, s in app.transitions]
    assert states[0] == "starting"
    assert states[-1] == "healthy"
    with urllib.request.urlopen(app.url(8000, "/health"), timeout=5) as r:
        assert r.status == 200


def test_image_runs_the_lessons_gunicorn_conf(app):
    """이미지는 02 레슨의 sample_app/gunicorn.conf.py로 gunicorn을 띄운다: 명령행에 따로 늘어놓은 플래그가 없다."""
    pid1 = app.exec(["sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"], show=False).output
    assert "-c sample_app/gunicorn.conf.py sample_app.main:app" in pid1, pid1
    assert "--worker-class" not in pid1 and "--graceful-timeout" not in pid1
    printed = app.exec(["gunicorn", "--print-config", "-c", "sample_app/gunicorn.conf.py", "sample_app.main:app"],
                       show=False).output
    settings = {k.strip(): v.strip() for k, _, v in (line.partition(" = ") for line in printed.splitlines()) if v}
    want = {"bind": "['0.0.0.0:8000']", "workers": "2", "worker_class": "uvicorn_worker.UvicornWorker",
            "graceful_timeout": "20", "worker_tmp_dir": "/dev/shm", "control_socket_disable": "True",
            "forwarded_allow_ips": "['127.0.0.1', '::1']", "accesslog": "-"}
    got = {key: settings.get(key, "") for key in want}
    assert got == want
    logs = app.logs(tail=None, show=False)
    assert "Using worker: uvicorn_worker.UvicornWorker" in logs
    assert logs.count("Booting worker") >= 2


def test_port_published_on_loopback_only(app):
    bindings = app.reload()["NetworkSettings"]["Ports"]["8000/tcp"]
    assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}


def test_dockerignore_keeps_secrets_and_caches_out(app_image, tmp_path):
    """컨텍스트에 .env·캐시·.git이 있어도 이미지에 들어가지 않는다 (빌드는 캐시로 금방 끝난다)."""
    src = tmp_path / "sample_app"
    shutil.copytree(docker.registry.PROJECT_ROOT / "sample_app", src,
                    ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    (src / ".env").write_text("SECRET_KEY=leaked\n")
    (src / "__pycache__").mkdir(exist_ok=True)
    (src / "__pycache__" / "junk.cpython-313.pyc").write_bytes(b"junk")
    (src / ".git").mkdir()
    (src / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    docker.build(src, APP_TAG + "-ignore", LAB, progress=False)
    try:
        with docker.run(APP_TAG + "-ignore", LAB, command=["ls", "-a", "/app/sample_app"],
                        wait_healthy=False) as c:
            assert c.wait(timeout=30) == 0
            listing = c.logs(show=False).split()
        assert "main.py" in listing
        for unwanted in (".env", "__pycache__", ".git", "node", "Dockerfile", "README.md"):
            assert unwanted not in listing, f"{unwanted}이(가) 이미지에 들어갔다"
    finally:
        docker.require_docker().images.remove(APP_TAG + "-ignore", noprune=True)


def test_failed_build_shows_the_failing_step_output(images, tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "ARG PYTHON_IMAGE=python:3.13-slim\nFROM ${PYTHON_IMAGE}\nRUN echo first-step-ok\n"
        "RUN echo marker-before-failure && ls /no-such-dir\n")
    with pytest.raises(LabError) as info:
        docker.build(tmp_path, "course-test/broken:test", LAB, progress=False)
    msg = str(info.value)
    assert "빌드가 실패했다" in msg and "ls /no-such-dir" in msg.splitlines()[0]
    assert "marker-before-failure" in msg and "No such file or directory" in msg
    assert "first-step-ok" not in msg, "실패한 단계의 출력만 보여 준다"


def test_graceful_stop_exits_zero_quickly(app_image):
    c = docker.run(APP_TAG, LAB, env=SECRET, timeout=90)
    start = time.monotonic()
    code = c.stop(timeout=15)
    assert code == 0, "SIGTERM을 받으면 gunicorn이 깨끗하게(종료 코드 0) 끝나야 한다"
    assert time.monotonic() - start < 15


def test_busy_port_gives_clear_error(app_image):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        with pytest.raises(LabError) as info:
            docker.run(APP_TAG, LAB, ports={8000: busy}, env=SECRET)
    msg = str(info.value)
    assert str(busy) in msg and "포트" in msg and "사용 중" in msg


def test_stopped_engine_gives_clear_error(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    ok, why = docker.engine_status()
    assert not ok and "Docker 엔진" in why
    with pytest.raises(LabError) as info:
        docker.require_docker()
    assert "make docker" in str(info.value)
    with pytest.raises(LabError):
        docker.Compose("course-test-down", lab=LAB).ps()


def test_node_twin_builds_and_runs_as_non_root(images):
    result = docker.build(docker.registry.PROJECT_ROOT / "sample_app" / "node", NODE_TAG, LAB, progress=False)
    assert result.size_mb < 600
    with docker.run(NODE_TAG, LAB, ports={3000: None}, timeout=60) as c:
        assert c.health() == "healthy"
        assert c.user() == "node"
        assert c.exec(["ls", "/app/node_modules"], show=False).output.split().count("pm2") == 0
        with urllib.request.urlopen(c.url(3000, "/health"), timeout=5) as r:
            assert r.status == 200

"""06 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (진짜 Compose 스택과 엔진 사건).

6-1은 레슨의 `compose.yaml`을 실제로 올리며 기록한 사건으로, 6-2는 학생 파일을 채점기가 진짜로 올리고 늘리며 채점한다.
"""

import pytest

import labs
from labs import docker, dockerlab
from labs.checkpoints import docker_compose as cp

LAB = "t-checkpoint-06"
pytestmark = [pytest.mark.requires("docker"), pytest.mark.docker]

FIXED = """
services:
  web:
    image: ${APP_IMAGE}
    environment:
      SECRET_KEY: checkpoint-06-only-secret-key-0123456789
      REDIS_URL: redis://cache:6379/0
    depends_on:
      cache:
        condition: service_healthy
  cache:
    image: ${REDIS_IMAGE}
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 2s
      timeout: 3s
      retries: 10
"""
SHORT_DEPENDS = "    depends_on:\n      cache:\n        condition: service_healthy\n"


@pytest.fixture(scope="module", autouse=True)
def _images():
    from labs import images

    images.prepare(skip_dev=True, progress=False)
    dockerlab.ensure_app_image(LAB)
    yield
    labs.cleanup(LAB, quiet=True)


@pytest.fixture(scope="module")
def startup():
    """레슨의 스택을 진짜로 올리며 사건을 기록한다 (체크포인트 6-1의 재료)."""
    stack = docker.Compose("course-test-cp06", lab=LAB + "-stack", env={
        "SECRET_KEY": "test-only-secret-key-for-checkpoint-06",
        "NGINX_PORT": str(labs.free_port()), "APP_IMAGE": dockerlab.APP_IMAGE_06})
    try:
        with dockerlab.EventRecorder("course-test-cp06") as events:
            stack.up(build=False, timeout=180)
        yield events
    finally:
        stack.down(volumes=True)
        labs.cleanup(LAB + "-stack", quiet=True)


def failed(grader, ns):
    score = grader.score({"LAB": LAB, **ns})
    return {i for i, o in enumerate(score.outcomes) if not o.passed}


def test_real_waves_of_the_lesson_stack(startup):
    assert [sorted(w) for w in cp.real_waves(startup)] == [["db", "redis"], ["migrate"], ["app"], ["nginx"]]


# 기준 번호: 0 다섯 서비스, 1 첫 무리, 2 나머지 순서
@pytest.mark.parametrize("answer, expected", [
    ([["db", "redis"], ["migrate"], ["app"], ["nginx"]], set()),
    ([["redis", "db"], "migrate", ["app"], ("nginx",)], set()),
    ([["db"], ["redis"], ["migrate"], ["app"], ["nginx"]], {1, 2}),
    ([["db", "redis"], ["app"], ["migrate"], ["nginx"]], {2}),
    ([["db", "redis", "migrate"], ["app"], ["nginx"]], {1, 2}),
    ([["db", "redis"], ["migrate"], ["app"]], {0, 2}),
    ([["db", "redis"], ["migrate"], ["app"], ["nginx", "postgres"]], {0, 2}),
    ("db, redis, migrate, app, nginx", {0, 1, 2}),
], ids=["solution", "shapes", "split-first", "swapped", "migrate-too-early", "missing", "unknown", "string"])
def test_start_order(startup, answer, expected):
    assert failed(cp.start_order, {"predicted_waves": answer, "startup": startup}) == expected


def test_start_order_needs_the_recording():
    score = cp.start_order.score({"predicted_waves": [["db", "redis"]]})
    assert "정하지 않았다" in score.outcomes[1].note


# 기준 번호: 0 config, 1 version 없음, 2 루프백, 3 healthy 뒤 시작, 4 복제본 3개
def _variants():
    port = labs.free_port()
    return [
        ("solution", FIXED, set()),
        ("broken", cp.BROKEN_COMPOSE, {1, 2, 3, 4}),
        ("version", 'version: "3.8"\n' + FIXED, {1}),
        ("fixed-loopback-port", FIXED.replace("    environment:", f'    ports: ["127.0.0.1:{port}:8000"]\n    environment:'),
         {4}),
        ("ephemeral-all-interfaces", FIXED.replace("    environment:", '    ports: ["8000"]\n    environment:'), {2}),
        ("short-depends-on", FIXED.replace(SHORT_DEPENDS, "    depends_on: [cache]\n"), {3}),
        ("container-name", FIXED.replace("    image: ${APP_IMAGE}\n", "    image: ${APP_IMAGE}\n    container_name: web\n"),
         {4}),
        ("bad-yaml", "services:\n  web: [\n", {0, 1, 2, 3, 4}),
    ]


@pytest.mark.parametrize("name, answer, expected", _variants(), ids=[v[0] for v in _variants()])
def test_fix_compose(name, answer, expected):
    assert failed(cp.fix_compose, {"fixed_compose": answer}) == expected
    assert dockerlab.leftovers(LAB) == {"컨테이너": 0, "네트워크": 0, "볼륨": 0}, "채점기는 스택을 내리고 끝난다"


def test_fix_compose_never_publishes_on_all_interfaces():
    """학생 파일이 0.0.0.0에 포트를 열어도 채점 중에는 127.0.0.1에만 연다."""
    override = cp._override({"web": {"ports": [{"target": 8000, "published": "8000"}]}, "cache": {}}, LAB)
    assert "ports: !override" in override and "host_ip: 127.0.0.1" in override and 'published: "8000"' in override
    assert override.count("course.lab") == 3

"""07 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (진짜 Redis·uvicorn·gunicorn·컨테이너·Compose, 진짜 스키마)."""

import pytest

import labs
from labs.checkpoints import health_and_shutdown as cp

LAB = "t-checkpoint-07"


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)
    labs.cleanup(f"{LAB}-checkpoint", quiet=True)


def files(name, text):
    return {"LAB": LAB, "LAB_FILES": {name: text}}


def failed(score):
    return [o.criterion.description for o in score.outcomes if not o.passed]


def lost(grader, name, text):
    return failed(grader.score(files(name, text)))


def test_missing_files_say_what_to_write():
    for grader, name in ((cp.readiness_fixed, "ready_app.py"), (cp.graceful_config, "shutdown.conf.py"),
                         (cp.dockerfile_fixed, "Dockerfile"), (cp.probe_manifest, "deployment.yaml"),
                         (cp.compose_healthcheck, "compose.yaml")):
        score = grader.score({"LAB": LAB})
        assert score.earned == 0
        assert f"아직 `{name}`" in score.outcomes[0].note and "정하지 않았다" in score.outcomes[0].note


# ---- 7-1: 거짓말하지 않는 레디니스 -------------------------------------------------------

READY_HEAD = """\
import os

import redis
from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()
client = redis.Redis.from_url(os.environ["REDIS_URL"]{timeout})


@app.get("/health")
def liveness():
    return {{"status": "ok"}}


@app.get("/health/ready")
def readiness():
    try:
        client.ping()
        redis_state = "ok"
    except redis.RedisError as e:
        redis_state = {state}
    all_ok = redis_state == "ok"
    body = {{"status": "ok" if all_ok else "degraded", "checks": {{"redis": redis_state}}}}
    return {ret}
"""
TIMEOUT = ", socket_connect_timeout=1, socket_timeout=1"
FIXED = '"error: unavailable"'
RET_503 = "JSONResponse(body, status_code=200 if all_ok else 503)"


def ready(timeout=TIMEOUT, state=FIXED, ret=RET_503):
    return READY_HEAD.format(timeout=timeout, state=state, ret=ret)


@pytest.mark.requires("redis")
def test_readiness_right_answer_full_marks():
    assert cp.readiness_fixed.score(files("ready_app.py", ready())).full


@pytest.mark.requires("redis")
def test_seed_shaped_readiness_loses_status_leak_and_timeout():
    seed = ready(timeout="", state='f"error: {e}"', ret="body")
    assert lost(cp.readiness_fixed, "ready_app.py", seed) == [
        "Redis가 죽으면 /health/ready가 503", "응답에 예외 문구를 싣지 않는다", "답하지 않는 Redis에는 타임아웃 안에 503"]


@pytest.mark.requires("redis")
@pytest.mark.parametrize("change, lost_criteria", [
    ({"timeout": ""}, ["답하지 않는 Redis에는 타임아웃 안에 503"]),
    ({"state": 'f"error: {e}"'}, ["응답에 예외 문구를 싣지 않는다"]),
    ({"ret": "body"}, ["Redis가 죽으면 /health/ready가 503", "답하지 않는 Redis에는 타임아웃 안에 503"]),
])
def test_readiness_each_mistake_loses_its_criteria(change, lost_criteria):
    assert lost(cp.readiness_fixed, "ready_app.py", ready(**change)) == lost_criteria


@pytest.mark.requires("redis")
def test_readiness_that_does_not_start():
    score = cp.readiness_fixed.score(files("ready_app.py", ready().replace("import redis\n", "import redis_typo\n")))
    assert score.earned == 0 and "띄우지 못했다" in score.outcomes[0].note


# ---- 7-2: gunicorn의 유예 시간 --------------------------------------------------------

CONF = 'worker_class = "uvicorn_worker.UvicornWorker"\nworkers = 2\ngraceful_timeout = {}\n'


def test_graceful_config_right_answer():
    assert cp.graceful_config.score(files("shutdown.conf.py", CONF.format(10))).full


def test_graceful_config_too_short_cuts_requests():
    assert lost(cp.graceful_config, "shutdown.conf.py", CONF.format(1)) == [
        "graceful_timeout이 요청(3초)보다 길고 바깥(25초)보다 짧다",
        "SIGTERM 때 처리 중이던 3초짜리 요청이 모두 끝난다", "워커마다 lifespan 정리 단계를 마친다"]


def test_graceful_config_longer_than_outside_loses_range_only():
    assert lost(cp.graceful_config, "shutdown.conf.py", CONF.format(30)) == [
        "graceful_timeout이 요청(3초)보다 길고 바깥(25초)보다 짧다"]


# ---- 7-3: exec 형식 CMD ---------------------------------------------------------------

BASE = "FROM course/sample-app:latest\nSTOPSIGNAL SIGTERM\n"
EXEC = BASE + 'CMD ["gunicorn", "-c", "sample_app/gunicorn.conf.py", "sample_app.main:app"]\n'
SHELL = BASE + "CMD gunicorn -c sample_app/gunicorn.conf.py sample_app.main:app\n"


@pytest.fixture(scope="module")
def sample_image():
    from labs import docker

    if not docker.image_exists("course/sample-app:latest"):
        docker.build(labs.registry.PROJECT_ROOT / "sample_app", "course/sample-app:latest", LAB, progress=False)
    return "course/sample-app:latest"


@pytest.mark.requires("docker")
def test_dockerfile_exec_form_full_marks(sample_image):
    assert cp.dockerfile_fixed.score(files("Dockerfile", EXEC)).full


@pytest.mark.requires("docker")
def test_dockerfile_shell_form_keeps_sigterm_from_gunicorn(sample_image):
    assert lost(cp.dockerfile_fixed, "Dockerfile", SHELL) == [
        "PID 1이 셸이 아니라 gunicorn이다", "docker stop이 유예 시간을 다 쓰지 않고 종료 코드 0으로 끝난다"]


@pytest.mark.requires("docker")
def test_dockerfile_shell_form_with_exec_passes(sample_image):
    text = BASE + "CMD exec gunicorn -c sample_app/gunicorn.conf.py sample_app.main:app\n"
    assert cp.dockerfile_fixed.score(files("Dockerfile", text)).full


@pytest.mark.requires("docker")
def test_dockerfile_that_does_not_build():
    score = cp.dockerfile_fixed.score(files("Dockerfile", "FROM course/no-such-image:0\nCMD [\"true\"]\n"))
    assert score.earned == 0


# ---- 7-4: 프로브 매니페스트 ----------------------------------------------------------

GOOD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: sample-app}
spec:
  selector: {matchLabels: {app: sample-app}}
  template:
    metadata: {labels: {app: sample-app}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: app
          image: course/sample-app:latest
          ports: [{name: http, containerPort: 8000}]
          startupProbe: {httpGet: {path: /health, port: http}, periodSeconds: 2, failureThreshold: 15}
          livenessProbe: {httpGet: {path: /health, port: http}, periodSeconds: 10}
          readinessProbe: {httpGet: {path: /health/ready, port: http}, periodSeconds: 5}
          lifecycle: {preStop: {sleep: {seconds: 5}}}
"""


def grade(text):
    return cp.probe_manifest.score(files("deployment.yaml", text))


def test_probe_manifest_right_answer():
    assert grade(GOOD).full


def test_course_manifest_file_also_passes():
    from labs import k8s

    assert grade(k8s.MANIFEST.read_text()).full


@pytest.mark.parametrize("change, lost_criteria", [
    (("periodSeconds: 10}", "periodSecond: 10}"), ["Kubernetes 스키마(strict)를 통과한다"]),
    (("livenessProbe: {httpGet: {path: /health,", "livenessProbe: {httpGet: {path: /health/ready,"),
     ["라이브니스는 의존성을 보지 않는 /health"]),
    (("readinessProbe: {httpGet: {path: /health/ready,", "readinessProbe: {httpGet: {path: /health,"),
     ["레디니스는 의존성을 보는 /health/ready"]),
    (("failureThreshold: 15", "failureThreshold: 5"), ["startupProbe가 30초 이상 기다린다"]),
    (("seconds: 5}", "seconds: 2}"), ["preStop이 5초 이상 잠든다"]),
    (("terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 20"),
     ["종료 유예 시간 ≥ preStop + 드레인(20초)"]),
    (("kind: Deployment", "kind: StatefulSet"), ["YAML로 읽히는 Deployment다"]),
    (("apiVersion: apps/v1", "apiVersion: v1"), ["Kubernetes 스키마(strict)를 통과한다"]),
])
def test_probe_manifest_wrong_answers_lose_exactly_their_criteria(change, lost_criteria):
    old, new = change
    assert old in GOOD
    assert failed(grade(GOOD.replace(old, new, 1))) == lost_criteria


def test_probe_manifest_without_prestop_loses_prestop_only():
    text = GOOD.replace("          lifecycle: {preStop: {sleep: {seconds: 5}}}\n", "")
    # preStop이 없으면 0초로 보고 유예 시간 30 ≥ 0 + 20은 지킨다
    assert failed(grade(text)) == ["preStop이 5초 이상 잠든다"]


def test_probe_manifest_broken_yaml():
    broken = grade("apiVersion: apps/v1\nkind: Deployment\n  bad: indent\n")
    assert broken.earned == 0 and "YAML 문법 오류" in broken.outcomes[0].note


# ---- 7-5: Compose의 헬스 체크와 유예 시간 ----------------------------------------------

COMPOSE = """\
services:
  app:
    image: course/sample-app:latest
    environment:
      SECRET_KEY: lab-only-secret-for-lesson-07-not-for-production
    ports: ["127.0.0.1::8000"]
    stop_grace_period: {grace}
    healthcheck:
      test: {test}
      interval: 1s
      timeout: 3s
      retries: 3
"""
PYTHON_HEALTH = ('["CMD", "python", "-c", "import urllib.request; '
                 "urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)\"]")
CURL_HEALTH = '["CMD", "curl", "-f", "http://127.0.0.1:8000/health"]'


@pytest.mark.requires("docker")
def test_compose_right_answer(sample_image):
    assert cp.compose_healthcheck.score(files("compose.yaml", COMPOSE.format(grace="25s", test=PYTHON_HEALTH))).full


@pytest.mark.requires("docker")
def test_compose_curl_never_turns_healthy(sample_image):
    text = COMPOSE.format(grace="25s", test=CURL_HEALTH)
    assert lost(cp.compose_healthcheck, "compose.yaml", text) == [
        "docker compose up --wait이 healthy로 끝난다", "docker compose stop이 처리 중이던 요청을 끝내고 종료 코드 0"]


@pytest.mark.requires("docker")
def test_compose_short_grace_is_killed(sample_image):
    text = COMPOSE.format(grace="1s", test=PYTHON_HEALTH)
    assert lost(cp.compose_healthcheck, "compose.yaml", text) == [
        "stop_grace_period가 gunicorn의 유예 시간(20초)보다 길다",
        "docker compose stop이 처리 중이던 요청을 끝내고 종료 코드 0"]


@pytest.mark.requires("docker")
def test_compose_readiness_healthcheck_loses_liveness_criterion(sample_image):
    text = COMPOSE.format(grace="25s", test=PYTHON_HEALTH.replace("/health'", "/health/ready'"))
    assert "헬스 체크는 라이브니스(/health)를 부른다" in lost(cp.compose_healthcheck, "compose.yaml", text)


def test_compose_rejected_file():
    score = cp.compose_healthcheck.score(files("compose.yaml", "services:\n  app: [not, a, mapping]\n"))
    assert score.earned == 0

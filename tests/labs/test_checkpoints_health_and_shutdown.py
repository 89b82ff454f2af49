"""07 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (진짜 Redis, 진짜 스키마)."""

import socket

import pytest

from labs.checkpoints import health_and_shutdown as cp

NS = {"LAB": "t-checkpoint-07"}


# ---- 7-1: 레디니스 점검 ------------------------------------------------------------

def right(url, timeout=1.0):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False
    finally:
        client.close()


def no_timeout(url, timeout=1.0):
    """타임아웃을 쓰지 않는다: 답하지 않는 서버 앞에서 멈춘다."""
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=None, socket_connect_timeout=None).ping())
    except redis.exceptions.RedisError:
        return False


def raises(url, timeout=1.0):
    """실패를 False로 바꾸지 않고 예외를 그대로 던진다."""
    import redis

    return bool(redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout).ping())


def tcp_only(url, timeout=1.0):
    """포트가 열렸는지만 본다: 연결은 받지만 답하지 않는 서버도 '준비됨'이 된다."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


_cached = {}


def cached_client(url, timeout=1.0):
    """주소마다 클라이언트를 한 번 만들어 재사용한다: redis-py가 다시 연결하므로 이것도 맞는 답이다."""
    import redis

    if url not in _cached:
        _cached[url] = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(_cached[url].ping())
    except redis.exceptions.RedisError:
        return False


def failed(score):
    return [o.criterion.description for o in score.outcomes if not o.passed]


@pytest.mark.requires("redis")
def test_readiness_check_right_answer_full_marks():
    assert cp.readiness_check.score({**NS, "check_redis": right}).full


@pytest.mark.requires("redis")
@pytest.mark.parametrize("answer, lost", [
    (no_timeout, ["답하지 않는 서버에는 타임아웃 안에 False"]),
    (raises, ["답하지 않는 서버에는 타임아웃 안에 False", "Redis가 죽으면 예외 없이 False"]),
    (tcp_only, ["답하지 않는 서버에는 타임아웃 안에 False"]),
    (lambda url, timeout=1.0: True, ["답하지 않는 서버에는 타임아웃 안에 False", "Redis가 죽으면 예외 없이 False"]),
])
def test_readiness_check_wrong_answers_lose_exactly_their_criteria(answer, lost):
    score = cp.readiness_check.score({**NS, "check_redis": answer})
    assert failed(score) == lost


@pytest.mark.requires("redis")
def test_cached_client_reconnects_and_passes():
    assert cp.readiness_check.score({**NS, "check_redis": cached_client}).full


def test_readiness_check_missing_or_not_callable():
    missing = cp.readiness_check.score(NS)
    assert missing.earned == 0 and "정하지 않았다" in missing.outcomes[0].note
    assert cp.readiness_check.score({**NS, "check_redis": "redis://"}).earned == 0


def test_readiness_check_leaves_no_redis_behind():
    from labs import registry

    assert registry.live(f"{NS['LAB']}-checkpoint") == []


# ---- 7-2: 프로브 매니페스트 ----------------------------------------------------------

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
    return cp.probe_manifest.score({"my_manifest": text})


def test_probe_manifest_right_answer():
    assert grade(GOOD).full


def test_course_manifest_file_also_passes():
    from labs import k8s

    assert grade(k8s.MANIFEST.read_text()).full


@pytest.mark.parametrize("change, lost", [
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
def test_probe_manifest_wrong_answers_lose_exactly_their_criteria(change, lost):
    old, new = change
    assert old in GOOD
    assert failed(grade(GOOD.replace(old, new, 1))) == lost


def test_probe_manifest_without_prestop_loses_prestop_only():
    text = GOOD.replace("          lifecycle: {preStop: {sleep: {seconds: 5}}}\n", "")
    # preStop이 없으면 0초로 보고 유예 시간 30 ≥ 0 + 20은 지킨다
    assert failed(grade(text)) == ["preStop이 5초 이상 잠든다"]


def test_probe_manifest_broken_yaml_and_missing():
    broken = grade("apiVersion: apps/v1\nkind: Deployment\n  bad: indent\n")
    assert broken.earned == 0 and "YAML 문법 오류" in broken.outcomes[0].note
    missing = cp.probe_manifest.score({})
    assert missing.earned == 0 and "정하지 않았다" in missing.outcomes[0].note

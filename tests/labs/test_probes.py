"""헬스 체크 기록기와 프로브 규칙 계산을 실제 앱·Redis와 만든 기록으로 검증한다 (07 레슨)."""

import time

import pytest

import labs
from labs import probes, services
from labs.probes import LIVENESS, READINESS, ProbeLog, ProbeSample, Rule

LAB = "t-probes"


def _log(codes: list[tuple[int | None, int | None]], step: float = 0.5) -> ProbeLog:
    log = ProbeLog((LIVENESS, READINESS))
    for i, (live, ready) in enumerate(codes):
        log.samples.append(ProbeSample(i * step, {LIVENESS: live, READINESS: ready}, {}))
    return log


def test_decide_counts_consecutive_failures_and_successes():
    log = _log([(200, 200), (200, 503), (200, 503), (200, 503), (200, 200), (200, 200)], step=1.0)
    decisions = log.decide(READINESS, Rule(period=1.0, failure_threshold=2, success_threshold=2))
    assert decisions == [(0.0, True), (1.0, True), (2.0, False), (3.0, False), (4.0, False), (5.0, True)]
    assert all(state for _, state in log.decide(LIVENESS, Rule(1.0, 3)))


def test_connection_failure_counts_as_probe_failure_and_orchestrator_restarts():
    log = _log([(200, 200), (None, None), (None, None), (None, None), (None, None)], step=1.0)
    rows = log.orchestrator(readiness=Rule(1.0, 2), liveness=Rule(1.0, 3))
    assert rows[1][LIVENESS] == "연결 실패"
    assert [r["오케스트레이터"] for r in rows] == ["그대로 둠"] * 3 + ["재시작"] * 2
    assert [r["로드 밸런서"] for r in rows] == ["트래픽 보냄"] * 2 + ["트래픽 뺌"] * 3


def test_transitions_and_event_queries():
    log = _log([(200, 200), (200, 503), (200, 200)])
    log.events.append((0.4, "멈춤"))
    assert [(r["경로"], r["이후"]) for r in log.transitions()] == [
        (LIVENESS, 200), (READINESS, 200), (READINESS, 503), (READINESS, 200)]
    assert log.codes_between(READINESS, "멈춤") == {503, 200}
    assert log.always(LIVENESS, 200) and not log.always(READINESS, 200)
    with pytest.raises(KeyError):
        log.event_time("없는 사건")


@pytest.mark.requires("redis")
def test_prober_sees_readiness_fail_and_recover_with_real_redis(tmp_path):
    redis = services.start_redis(LAB)
    try:
        app = labs.start_uvicorn(LAB, env={"REDIS_URL": redis.url})
        with probes.Prober(app.url, interval=0.1) as prober:
            prober.wait(READINESS, 200)
            # 표시는 일을 하기 전에 남긴다: 끄자마자 찍힌 503이 표시보다 앞서면 구간에서 빠진다 (바쁜 기계에서 본 경쟁)
            prober.mark("Redis 중지")
            redis.kill()
            prober.wait(READINESS, 503)
            prober.mark("Redis 재시작")
            redis = services.start_redis(LAB, port=redis.port)
            prober.wait(READINESS, 200)
        log = prober.log
        assert log.always(LIVENESS, 200)
        assert 503 in log.codes_between(READINESS, "Redis 중지", "Redis 재시작")
        assert log.last(READINESS) == 200
        out = tmp_path / "probes.png"
        log.plot(save=out)
        assert out.stat().st_size > 1000
        with pytest.raises(labs.LabError):
            prober.wait(READINESS, 418, timeout=0.3)
    finally:
        labs.cleanup(LAB, quiet=True)


def test_prober_records_connection_failures():
    port = labs.free_port()
    with probes.Prober(f"http://127.0.0.1:{port}", interval=0.05, timeout=0.5) as prober:
        time.sleep(0.3)
    assert prober.log.samples and all(c is None for c in prober.log.codes(LIVENESS))
    assert prober.log.samples[0].states[READINESS] == "연결 실패"


@pytest.mark.requires("docker")
def test_unhealthy_container_is_marked_not_restarted(capsys):
    from labs import docker, images

    images.prepare(skip_dev=True, progress=False)
    image = images.image_env().get("PYTHON_IMAGE", "python:3.13-slim")
    run = probes.unhealthy_under_restart(image, "t-probes", name="course-test-unhealthy", policy="always",
                                         health_cmd="exit 1", command=["sleep", "600"], watch=4)
    assert run.command.startswith("docker run -d --name course-test-unhealthy --label course.lab=t-probes "
                                  "--restart always")
    assert "$ " + run.command in capsys.readouterr().out
    assert run.health == "unhealthy" and run.status == "running" and run.restart_count == 0
    assert run.kept_running and run.restart_policy == "always" and run.failing_streak >= 2
    assert docker.reap("t-probes") == []   # 도우미가 이미 지웠다


def test_status_and_body_reports_refused_connection():
    from labs.procs import free_port

    code, detail = probes.status_and_body(f"http://127.0.0.1:{free_port()}/health/ready", timeout=2)
    assert code == "연결 실패" and detail


@pytest.mark.requires("redis")
def test_start_ready_app_echoes_the_command_and_reads_redis_url(tmp_path, capsys):
    from labs import services

    path = tmp_path / "ready_app.py"
    path.write_text("import os\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/health')\n"
                    "def health():\n    return {'redis': os.environ['REDIS_URL']}\n")
    redis = services.start_redis("t-probes-ready")
    app = probes.start_ready_app(path, "t-probes-ready", redis.url)
    try:
        out = capsys.readouterr().out
        assert f"$ REDIS_URL={redis.url} uvicorn ready_app:app --app-dir " in out
        assert probes.status_and_body(app.url + "/health") == (200, '{"redis":"' + redis.url + '"}')
    finally:
        app.stop()
        redis.stop()

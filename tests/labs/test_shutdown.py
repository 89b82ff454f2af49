"""그레이스풀 셧다운 세기, 엔드포인트 경쟁, 워커 죽이기를 실제 uvicorn·gunicorn으로 검증한다 (07 레슨)."""

import signal
import socket
import threading

import pytest

import labs
from labs import gunicorn_lab, shutdown

LAB = "t-shutdown"


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def _sigterm_during(srv, path="/slow?duration=2", n=4):
    drill = shutdown.InFlight(srv.url + path, n=n)
    drill.wait_sent()
    srv.send_signal(signal.SIGTERM)
    drill.mark("SIGTERM")
    shutdown.wait_exit(srv)
    drill.mark("종료")
    return drill.result()


def test_uvicorn_drains_in_flight_requests_and_runs_lifespan():
    srv = labs.start_uvicorn(LAB)
    res = _sigterm_during(srv)
    assert (res.total, res.completed, res.failed) == (4, 4, 0)
    assert res.verdict() == "✅ 처리 중이던 요청 4건: 완료 4건, 실패 0건"
    assert [name for _, name in res.events] == ["SIGTERM", "종료"]
    assert res.event_time("SIGTERM") < res.event_time("종료")
    assert shutdown.lifespan_lines(srv.logs())[-1] == "[lifespan] 종료: 정리 완료"
    assert not srv.alive() and labs.registry.live(LAB) == []


def test_uvicorn_short_graceful_timeout_cancels_with_500():
    srv = labs.start_uvicorn(LAB, args=["--timeout-graceful-shutdown", "1"])
    res = _sigterm_during(srv, "/slow?duration=3")
    assert res.failed == 4 and res.outcomes() == {"HTTP 500": 4}
    assert "(HTTP 500 4건)" in res.verdict()


def test_gunicorn_short_graceful_timeout_drops_connections():
    srv = labs.start_gunicorn(LAB, workers=1, args=["--graceful-timeout", "1"])
    res = _sigterm_during(srv, "/slow?duration=3")
    assert res.outcomes() == {"응답 없이 끊김": 4}
    assert "[lifespan] 종료: 정리 완료" not in shutdown.lifespan_lines(srv.logs())


def test_try_request_and_refused_after_shutdown_starts():
    srv = labs.start_uvicorn(LAB)
    assert shutdown.try_request(srv.url + "/health") == "HTTP 200"
    port = srv.port
    srv.stop()
    assert shutdown.try_request(f"http://127.0.0.1:{port}/health") == "연결 거부"


def test_silent_server_times_out():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        assert shutdown.try_request(f"http://127.0.0.1:{port}/", timeout=0.3) == "시간 초과"


def test_endpoint_race_prestop_removes_failures():
    without = shutdown.endpoint_race(labs.start_uvicorn(LAB), prestop=0, propagation=0.8, before=0.5, rate=100)
    assert without.failed > 0 and without.load.errors.get("연결 거부", 0) == without.failed
    assert without.verdict() == "❌ preStop 0초: 실패 있음"
    names = [n for _, n in without.events]
    assert names == ["파드 삭제", "SIGTERM", "엔드포인트에서 빠짐"]
    with_sleep = shutdown.endpoint_race(labs.start_uvicorn(LAB), prestop=1.2, propagation=0.8, before=0.5, rate=100)
    assert with_sleep.failed == 0 and with_sleep.load.total > 0
    assert [n for _, n in with_sleep.events] == ["파드 삭제", "엔드포인트에서 빠짐", "SIGTERM"]
    shutdown.plot_race([without, with_sleep])


def test_killed_worker_is_replaced_and_only_its_requests_fail():
    srv = labs.start_gunicorn(LAB, workers=2)
    gunicorn_lab.wait_workers(srv, 2)
    drill = shutdown.InFlight(srv.url + "/slow?duration=2", n=4)
    drill.wait_sent()
    victim, held = shutdown.busiest_worker(srv)
    mark = len(srv.logs())
    assert shutdown.kill_worker(srv, victim) == victim
    shutdown.wait_until(lambda: len(srv.worker_pids()) == 2 and victim not in srv.worker_pids(), 20, "새 워커")
    res = drill.result()
    assert res.failed == held and res.completed == 4 - held
    events = shutdown.wait_events(srv, mark, "SIGKILL", "Booting worker")
    assert any("SIGKILL" in e for e in events) and any(e.startswith("Booting worker") for e in events)
    with pytest.raises(labs.LabError):
        shutdown.kill_worker(srv, 1)
    srv.stop()


def test_plot_requests_and_in_flight_against_nothing(tmp_path):
    drill = shutdown.InFlight(f"http://127.0.0.1:{labs.free_port()}/slow", n=2)
    res = drill.result()
    assert res.outcomes() == {"연결 거부": 2} and res.completed == 0
    out = tmp_path / "p.png"
    shutdown.plot_requests({"없음": res}, save=out)
    assert out.stat().st_size > 1000


def test_lifespan_lines_and_gunicorn_events_strip_prefixes():
    log = ("2026-01-01 00:00:00,000 INFO [pid 7] [lifespan] 시작: x\n"
           "2026-01-01 00:00:01,000 INFO [pid 7] [lifespan] 종료: 정리 완료\n"
           "[2026-01-01 00:00:02 +0000] [1] [ERROR] Worker (pid:9) was sent SIGKILL! Perhaps out of memory?\n")
    assert shutdown.lifespan_lines(log) == ["[lifespan] 종료: 정리 완료"]
    assert shutdown.lifespan_lines(log, phase=None) == ["[lifespan] 시작: x", "[lifespan] 종료: 정리 완료"]
    assert shutdown.gunicorn_events(log) == ["Worker (pid:9) was sent SIGKILL! Perhaps out of memory?"]


@pytest.mark.requires("docker")
def test_crash_container_triggers_restart_policy_but_docker_kill_does_not():
    from labs import docker
    from labs.images import image_env

    image = image_env()["PYTHON_IMAGE"]
    c = docker.run(image, LAB, command=["python", "-c", "import time; time.sleep(300)"],
                   restart_policy={"Name": "unless-stopped"}, wait_healthy=False)
    try:
        shutdown.wait_until(lambda: c.status() == "running", 20, "컨테이너 실행")
        assert shutdown.restart_count(c) == 0
        first = shutdown.started_at(c)
        shutdown.crash_container(c)
        shutdown.wait_until(lambda: shutdown.restart_count(c) == 1 and c.status() == "running", 30, "재시작")
        assert shutdown.started_at(c) != first
        c.kill()  # docker kill: 사람이 멈춘 것으로 본다
        shutdown.wait_until(lambda: c.status() == "exited", 10, "멈춤")
        threading.Event().wait(1.5)
        assert c.status() == "exited" and shutdown.restart_count(c) == 1
        assert shutdown.exit_code(c) == 137
    finally:
        c.stop(timeout=0)


def test_compose_project_argv_names_project_and_file():
    proj = shutdown.ComposeProject("course-07-x", "compose.yaml", LAB)
    assert proj.argv("up", "-d") == ["docker", "compose", "--ansi", "never", "--progress", "plain", "-p",
                                     "course-07-x", "-f", "compose.yaml", "up", "-d"]
    assert str(proj) == "Compose 프로젝트 course-07-x"


@pytest.mark.requires("docker")
def test_shell_form_cmd_swallows_sigterm_and_exec_form_does_not(tmp_path, capsys):
    from labs import docker

    if not docker.image_exists(shutdown.SAMPLE_IMAGE):
        pytest.skip("예제 이미지가 없다 (07 레슨 2절이나 06 레슨이 빌드한다)")
    stops = {}
    for form, cmd in (("shell", "CMD gunicorn -c sample_app/gunicorn.conf.py sample_app.main:app"),
                      ("exec", 'CMD ["gunicorn", "-c", "sample_app/gunicorn.conf.py", "sample_app.main:app"]')):
        (tmp_path / "Dockerfile").write_text(f"FROM {shutdown.SAMPLE_IMAGE}\n{cmd}\n")
        built = shutdown.build_image(tmp_path / "Dockerfile", "course-test/stop-demo", LAB)
        c = shutdown.run_container("course-test/stop-demo", LAB, name="course-test-stop-demo",
                                   env={"SECRET_KEY": "test-only"})
        stops[form] = (built, shutdown.docker_stop(c, 4, slow=1, n=2))
        c.stop(timeout=0)
    out = capsys.readouterr().out
    assert "$ docker build -t course-test/stop-demo" in out and "$ docker stop -t 4 course-test-stop-demo" in out
    (shell_cmd, shell), (exec_cmd, exe) = stops["shell"], stops["exec"]
    assert shell_cmd[:2] == ["/bin/sh", "-c"] and shell.pid1.startswith("/bin/sh")
    assert shell.exit_code == 137 and shell.seconds >= 3.5 and not shell.graceful
    assert exec_cmd[0] == "gunicorn" and "gunicorn" in exe.pid1
    assert exe.exit_code == 0 and exe.seconds < 3.5 and exe.graceful

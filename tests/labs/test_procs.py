"""프로세스 실행기를 실제 uvicorn·gunicorn·hypercorn·node로 검증한다."""

import json
import signal
import subprocess
import sys
import urllib.request

import psutil
import pytest

import labs
from labs import procs, registry

LAB = "t-procs"


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module", autouse=True)
def migrated():
    labs.migrate(LAB)
    yield
    labs.cleanup(LAB, quiet=True)


def test_uvicorn_with_workers_and_sigterm():
    with labs.start_uvicorn(LAB, workers=2) as srv:
        workers = srv.worker_pids()
        assert len(workers) == 2
        assert get(srv.url + "/whoami")["pid"] in workers
        pidfile = registry.state_dir() / "pids" / LAB / f"{srv.pid}.json"
        assert pidfile.exists()
    assert not srv.alive() and srv.returncode == 0
    assert not pidfile.exists()
    assert not any(psutil.pid_exists(p) for p in workers)
    assert "[lifespan] 종료" in srv.logs()


def test_gunicorn_asgi_and_wsgi_workers():
    with labs.start_gunicorn(LAB, workers=2) as srv:
        assert len(srv.worker_pids()) == 2
    with labs.start_gunicorn(LAB, procs.DEFAULT_WSGI, worker_class="gthread", args=["--threads", "4"]) as srv:
        assert get(srv.url + "/health")["status"] == "ok"


def test_hypercorn_serves_the_app():
    with labs.start_hypercorn(LAB) as srv:
        assert get(srv.url + "/health")["status"] == "ok"


def test_stop_escalates_to_sigkill_when_signal_is_ignored():
    port = labs.free_port()
    code = ("import signal, http.server as h; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            f"h.HTTPServer(('127.0.0.1', {port}), h.SimpleHTTPRequestHandler).serve_forever()")
    srv = labs.start_process("stubborn", [sys.executable, "-c", code], LAB, port=port, ready_path="/")
    assert srv.stop(signal.SIGTERM, timeout=0.5) == -signal.SIGKILL


def test_process_dying_at_start_shows_log_tail():
    with pytest.raises(labs.LabError) as err:
        labs.start_uvicorn(LAB, app="sample_app.nope:app")
    assert "준비되기 전에 종료됐다" in str(err.value) and "nope" in str(err.value)


def test_missing_secret_key_is_explained():
    with pytest.raises(labs.LabError) as err:
        labs.start_uvicorn(LAB, env={"SECRET_KEY": ""})
    assert "SECRET_KEY" in str(err.value)


def test_busy_port_is_refused_before_start():
    with labs.start_uvicorn(LAB) as srv:
        with pytest.raises(labs.LabError, match="이미 사용 중"):
            labs.start_uvicorn(LAB, port=srv.port)


def test_missing_binary():
    with pytest.raises(labs.LabError, match="찾을 수 없다"):
        labs.start_process("x", ["없는-서버-xyz"], LAB, port=labs.free_port())


def test_ready_timeout_is_reported():
    port = labs.free_port()
    code = "import time; time.sleep(30)"
    with pytest.raises(labs.LabError, match="1초 안에 준비되지 않았다"):
        labs.start_process("silent", [sys.executable, "-c", code], LAB, port=port, timeout=1)


def test_server_left_by_a_dead_kernel_is_reaped():
    # 다른 파이썬 프로세스(=커널)가 서버를 띄우고 정리 없이 죽는다.
    code = ("import os, labs; s = labs.start_uvicorn('t-orphan'); print(s.pid, s.port, flush=True); os._exit(0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=registry.PROJECT_ROOT)
    pid, port = map(int, out.stdout.split())
    assert psutil.pid_exists(pid) and not procs.port_is_free(port)
    reaped = registry.reap_stale("t-orphan")
    assert reaped == [f"프로세스 uvicorn (pid {pid})"]
    assert procs.port_is_free(port)


@pytest.mark.requires("node")
def test_node_twin():
    with labs.start_node(LAB) as srv:
        assert get(srv.url + "/health")["status"] == "ok"

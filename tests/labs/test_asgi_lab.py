"""01 레슨 도구(labs.asgi_lab)를 실제 gunicorn·uvicorn·hypercorn 프로세스로 검증한다."""

import importlib.util

import pytest

import labs
from labs import asgi_lab

LAB = "t-asgi-lab"


@pytest.fixture(scope="module", autouse=True)
def migrated():
    labs.migrate(LAB)
    yield
    labs.cleanup(LAB, quiet=True)


def test_timeout_kill_is_read_from_the_log():
    with labs.start_gunicorn(LAB, workers=1, args=["--timeout", "2"]) as srv:
        old = asgi_lab.wait_ready_workers(srv, 1)
        result = labs.load(srv.url + "/work/block?duration=6", requests=1, concurrency=1)
        new = asgi_lab.wait_ready_workers(srv, 1, replacing=old)
    assert result.failed == 1 and new != old
    kinds = [(e.kind, e.pid) for e in asgi_lab.events(srv.logs())]
    assert ("타임아웃", old[0]) in kinds and ("부팅", new[0]) in kinds
    assert any(e.kind == "신호" and e.pid == old[0] and e.detail == "SIGABRT" for e in asgi_lab.events(srv.logs()))
    assert asgi_lab.worker_class(srv) == "uvicorn_worker.UvicornWorker"


def test_max_requests_are_observed_per_worker(tmp_path):
    args = ["--max-requests", "30", "--max-requests-jitter", "10"]
    with labs.start_gunicorn(LAB, workers=2, args=args) as srv:
        asgi_lab.wait_ready_workers(srv, 2)
        # uvicorn 워커는 한도를 0.1초마다 확인한다: 너무 빠른 부하는 한도를 훌쩍 넘긴 뒤에야 멈춘다.
        result = labs.load(srv.url + "/whoami", requests=240, concurrency=4, rate=300, keep_body=True)
        asgi_lab.wait_for_log(srv, "Maximum request limit", count=1)
    limits = asgi_lab.request_limits(srv.logs())
    assert limits and all(30 <= v <= 40 for v in limits.values())
    spans = asgi_lab.lifetimes(result, limits)
    assert sum(lt.served for lt in spans) == result.total - result.failed
    assert asgi_lab.retired(spans) and all(lt.first <= lt.last for lt in spans)
    assert 1 <= asgi_lab.restart_waves(spans) <= len(asgi_lab.retired(spans))
    assert 0 < asgi_lab.longest_gap(result) < result.seconds
    png = tmp_path / "recycling.png"
    asgi_lab.plot_recycling({"지터 10": (result, spans)}, workers=2, save=png)
    assert png.stat().st_size > 10_000


def test_wait_for_log_times_out_with_korean_error():
    with labs.start_uvicorn(LAB) as srv:
        with pytest.raises(labs.LabError, match="나오지 않았다"):
            asgi_lab.wait_for_log(srv, "이런 줄은 없다", timeout=0.3)


def test_gunicorn_settings_uses_gunicorns_parser():
    cfg = asgi_lab.gunicorn_settings(["gunicorn", "app:app", "-w", "3", "-t", "5", "--max-requests=100",
                                      "-k", "asgi", "--access-logfile", "-"])
    assert (cfg.workers, cfg.timeout, cfg.max_requests, cfg.worker_class_str, cfg.accesslog) == (
        3, 5, 100, "asgi", "-")
    assert asgi_lab.gunicorn_settings(["app:app"]).max_requests_jitter == 0


def test_http2_is_negotiated_by_hypercorn_not_uvicorn():
    tls = asgi_lab.dev_certificate(LAB)
    args = ["--certfile", str(tls.cert), "--keyfile", str(tls.key)]
    with labs.start_hypercorn(LAB, args=args, scheme="https") as srv:
        assert asgi_lab.negotiate(srv.url + "/health", ca=tls.ca) == ("HTTP/2", 200)
        assert asgi_lab.negotiate(srv.url + "/health", ca=tls.ca, http2=False) == ("HTTP/1.1", 200)
    with labs.start_hypercorn(LAB) as srv:  # 평문 h2c: 사전 지식으로 바로 HTTP/2
        assert asgi_lab.negotiate(srv.url + "/health", http1=False) == ("HTTP/2", 200)
    port = labs.free_port()
    argv = ["uvicorn", "sample_app.main:app", "--port", str(port), "--ssl-certfile", str(tls.cert),
            "--ssl-keyfile", str(tls.key)]
    with labs.start_process("uvicorn", argv, LAB, port=port, env=labs.app_env(LAB), scheme="https") as srv:
        assert asgi_lab.negotiate(srv.url + "/health", ca=tls.ca) == ("HTTP/1.1", 200)


def test_has_http3_matches_installed_packages():
    assert asgi_lab.has_http3() == (importlib.util.find_spec("aioquic") is not None)


def test_measure_workers_and_plot(tmp_path):
    rows = asgi_lab.measure_workers(LAB, [1, 2], {"I/O 위주": ("/work/io?duration=0.05", 8),
                                                  "CPU 위주": ("/work/cpu?duration=0.01", 2)}, seconds=0.6)
    assert [(r["작업"], r["워커"]) for r in rows] == [("I/O 위주", 1), ("CPU 위주", 1), ("I/O 위주", 2),
                                                    ("CPU 위주", 2)]
    assert all(r["실패"] == 0 and r["처리량"] > 0 for r in rows)
    cpu = [r for r in rows if r["작업"] == "CPU 위주"]
    assert all(r["계산량"] > 0 and r["사용한 코어"] > 0.3 for r in cpu)
    png = tmp_path / "scaling.png"
    asgi_lab.plot_scaling(rows, cores=2, save=png)
    assert png.stat().st_size > 10_000


def test_gunicorn_settings_rejects_foreign_command_line():
    with pytest.raises(labs.LabError, match="이해하지 못하는"):
        asgi_lab.gunicorn_settings(["uvicorn", "app:app", "--host", "127.0.0.1"])


BLOCKING_APP = '''\
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.get("/report")
async def report():
    time.sleep(0.3)
    return {"report": "ready"}
'''


def test_start_app_file_and_stall_probe_show_a_blocked_loop(tmp_path, capsys):
    path = tmp_path / "blocking_app.py"
    path.write_text(BLOCKING_APP)
    with asgi_lab.start_app_file(LAB, path, echo=True) as srv:
        stalled = asgi_lab.stall_probe(srv, "/report", 4)
        assert srv.argv[:3] == ["uvicorn", "blocking_app:app", "--app-dir"]
    assert "$ uvicorn blocking_app:app --app-dir" in capsys.readouterr().out
    assert stalled.result.failed == 0 and stalled.slowest > 1.0 and stalled.fastest >= 0.25
    assert stalled.health > 0.1 and stalled.health_status == 200
    path.write_text(BLOCKING_APP.replace("async def report", "def report"))  # 스레드 풀에서: 루프는 막히지 않는다
    with asgi_lab.start_app_file(LAB, path) as srv:
        free = asgi_lab.stall_probe(srv, "/report", 4)
    assert free.slowest < 0.9 and free.health < 0.2


def test_unknown_hypercorn_keys_and_config_file(tmp_path):
    text = 'workers = 2\naccess_logfile = "-"\naccesslog = "-"\nbind = "0.0.0.0:8000"\n'
    assert asgi_lab.unknown_hypercorn_keys(text) == ["access_logfile"]
    with pytest.raises(labs.LabError, match="TOML"):
        asgi_lab.unknown_hypercorn_keys("accesslog = -\n")
    path = tmp_path / "hypercorn.toml"
    path.write_text(text)
    with asgi_lab.start_hypercorn_config(LAB, path) as srv:  # 명령행 --bind가 파일의 bind를 이긴다
        asgi_lab.wait_ready_workers(srv, 2)
        assert asgi_lab.send_marked(srv, "test-marker", 2) == [200, 200]
        assert len(asgi_lab.access_lines(srv, "test-marker", count=2)) == 2
    path.write_text('workers = 1\naccess_logfile = "-"\n')
    with asgi_lab.start_hypercorn_config(LAB, path) as srv:
        asgi_lab.send_marked(srv, "quiet-marker")
        assert asgi_lab.access_lines(srv, "quiet-marker", wait=0.5) == []

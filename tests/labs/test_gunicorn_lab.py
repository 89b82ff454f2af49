"""워커 클래스 비교, 메모리 측정, SIGHUP 리로드(labs.gunicorn_lab)를 실제 gunicorn으로 검증한다."""

import signal

import pytest

import labs
from labs import gunicorn_lab
from labs.procs import DEFAULT_WSGI

LAB = "t-gunicorn-lab"


@pytest.fixture(scope="module", autouse=True)
def migrated():
    labs.migrate(LAB)
    yield
    labs.cleanup(LAB, quiet=True)


def test_compare_measures_each_setup_and_concurrency(capsys):
    setups = (gunicorn_lab.Setup("sync", "sync"), gunicorn_lab.Setup("gevent", "gevent"))
    comp = gunicorn_lab.compare(LAB, "/work/io?duration=0.05", setups, concurrencies=(1, 8), seconds=0.8)
    assert comp.labels == ["sync", "gevent"] and comp.concurrencies == [1, 8]
    assert comp.failed == 0
    # 리틀의 법칙: sync 워커 2개는 50 ms 요청을 동시에 2건만, gevent는 8건을 겹친다
    assert comp.throughput("sync", 8) <= 42
    assert comp.ratio("gevent", "sync", 8) > 2
    assert comp.best(8) == "gevent"
    assert set(comp.series()) == {"sync", "gevent"}
    table = comp.table()
    assert list(table.index) == ["sync", "gevent"] and "동시성 8 (req/s)" in table.columns
    assert {r["응답한 워커 수"] for r in comp.rows} <= {1, 2}
    out = capsys.readouterr().out
    assert "✅ sync     동시성 1·8 측정 끝, 실패 0건" in out
    assert not labs.registry.live(LAB), "비교가 끝나면 서버가 모두 멈춰 있어야 한다"


def test_memory_and_preload_share_pages():
    totals = {}
    for preload in (False, True):
        srv, seconds = gunicorn_lab.start_and_time(LAB, preload=preload, workers=2)
        rows = gunicorn_lab.memory(srv)
        srv.stop()
        assert [r["역할"] for r in rows] == ["마스터", "워커", "워커"]
        assert seconds > 0
        totals[preload] = gunicorn_lab.totals(rows)
    assert totals[True]["USS(MB)"] < totals[False]["USS(MB)"]
    with pytest.raises(labs.LabError, match="실행 중이 아니라"):
        gunicorn_lab.memory(srv)


@pytest.mark.parametrize("preload, expected", [(False, "v2"), (True, "v1")])
def test_sighup_reload_reads_new_code_only_without_preload(preload, expected):
    folder = gunicorn_lab.write_versioned_app(LAB, "v1")
    args = ["--pythonpath", folder] + (["--preload"] if preload else [])
    with labs.start_gunicorn(LAB, "versioned_app:application", workers=2, worker_class="sync", args=args,
                             env={"PYTHONDONTWRITEBYTECODE": "1"}) as srv:
        old = gunicorn_lab.wait_workers(srv, 2)
        assert labs.http.get(srv.url + "/").json()["version"] == "v1"
        gunicorn_lab.write_versioned_app(LAB, "v2")
        srv.send_signal(signal.SIGHUP)
        new = gunicorn_lab.wait_workers_replaced(srv, old, 2)
        assert not set(new) & set(old)
        assert {labs.http.get(srv.url + "/").json()["version"] for _ in range(4)} == {expected}


def test_wait_workers_times_out_with_korean_message():
    with labs.start_gunicorn(LAB, DEFAULT_WSGI, workers=1, worker_class="sync") as srv:
        with pytest.raises(labs.LabError, match="워커 3개 시작"):
            gunicorn_lab.wait_workers(srv, 3, timeout=0.5)


def test_plot_comparison_renders(tmp_path):
    rows = [{"워커 클래스": k, "동시성": c, "처리량(req/s)": v, "p50(ms)": 1, "p99(ms)": 2, "실패": 0, "응답한 워커 수": 2}
            for k, c, v in (("sync", 1, 20), ("sync", 8, 40), ("gevent", 1, 20), ("gevent", 8, 150))]
    io = gunicorn_lab.Comparison("/work/io", 2, rows)
    out = tmp_path / "cmp.png"
    gunicorn_lab.plot_comparison(io, io, save=out)
    assert out.stat().st_size > 10_000

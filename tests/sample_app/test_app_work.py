"""일부러 시간을 쓰는 엔드포인트(routes/work.py, workload.py)."""

from __future__ import annotations

import os
import time

from sample_app.workload import burn_cpu, clamp


def test_work_io(client) -> None:
    started = time.monotonic()
    body = client.get("/work/io", params={"duration": 0.2}).json()
    assert time.monotonic() - started >= 0.2
    assert body == {"pid": os.getpid(), "duration": 0.2}


def test_work_io_clamps_duration(client) -> None:
    assert client.get("/work/io", params={"duration": -5}).json()["duration"] == 0.0
    assert clamp(999) == 30.0


def test_work_cpu(client) -> None:
    body = client.get("/work/cpu", params={"duration": 0.05}).json()
    assert body["pid"] == os.getpid()
    assert body["iterations"] > 0
    assert body["elapsed"] >= 0.05


def test_burn_cpu_scales_with_duration() -> None:
    assert burn_cpu(0.1) > burn_cpu(0.01)


def test_work_block(client) -> None:
    started = time.monotonic()
    assert client.get("/work/block", params={"duration": 0.1}).json()["duration"] == 0.1
    assert time.monotonic() - started >= 0.1


def test_slow_logs_start_and_finish(client, capsys) -> None:
    body = client.get("/slow", params={"duration": 0.1}).json()
    assert body["status"] == "done"
    out = capsys.readouterr().out
    assert "[slow] 시작" in out
    assert "[slow] 완료" in out

"""카운터(routes/counter.py): Redis가 없으면 프로세스 메모리에 센다."""

from __future__ import annotations

import os


def test_memory_counter(client) -> None:
    assert client.get("/counter").json() == {"value": 0, "backend": "memory", "pid": os.getpid()}
    assert client.post("/counter").json()["value"] == 1
    assert client.post("/counter").json()["value"] == 2
    assert client.get("/counter").json()["value"] == 2
    assert client.delete("/counter").json()["value"] == 0


def test_memory_counters_are_per_app_instance(make_client) -> None:
    """메모리 카운터는 워커마다 따로 논다: 앱 두 개가 같은 값을 나눠 갖지 않는다."""
    first, second = make_client(), make_client()
    first.post("/counter")
    first.post("/counter")
    assert second.post("/counter").json()["value"] == 1

"""실습 전용 엔드포인트는 `LAB_ENDPOINTS=true`일 때만 있다: 기본(프로덕션)에서는 404이고 목록에도 없다."""

from __future__ import annotations

import pytest

LAB_ONLY = [("GET", "/hang"), ("GET", "/work/block"), ("GET", "/work/cpu"), ("GET", "/debug/client"),
            ("DELETE", "/counter")]
ALWAYS = [("GET", "/health"), ("GET", "/health/ready"), ("GET", "/info"), ("GET", "/whoami"),
          ("GET", "/work/io"), ("GET", "/slow"), ("GET", "/counter"), ("POST", "/counter"), ("GET", "/notes")]


def _listed(client) -> set[tuple[str, str]]:
    return {(item["method"], item["path"]) for item in client.get("/").json()["endpoints"]}


def test_lab_endpoints_are_off_by_default(make_client) -> None:
    client = make_client(lab_endpoints=None)  # 환경 변수를 지운다: 설정의 기본값(False)
    listed = _listed(client)
    for method, path in LAB_ONLY:
        assert (method, path) not in listed, f"{method} {path}가 목록에 있다"
        assert path not in client.get("/openapi.json").json()["paths"] or method == "DELETE"
    # 경로 자체가 없으므로 404다 (DELETE /counter는 같은 경로에 GET·POST가 있어 405)
    for path in ("/hang", "/work/block?duration=5", "/work/cpu?duration=5", "/debug/client"):
        assert client.get(path).status_code == 404, path
    assert client.delete("/counter").status_code == 405
    for method, path in ALWAYS:
        assert (method, path) in listed


@pytest.mark.parametrize("value", ["false", "0", "no"])
def test_lab_endpoints_stay_off_when_disabled(make_client, value: str) -> None:
    client = make_client(lab_endpoints=value)
    assert client.get("/debug/client").status_code == 404


def test_lab_endpoints_on_when_enabled(make_client) -> None:
    client = make_client(lab_endpoints="true")
    assert LAB_ONLY[:-1] and set(LAB_ONLY) <= _listed(client)
    assert client.get("/debug/client").status_code == 200
    assert client.get("/work/cpu", params={"duration": 0.01}).status_code == 200
    assert client.delete("/counter").json()["value"] == 0

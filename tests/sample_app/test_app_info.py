"""앱·프로세스 정보(routes/info.py): /, /info, /whoami, /debug/client."""

from __future__ import annotations

import json
import os
import platform

from conftest import SECRET


def test_index_lists_endpoints(client) -> None:
    body = client.get("/").json()
    assert body["name"] == "sample-api"
    listed = {(item["method"], item["path"]) for item in body["endpoints"]}
    for expected in [("GET", "/health"), ("GET", "/health/ready"), ("GET", "/info"), ("GET", "/whoami"),
                     ("GET", "/work/io"), ("GET", "/work/cpu"), ("GET", "/work/block"), ("GET", "/slow"),
                     ("GET", "/hang"), ("POST", "/counter"), ("GET", "/counter"), ("GET", "/notes"),
                     ("POST", "/notes"), ("PUT", "/notes/{note_id}"), ("WS", "/ws/echo"),
                     ("GET", "/debug/client")]:
        assert expected in listed
    assert all(item["description"] for item in body["endpoints"])


def test_info(client) -> None:
    body = client.get("/info").json()
    assert body["name"] == "sample-api"
    assert body["environment"] == "development"
    assert body["version"] == "1.0.0"
    assert body["python"] == platform.python_version()
    assert "server" in body


def test_info_never_leaks_the_secret(make_client) -> None:
    client = make_client(environment="production", app_name="leak-check")
    for path in ["/", "/info", "/whoami", "/debug/client", "/health/ready", "/openapi.json"]:
        text = client.get(path).text
        assert SECRET not in text, f"{path} 응답에 SECRET_KEY가 들어 있다"
    assert "secret" not in json.dumps(client.get("/info").json()).lower()


def test_whoami(client) -> None:
    first = client.get("/whoami").json()
    second = client.get("/whoami").json()
    assert first["pid"] == os.getpid()
    assert first["ppid"] == os.getppid()
    assert first["worker_id"] == f"pid-{os.getpid()}"
    assert first["hostname"]
    assert first["started_at"]
    assert second["requests_served"] == first["requests_served"] + 1


def test_whoami_uses_worker_id_from_environment(make_client) -> None:
    client = make_client(app_worker_id="web-3")
    assert client.get("/whoami").json()["worker_id"] == "web-3"


def test_debug_client_shows_proxy_headers(client) -> None:
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Real-IP": "203.0.113.7"}
    body = client.get("/debug/client", headers=headers).json()
    assert body["scheme"] == "http"  # 앱 서버가 헤더를 믿기 전에는 스킴이 그대로다
    assert body["client"]["host"]
    assert body["headers"] == {"x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https",
                               "x-real-ip": "203.0.113.7"}

"""WebSocket 에코(routes/ws.py)와 정적 파일(static/)."""

from __future__ import annotations


def test_websocket_echo(client) -> None:
    with client.websocket_connect("/ws/echo") as ws:
        ws.send_text("안녕")
        assert ws.receive_text() == "안녕"
        ws.send_text("second")
        assert ws.receive_text() == "second"


def test_static_files(client) -> None:
    page = client.get("/static/index.html")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/static/app.css" in page.text
    css = client.get("/static/app.css")
    assert css.headers["content-type"].startswith("text/css")
    logo = client.get("/static/logo.svg")
    assert logo.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/static/nope.txt").status_code == 404

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from labs import LabError, free_port, load, start_load


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"hello ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        status = 500 if self.path.startswith("/err") else 429 if self.path.startswith("/limit") else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith("/close"):
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        if self.path.startswith("/drop"):
            # keep-alive를 약속해 놓고 말없이 닫는다 (유휴 시간 초과·그레이스풀 셧다운과 같은 모양)
            self.close_connection = True

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.path.startswith("/drop"):
            self.close_connection = True


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_count_based_run(server):
    r = load(server + "/ok", concurrency=4, requests=200)
    assert r.total == 200 and r.failed == 0 and r.status_counts == {200: 200}
    assert r.verdict() == "✅ 요청 200건 중 실패 0건, 재시도 0건" and r.retried == 0
    assert 0 < r.percentile(50) <= r.percentile(99)


def test_5xx_counts_as_failure_but_4xx_does_not(server):
    assert load(server + "/err", concurrency=2, requests=10).failed == 10
    r = load(server + "/limit", concurrency=2, requests=10)
    assert r.failed == 0 and r.status_counts == {429: 10}


def test_chunked_and_connection_close(server):
    r = load(server + "/chunked", concurrency=2, requests=6, keep_body=True)
    assert {s.body for s in r.samples} == {b"hello world"}
    assert load(server + "/close", concurrency=2, requests=20).failed == 0


def test_post_body(server):
    r = load(server + "/echo", method="POST", body=b"abc", requests=5, keep_body=True)
    assert r.status_counts == {201: 5} and r.samples[0].body == b"abc"


def test_target_rate_is_respected(server):
    r = load(server + "/ok", concurrency=4, duration=2, rate=25)
    assert 40 <= r.total <= 55  # 2초 × 초당 25건


def test_refused_connections_are_errors():
    r = load(f"http://127.0.0.1:{free_port()}/", concurrency=2, requests=6)
    assert r.failed == 6 and r.errors == {"연결 거부": 6}


def test_background_run_can_be_stopped(server):
    run = start_load(server + "/ok", concurrency=2, duration=30)
    run.stop()
    r = run.result()
    assert r.seconds < 5


def test_requires_a_stop_condition(server):
    with pytest.raises(LabError, match="duration"):
        load(server + "/ok")


def test_summary_is_korean(server):
    s = load(server + "/ok", requests=5).summary()
    assert {"요청 수", "실패", "처리량(req/s)", "p99(ms)"} <= set(s)


def test_post_is_not_resent_on_a_closed_keepalive_connection():
    # 서버가 응답 뒤 연결을 조용히 닫는다: GET은 새 연결로 다시 보내지만 POST는 실패로 센다.
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    seen = []

    def serve():
        for _ in range(4):
            conn, _ = srv.accept()
            with conn:
                data = conn.recv(65536)
                seen.append(data.split(b" ", 1)[0])
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        srv.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    get = load(f"http://127.0.0.1:{port}/", concurrency=1, requests=2)
    post = load(f"http://127.0.0.1:{port}/", method="POST", concurrency=1, requests=2)
    assert get.failed == 0
    assert post.failed == 1 and post.errors == {"응답 도중 끊김": 1}
    assert seen.count(b"POST") == 1


def test_retries_are_counted_and_shown(server):
    # 서버가 말없이 닫은 연결: GET은 새 연결로 다시 보내 성공하지만, 그 건수가 판정 줄에 보인다.
    r = load(server + "/drop", concurrency=2, requests=40)
    assert r.failed == 0 and r.retried > 0
    assert r.verdict() == f"✅ 요청 40건 중 실패 0건, 재시도 {r.retried}건"
    # POST는 두 번 보내면 안 되므로 다시 보내지 않는다: 같은 상황이 실패로 보인다.
    p = load(server + "/drop", method="POST", body=b"x", concurrency=2, requests=40)
    assert p.retried == 0 and p.failed > 0

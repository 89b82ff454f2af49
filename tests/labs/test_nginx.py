"""labs.nginx 를 실제 nginx와 uvicorn으로 검증한다 (04 레슨)."""

import dataclasses

import psutil
import pytest

import labs
from labs import nginx

LAB = "t-nginx"
pytestmark = pytest.mark.requires("nginx")


@pytest.fixture(scope="module")
def apps():
    labs.migrate(LAB)
    servers = [labs.start_uvicorn(LAB) for _ in range(2)]
    yield servers
    labs.cleanup(LAB, quiet=True)


def test_version_dependent_syntax():
    assert nginx.parse_version("nginx version: nginx/1.22.1") == (1, 22, 1)
    assert not nginx.upstream_http2_supported("1.29.3") and nginx.upstream_http2_supported("1.29.4")
    assert nginx.listen_tls(443, "1.22.1") == ["listen 127.0.0.1:443 ssl http2;"]
    assert nginx.listen_tls(443, "1.25.1") == ["listen 127.0.0.1:443 ssl;", "http2 on;"]
    assert not nginx.session_tickets_safe("1.23.1") and nginx.session_tickets_safe("1.23.2")
    assert not nginx.upstream_keepalive_default("1.29.6") and nginx.upstream_keepalive_default("1.29.7")


def test_render_listen_ports_and_diff():
    assert nginx.render("listen {{port}}; alias {{ static }};", port=8080, static="/s") == "listen 8080; alias /s;"
    with pytest.raises(labs.LabError, match="port"):
        nginx.render("listen {{port}};")
    assert nginx.listen_ports("server { listen 127.0.0.1:81; }\nserver {\n listen 82 ssl;\n}") == [81, 82]
    assert nginx.diff("a\nb\n", "a\nc\n") == "-b\n+c"


def test_explanations_pick_the_right_particle():
    assert nginx.explain_line('unknown directive "http2"').startswith("`http2`라는 지시어")
    assert nginx.explain_line('unknown directive "listen"').startswith("`listen`이라는 지시어")
    assert nginx.explain_line('host not found in upstream "backnd"').startswith("`backnd`를 찾지")
    assert nginx.explain_line('"limit_req" directive is not allowed here').startswith("`limit_req`는")
    assert nginx.explain_line('unexpected ";"').startswith("`;`이 예상하지")
    assert "바로 앞 지시어" in nginx.explain_line('unexpected "}"')
    deprecated = 'the "listen ... http2" directive is deprecated, use the "http2" directive instead'
    assert "http2 on;" in nginx.explain_line(deprecated)
    assert not any(mark in text for _, text in nginx._EXPLAIN for mark in ("이(가)", "을(를)", "은(는)"))


def test_error_gist_drops_what_changes_per_request():
    line = ('2026/12/03 12:43:19 [error] 10127#10127: *8 upstream timed out (110: Connection timed out) while '
            'sending request to upstream, client: 127.0.0.1, server: , request: "POST /x HTTP/1.1", host: "h"')
    assert nginx._error_gist(line) == ("[error] upstream timed out (110: Connection timed out) "
                                       "while sending request to upstream")
    warn = ("2026/12/03 12:43:11 [warn] 10127#10127: *4 a client request body is buffered to a temporary file "
            "/srv/x/temp/body/0000000001, client: 127.0.0.1")
    assert nginx._error_gist(warn) == "[warn] a client request body is buffered to a temporary file"
    assert nginx._error_gist("2026/12/03 12:43:08 [notice] 1#1: start worker processes") == ""


def test_check_and_start_can_show_the_real_command(capsys):
    result = nginx.check("server { listen 127.0.0.1:1; return 200; }", LAB, show=True)
    shown = capsys.readouterr().out
    assert result.ok and shown.startswith("$ nginx -t -q -p <실습 상태>/nginx/") and "-c <실습 상태>/" in shown
    assert str(labs.registry.state_dir()) not in shown


def test_check_explains_errors_in_korean():
    bad = nginx.check("server { listen 127.0.0.1:1; location / { proxy_pass http://nowhere; } }", LAB)
    assert not bad.ok and "upstream" in bad.problems[0].explanation
    missing = nginx.check("server { listen 127.0.0.1:1; client_max_body_size 1m\n location / { return 200; } }", LAB)
    assert not missing.ok and "`;`" in missing.problems[0].explanation and missing.problems[0].line
    assert nginx.check("server { listen 127.0.0.1:1; return 200; }", LAB).ok


def test_weighted_upstream_access_log_reload_and_stop(apps):
    names = {apps[0].port: "A", apps[1].port: "B"}
    cfg = nginx.ProxyConfig([nginx.Upstream(apps[0].port, 2), nginx.Upstream(apps[1].port, 1)],
                            http_port=labs.free_port())
    ngx = nginx.start(LAB, cfg.render())
    mark = ngx.mark()
    assert labs.load(ngx.url("/whoami"), concurrency=4, requests=90).failed == 0
    entries = ngx.access_log(mark, expect=90)
    assert nginx.shares(entries, names) == {"A": 60, "B": 30}
    assert all(isinstance(e["request_time"], float) for e in entries)

    # 검사에 실패한 설정은 리로드하지 않는다: 옛 설정으로 계속 돈다
    with pytest.raises(labs.LabError, match="리로드하지 않았다"):
        ngx.reload(cfg.render().replace("keepalive 32;", "keepalive 32"))
    old_workers = ngx.worker_pids()
    ngx.reload(dataclasses.replace(cfg, upstreams=[nginx.Upstream(apps[1].port)]).render())
    assert not set(old_workers) & set(ngx.worker_pids())
    mark = ngx.mark()
    labs.load(ngx.url("/whoami"), concurrency=2, requests=10)
    assert nginx.shares(ngx.access_log(mark, expect=10), names) == {"A": 0, "B": 10}

    family = [ngx.pid, *ngx.worker_pids()]
    ngx.stop()
    assert not any(psutil.pid_exists(p) for p in family)


def test_health_is_not_logged_and_keepalive_reuses_connections(apps):
    ports = [a.port for a in apps]
    base = nginx.ProxyConfig([nginx.Upstream(p) for p in ports], http_port=labs.free_port())
    with nginx.start(LAB, base.render()) as ngx:
        mark = ngx.mark()
        labs.load(ngx.url("/health"), concurrency=2, requests=10)
        labs.load(ngx.url("/info"), concurrency=1, requests=1)
        assert [e["uri"] for e in ngx.access_log(mark, expect=1)] == ["/info"]
        with nginx.ConnectionCounter(ports) as kept:
            labs.load(ngx.url("/whoami"), concurrency=4, requests=200)
        ngx.reload(dataclasses.replace(base, keepalive=None, connection_header="none", websocket=False).render())
        with nginx.ConnectionCounter(ports) as fresh:
            labs.load(ngx.url("/whoami"), concurrency=4, requests=200)
    assert kept.new < 20 and fresh.new > 150


def test_buffering_fields_render():
    cfg = nginx.ProxyConfig([nginx.Upstream(1)], http_port=3)
    assert "proxy_request_buffering" not in cfg.render() and "proxy_buffering" not in cfg.render()
    off = dataclasses.replace(cfg, request_buffering=False, response_buffering=False, client_body_buffer_size="64k")
    text = off.render()
    assert "proxy_request_buffering off;" in text and "proxy_buffering off;" in text
    assert "client_body_buffer_size 64k;" in text and nginx.check(text, LAB).ok


def test_trickle_sends_all_bytes_slowly():
    import time

    start = time.monotonic()
    parts = list(nginx.trickle(b"abcdefghij", parts=3, interval=0.05))
    assert b"".join(parts) == b"abcdefghij" and len(parts) == 3
    assert time.monotonic() - start >= 0.1


def test_request_buffering_holds_the_app_only_when_off(apps):
    import httpx

    base = nginx.ProxyConfig([nginx.Upstream(a.port) for a in apps], http_port=labs.free_port())
    with nginx.start(LAB, base.render()) as ngx:
        times = {}
        for label, cfg in (("on", base), ("off", dataclasses.replace(base, request_buffering=False))):
            ngx.reload(cfg.render())
            mark = ngx.mark()
            r = httpx.post(ngx.url("/notes"), content=nginx.trickle(b'{"title": "t", "body": "b"}', parts=3,
                                                                     interval=0.3),
                           headers={"Content-Type": "application/json"}, timeout=30)
            assert r.status_code == 201
            entry = ngx.access_log(mark, expect=1)[-1]
            times[label] = (entry["request_time"], float(entry["upstream_time"]))
            assert entry["protocol"] == "HTTP/1.1" and entry["request_length"] > 0
    assert times["on"][1] < times["on"][0] / 2
    assert times["off"][1] >= 0.8 * times["off"][0]


def test_stuck_upstreams_trigger_each_timeout():
    import httpx

    conf = """
upstream not_accepting { server 127.0.0.1:{{c}}; }
upstream not_reading { server 127.0.0.1:{{s}}; }
server {
    listen 127.0.0.1:{{port}};
    client_max_body_size 64m;
    proxy_connect_timeout 1s; proxy_send_timeout 1s; proxy_read_timeout 1s;
    location /connect/ { proxy_pass http://not_accepting; }
    location /send/ { proxy_pass http://not_reading; }
}
"""
    with nginx.StuckUpstream(LAB, "connect") as c, nginx.StuckUpstream(LAB, "send") as s:
        assert "연결을 받지 않는" in str(c) and "읽지 않는" in str(s)
        body = nginx.render(conf, port=labs.free_port(), c=c.port, s=s.port)
        with nginx.start(LAB, body, name="stuck") as ngx, httpx.Client(timeout=30) as client:
            mark = ngx.error_mark()
            codes = [client.get(ngx.url("/connect/")).status_code,
                     client.post(ngx.url("/send/"), content=b"x" * nginx.send_block_size()).status_code,
                     client.post(ngx.url("/send/"), content=b"x" * 100).status_code]
            lines = [line for line in ngx.errors(mark, expect=3) if "timed out" in line]
    assert codes == [504, 504, 504]
    assert [line.rsplit(" while ", 1)[1] for line in lines] == [
        "connecting to upstream", "sending request to upstream", "reading response header from upstream"]
    assert not any(isinstance(r, nginx.StuckUpstream) for r in labs.registry.live(LAB))


def _fake_run(label, rep, new):
    cpu = {"nginx": 0.1, "앱": 0.2, "부하 생성기": 0.3}
    return nginx.ConfigRun(label, rep, labs.LoadResult("u", 1, 1.0), new, 0.0, 1.0, cpu, {})


def test_compare_metric_reads_ranges():
    runs = [_fake_run("a", i, n) for i, n in enumerate((10, 12, 11))]
    runs += [_fake_run("b", i, n) for i, n in enumerate((1, 2, 3))]
    assert "모든 반복에서 'b' 쪽이 낮았다" in nginx.compare_metric(runs, "새 업스트림 연결 수", "a", "b")
    assert "모든 반복에서 'a' 쪽이 높았다" in nginx.compare_metric(runs, "새 업스트림 연결 수", "b", "a")
    runs += [_fake_run("c", i, n) for i, n in enumerate((9, 11, 13))]
    assert "범위가 겹친다" in nginx.compare_metric(runs, "새 업스트림 연결 수", "a", "c")
    table = nginx.runs_table(runs)
    assert list(table.columns) == ["a", "b", "c"] and table.loc["새 업스트림 연결 수", "b"] == "2.00 (1.00~3.00)"


def test_compare_configs_alternates_and_counts_connections(apps):
    ports = [a.port for a in apps]
    names = {a.port: n for a, n in zip(apps, "AB")}
    kept = nginx.ProxyConfig([nginx.Upstream(p) for p in ports], http_port=labs.free_port())
    plain = dataclasses.replace(kept, keepalive=None, connection_header="none", websocket=False)
    with nginx.start(LAB, kept.render()) as ngx:
        runs = nginx.compare_configs(ngx, {"plain": plain.render(), "kept": kept.render()}, ngx.url("/whoami"),
                                     upstream_ports=ports, app_pids=[a.pid for a in apps], names=names, reps=2,
                                     requests=200, warmup=20, concurrency=4)
    assert [(r.label, r.rep) for r in runs] == [("plain", 0), ("kept", 0), ("kept", 1), ("plain", 1)]
    assert all(r.shares == {"A": 100, "B": 100} for r in runs)
    assert min(nginx.metric_values(runs, "새 업스트림 연결 수", "plain")) > 100
    assert max(nginx.metric_values(runs, "새 업스트림 연결 수", "kept")) < 20
    assert all(r.cpu_ms["앱"] >= 0 and r.result.failed == 0 for r in runs)


def test_seed_and_modern_configs_pass_nginx_t():
    seed = nginx.ProxyConfig([nginx.Upstream(1, 3), nginx.Upstream(2, 1, backup=True)], http_port=3,
                             headers=nginx.SEED_HEADERS, connection_header="upgrade", rate_limit="10r/s",
                             next_upstream="error timeout")
    assert nginx.check(seed.render(), LAB).ok
    assert "X-XSS-Protection" not in nginx.ProxyConfig([nginx.Upstream(1)], http_port=3).render()

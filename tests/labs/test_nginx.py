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


def test_seed_and_modern_configs_pass_nginx_t():
    seed = nginx.ProxyConfig([nginx.Upstream(1, 3), nginx.Upstream(2, 1, backup=True)], http_port=3,
                             headers=nginx.SEED_HEADERS, connection_header="upgrade", rate_limit="10r/s",
                             next_upstream="error timeout")
    assert nginx.check(seed.render(), LAB).ok
    assert "X-XSS-Protection" not in nginx.ProxyConfig([nginx.Upstream(1)], http_port=3).render()

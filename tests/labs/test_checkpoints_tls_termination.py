"""09 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (실제 nginx, 실제 앱, 실제 TLS 핸드셰이크)."""

import time

import pytest

import labs
from labs import nginx, tls
from labs.checkpoints import tls_termination as cp

LAB = "t-checkpoint-09"
pytestmark = pytest.mark.requires("nginx")

SSL_CONF = """\
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;
ssl_prefer_server_ciphers off;
ssl_session_cache shared:T:1m;
ssl_session_timeout 1d;
ssl_session_tickets off;
add_header Strict-Transport-Security "max-age=63072000" always;
"""

LEGACY_SSL = """\
ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
ssl_ciphers HIGH:!aNULL:!MD5:@SECLEVEL=0;
ssl_session_cache shared:SSL:10m;
ssl_session_timeout 1d;
add_header Strict-Transport-Security "max-age=63072000; includeSubDomains; preload" always;
"""

API_CONF = """\
upstream app {
    server 127.0.0.1:8000;
}

server {
    listen 127.0.0.1:8080;
    return 301 https://$host:8443$request_uri;
}

server {
    listen 127.0.0.1:8443 ssl http2;
    ssl_certificate     certs/server/fullchain.pem;
    ssl_certificate_key certs/server/privkey.pem;

    location / {
        proxy_pass http://app;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
"""
LEAF_ONLY = API_CONF.replace("server/fullchain.pem", "server/cert.pem")
NO_PROTO = API_CONF.replace("        proxy_set_header X-Forwarded-Proto $scheme;\n", "")


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def files(**texts):
    return {"LAB": LAB, "LAB_FILES": {name.replace("_", "."): text for name, text in texts.items()}}


def failing(grader, ns):
    return [i for i, o in enumerate(grader.score(ns).outcomes) if not o.passed]


def timed_full(grader, ns):
    started = time.monotonic()
    score = grader.score(ns)
    assert score.full, str(score)
    assert time.monotonic() - started < 60
    assert not labs.registry.live(LAB), "채점이 끝나면 띄운 nginx와 앱은 멈춰 있어야 한다"


# ---- 9-1: 중간 인증서 ----

def test_chain_fixed_right_answer_with_the_given_ssl_conf():
    timed_full(cp.chain_fixed, files(ssl_conf=LEGACY_SSL, api_conf=API_CONF))


def test_chain_leaf_only_fails_verification():
    score = cp.chain_fixed.score(files(api_conf=LEAF_ONLY))
    assert [o.passed for o in score.outcomes] == [True, False, False, False]
    assert "중간 인증서" in score.outcomes[1].note
    assert "인증서 1개" in score.outcomes[2].note and "20 (unable to get local issuer certificate)" in score.outcomes[2].note


def test_chain_rejected_and_missing():
    broken = API_CONF.replace("ssl_certificate_key certs/server/privkey.pem;", "ssl_certificate_key certs/server/key.pem;")
    score = cp.chain_fixed.score(files(api_conf=broken))
    assert [o.passed for o in score.outcomes] == [False] * 4 and "key.pem" in score.outcomes[0].note
    missing = cp.chain_fixed.score({"LAB": LAB})
    assert missing.earned == 0 and "아직 `api.conf`를 정하지 않았다" in missing.outcomes[0].note


# ---- 9-2: ssl.conf ----

def test_tls_settings_right_answer():
    timed_full(cp.tls_settings, files(ssl_conf=SSL_CONF))


def test_tls_settings_legacy_file_fails():
    expected = [2, 3, 4] if nginx.session_tickets_safe() else [2, 3, 4, 6]
    assert failing(cp.tls_settings, files(ssl_conf=LEGACY_SSL)) == expected


@pytest.mark.parametrize("change, expected", [
    (("ssl_session_cache shared:T:1m;\n", ""), [5]),
    (('"max-age=63072000"', '"max-age=63072000; includeSubDomains; preload"'), [4]),
    # 1.3만 받으면 1.2 클라이언트가 연결하지 못하고, 채점기가 1.2로 재는 세션 재개도 실패한다
    (("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.3;"), [1, 5]),
])
def test_tls_settings_wrong_answers(change, expected):
    assert failing(cp.tls_settings, files(ssl_conf=SSL_CONF.replace(*change))) == expected


@pytest.mark.skipif(nginx.session_tickets_safe(), reason="1.23.2 이상에서는 티켓을 켜도 맞다")
def test_tickets_on_old_nginx_fail_only_the_ticket_criterion():
    assert failing(cp.tls_settings, files(ssl_conf=SSL_CONF.replace("ssl_session_tickets off;\n", ""))) == [6]


# ---- 9-3: X-Forwarded-Proto ----

def test_forwarded_proto_right_answer():
    timed_full(cp.forwarded_proto, files(ssl_conf=SSL_CONF, api_conf=API_CONF))


def test_forwarded_proto_missing_header():
    score = cp.forwarded_proto.score(files(ssl_conf=SSL_CONF, api_conf=NO_PROTO))
    assert [o.passed for o in score.outcomes] == [True, True, False, False]
    assert "스킴 http" in score.outcomes[2].note and "http://127.0.0.1:" in score.outcomes[3].note
    assert "아직 `api.conf`" in cp.forwarded_proto.score({"LAB": LAB}).outcomes[0].note


# ---- 9-4: 상호 TLS ----

MTLS = "ssl_client_certificate {{ca}};\nssl_verify_client on;"


@pytest.fixture(scope="module")
def ca():
    return tls.make_ca(LAB)


def test_mtls_right_and_wrong(ca):
    ns = {"LAB": LAB, "ca": ca, "client_cert": ca.client("svc")}
    assert cp.require_client_cert.score({**ns, "mtls_lines": MTLS}).full
    # optional: 인증서 없는 클라이언트도 들어온다
    assert failing(cp.require_client_cert, {**ns, "mtls_lines": MTLS.replace(" on;", " optional;")}) == [3]
    # 신뢰할 CA가 없으면 nginx -t부터 실패한다
    assert failing(cp.require_client_cert, {**ns, "mtls_lines": "ssl_verify_client on;"}) == [0, 2, 3, 4]
    assert cp.require_client_cert.score({"LAB": LAB, "ca": ca}).earned == 0

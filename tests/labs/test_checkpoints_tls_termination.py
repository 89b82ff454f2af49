"""09 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (실제 nginx와 TLS 핸드셰이크)."""

import pytest

import labs
from labs import nginx, tls
from labs.checkpoints import tls_termination as cp

LAB = "t-checkpoint-09"
pytestmark = pytest.mark.requires("nginx")

MY_TLS = """
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;
ssl_session_cache shared:T:1m;
ssl_session_tickets off;
add_header Strict-Transport-Security "max-age=63072000" always;
"""
LISTEN = "listen 443 ssl;\nhttp2 on;"
MTLS = "ssl_client_certificate {{ca}};\nssl_verify_client on;"


def passed(grader, ns):
    return [o.passed for o in grader.score({"LAB": LAB, **ns}).outcomes]


def failing(grader, ns):
    return [i for i, ok in enumerate(passed(grader, ns)) if not ok]


def test_tls_right_answer():
    assert all(passed(cp.tls_for_this_nginx, {"my_tls": MY_TLS, "listen_1_27": LISTEN}))


@pytest.mark.parametrize("change, expected", [
    (("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;"), None),
    (("ssl_session_cache shared:T:1m;\n", ""), [5]),
    (('"max-age=63072000"', '"max-age=63072000; includeSubDomains; preload"'), [4]),
])
def test_tls_wrong_answers(change, expected):
    wrong = MY_TLS.replace(*change)
    if expected is None:
        # 1.0·1.1을 켜도 ECDHE-GCM 스위트만으로는 그 버전에서 연결할 수 없다: 암호 스위트까지 풀면 걸린다
        wrong = wrong.replace(wrong.split("\n")[2], "ssl_ciphers HIGH:!aNULL:!MD5:@SECLEVEL=0;")
        expected = [2, 3]
    assert failing(cp.tls_for_this_nginx, {"my_tls": wrong, "listen_1_27": LISTEN}) == expected


@pytest.mark.skipif(nginx.session_tickets_safe(), reason="1.23.2 이상에서는 티켓을 켜도 맞다")
def test_tickets_on_old_nginx_fail_only_the_ticket_criterion():
    assert failing(cp.tls_for_this_nginx,
                   {"my_tls": MY_TLS.replace("ssl_session_tickets off;\n", ""), "listen_1_27": LISTEN}) == [6]


def test_old_listen_syntax_and_missing_answer():
    assert failing(cp.tls_for_this_nginx, {"my_tls": MY_TLS, "listen_1_27": "listen 443 ssl http2;"}) == [7]
    assert not any(passed(cp.tls_for_this_nginx, {}))


@pytest.fixture(scope="module")
def ca():
    yield tls.make_ca(LAB)
    labs.cleanup(LAB, quiet=True)


def test_mtls_right_and_wrong(ca):
    ns = {"ca": ca, "client_cert": ca.client("svc")}
    assert all(passed(cp.require_client_cert, {**ns, "mtls_lines": MTLS}))
    # optional: 인증서 없는 클라이언트도 들어온다
    assert failing(cp.require_client_cert, {**ns, "mtls_lines": MTLS.replace(" on;", " optional;")}) == [3]
    # 신뢰할 CA가 없으면 nginx -t부터 실패한다
    assert failing(cp.require_client_cert, {**ns, "mtls_lines": "ssl_verify_client on;"}) == [0, 2, 3, 4]
    assert not any(passed(cp.require_client_cert, {"ca": ca}))

"""labs.tls 를 실제 nginx와 파이썬 ssl·openssl·sslyze로 검증한다 (09 레슨)."""

import stat

import httpx
import pytest

import labs
from labs import nginx, tls

LAB = "t-tls"
pytestmark = pytest.mark.requires("nginx")


@pytest.fixture(scope="module")
def site():
    labs.migrate(LAB)
    app = labs.start_uvicorn(LAB)
    ca = tls.make_ca(LAB)
    cert = ca.server()
    ports = {"http": labs.free_port(), "https": labs.free_port(), "mtls": labs.free_port()}
    body = tls.tls_site(app_port=app.port, http_port=ports["http"], https_port=ports["https"], cert=cert,
                        client_ca=ca.ca_pem, mtls_port=ports["mtls"])
    ngx = nginx.start(LAB, body)
    yield ca, cert, ports, ngx
    labs.cleanup(LAB, quiet=True)


def test_chain_has_intermediate_and_private_key_is_private():
    ca = tls.make_ca(LAB, name="chain")
    cert = ca.server(days=30)
    chain = tls.describe_cert(cert.fullchain)
    assert chain["인증서 수"] == 2 and chain["체인"][0]["유효 기간(일)"] == 30
    assert "127.0.0.1" in chain["체인"][0]["SAN"]
    assert stat.S_IMODE(cert.key.stat().st_mode) == 0o600


def test_protocols_and_client_security_level(site):
    ca, _, ports, _ = site
    server_view = tls.protocol_matrix(ports["https"], ca)
    assert [server_view[v].ok for v in ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")] == [False, False, True, True]
    assert "서버가" in server_view["TLSv1"].reason
    client_view = tls.protocol_matrix(ports["https"], ca, seclevel0=False)
    assert "암호 스위트" in client_view["TLSv1.1"].reason


def test_resumption_hsts_redirect_and_s_client(site):
    ca, _, ports, _ = site
    for version in ("TLSv1.2", "TLSv1.3"):
        first, second = tls.resumption(ports["https"], ca, version)
        assert not first.session_reused and second.session_reused
    r = httpx.get(f"http://127.0.0.1:{ports['http']}/x?y=1", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"].endswith(f":{ports['https']}/x?y=1")
    with httpx.Client(verify=ca.client_context()) as c:
        assert c.get(f"https://127.0.0.1:{ports['https']}/health").headers["strict-transport-security"] == tls.HSTS
    assert tls.s_client(ports["https"], ca, protocol="TLSv1.3").verify == "0 (ok)"
    assert not tls.s_client(ports["https"], ca, protocol="TLSv1.1").ok


def test_untrusted_and_leaf_only_chain_fail(site):
    ca, cert, ports, ngx = site
    assert not tls.handshake(ports["https"], ca.client_context(trust=False)).ok
    body = ngx.http_body
    ngx.reload(body.replace(str(cert.fullchain), str(cert.cert)))
    try:
        assert "중간 인증서" in tls.handshake(ports["https"], ca.client_context()).reason
    finally:
        ngx.reload(body)


def test_mutual_tls(site):
    ca, _, ports, _ = site
    url = f"https://127.0.0.1:{ports['mtls']}/health"
    with httpx.Client(verify=ca.client_context(cert=ca.client("svc"))) as c:
        assert c.get(url).status_code == 200
    with httpx.Client(verify=ca.client_context()) as c:
        assert c.get(url).status_code == 400


@pytest.mark.skipif(not tls.sslyze_available(), reason="sslyze가 설치되지 않았다")
def test_sslyze_confirms_mozilla_intermediate(site):
    ca, _, ports, _ = site
    ok, output = tls.sslyze_mozilla(ports["https"], ca)
    assert ok, tls.compliance_issues(output)


def test_mozilla_lines_follow_nginx_version():
    assert "ssl_session_tickets off;" in tls.mozilla_intermediate("1.22.1")
    assert "ssl_session_tickets off;" not in tls.mozilla_intermediate("1.27.0")
    assert not any("preload" in line for line in tls.mozilla_intermediate("1.27.0"))


def test_exactly_one_http2_form_fits_this_nginx(capsys):
    ca = tls.make_ca(LAB, name="h2")
    forms = tls.check_http2_forms(LAB, ca.server(), show=True)
    shown = capsys.readouterr().out
    assert shown.count("$ nginx -t") == 2 and "<실습 상태>" in shown
    clean = [label for label, result in forms.items() if result.ok and not result.warnings]
    expected = "1.25.1 이후 형식" if nginx.http2_uses_directive() else "1.25.1 이전 형식"
    assert clean == [expected]


def test_http2_is_negotiated_by_alpn_and_ends_at_nginx(site, capsys):
    ca, _, ports, ngx = site
    url = f"https://127.0.0.1:{ports['https']}/health"
    with httpx.Client(http2=True, verify=ca.client_context()) as c:
        assert c.get(url).http_version == "HTTP/2"
    with httpx.Client(verify=ca.client_context()) as c:
        assert c.get(url).http_version == "HTTP/1.1"
    assert tls.curl_http_version(url, ca) == "2"
    assert capsys.readouterr().out.startswith("$ curl -sS --http2 --cacert <실습 상태>/")
    assert tls.curl_http_version(url, ca, http2=False, show=False) == "1.1"
    mark = ngx.mark()
    with httpx.Client(http2=True, verify=ca.client_context()) as c:
        c.get(url)
    assert ngx.access_log(mark, expect=1)[-1]["protocol"] == "HTTP/2.0"


# ---- 파일 셀로 쓴 사이트 (09 레슨) -------------------------------------------------------

def test_remap_ports_changes_only_whole_port_numbers():
    text = 'listen 127.0.0.1:8443 ssl;\nreturn 301 https://$host:8443$request_uri;\nserver 127.0.0.1:8000;\n' \
           'add_header Strict-Transport-Security "max-age=63072000";\n'
    out = tls.remap_ports(text, {8443: 40001, 8000: 40002})
    assert "127.0.0.1:40001 ssl" in out and "$host:40001$request_uri" in out and "127.0.0.1:40002;" in out
    assert "max-age=63072000" in out


def test_site_applies_the_lab_files_as_written_and_reloads(capsys):
    from labs import tasks

    lab = "t-tls-site"
    ca = tls.make_ca(lab)
    ca.server()
    body = ("server {\n    listen 127.0.0.1:18443 ssl;\n    ssl_certificate     certs/server/cert.pem;\n"
            "    ssl_certificate_key certs/server/privkey.pem;\n    return 200 \"ok\\n\";\n}\n")
    try:
        tasks.write(lab, "t.conf", body, show=False)
        site = tls.Site(lab, ca, "t-site").apply("t.conf")
        shown = capsys.readouterr().out
        assert f"include .labs_state/files/{lab}/t.conf;" in shown
        assert f"$ nginx -p .labs_state/nginx/{lab}/t-site -c conf/nginx.conf -e logs/error.log" in shown
        assert tls.chain_sent(18443, ca) == (1, "20 (unable to get local issuer certificate)")
        tasks.write(lab, "t.conf", body.replace("cert.pem", "fullchain.pem"), show=False)
        site.apply("t.conf")
        assert "-s reload" in capsys.readouterr().out
        assert tls.chain_sent(18443, ca) == (2, "0 (ok)")
        # nginx -t에 실패하면 리로드하지 않는다: 옛 설정 그대로 돈다
        tasks.write(lab, "t.conf", body.replace("ssl_certificate_key", "ssl_certificate_keyy"), show=False)
        with pytest.raises(labs.LabError, match="옛 설정 그대로"):
            site.apply("t.conf")
        assert tls.handshake(18443, ca.client_context(), request=None).ok
        assert not tls.check_texts(lab, "t-check", ca, {"t.conf": "server {"}).ok
    finally:
        labs.cleanup(lab, quiet=True)

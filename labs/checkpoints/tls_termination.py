"""09 레슨(SSL/TLS 종료)의 체크포인트 채점기. 모두 실제 nginx에 실제 TLS 클라이언트로 채점한다 (각 60초 안).

학습자는 nginx 설정 파일을 `%%lab_file 이름` 셀(`labs.tasks`)에 쓰고, 채점기는 노트북 이름 공간의 `LAB_FILES[이름]`을
읽는다. 채점기는 그 글을 **따로 띄운 nginx**에 그대로 넣는다: 레슨의 nginx와 겹치지 않게 파일의 포트(8000·8080·8443)만
빈 포트로 바꾸고, 인증서는 채점기의 실습 CA(`certs/` 링크)로 바꿔 끼운다.

- 9-1 `chain_fixed`: `api.conf`가 중간 인증서까지 보내는지 (파이썬 `ssl`, `openssl s_client`로 검증).
- 9-2 `tls_settings`: `ssl.conf`가 TLS 1.2·1.3, ECDHE + AEAD, 세션 재개, 버전에 맞는 세션 티켓, HSTS를 지키는지.
- 9-3 `forwarded_proto`: 앱이 원래 스킴(https)을 알아 `https://` 주소를 만드는지 (실제 FastAPI 앱과 함께 띄운다).
- 9-4 `require_client_cert`: 상호 TLS(mTLS) 설정 줄과 클라이언트 인증서.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from .. import nginx, tasks, tls
from ..grading import Criterion, Grader, need
from ..korean import particle
from ..procs import free_port

GRADER_LAB = "09_tls_termination"

SSL_CONF = "ssl.conf"
API_CONF = "api.conf"

FAKE_APP = """# 채점기의 가짜 앱: 받은 요청의 스킴 헤더를 돌려준다
server {{
    listen 127.0.0.1:{port};
    # add_header가 하나라도 있으면 바깥(http 블록, 학습자의 ssl.conf)의 add_header를 물려받지 않는다:
    # HSTS는 앞의 nginx가 한 번만 붙인다
    add_header X-Fake-App 1;
    location / {{ return 200 "app ok proto=$http_x_forwarded_proto\n"; }}
}}
"""


def _lines(ns: Mapping[str, Any], name: str) -> str:
    value = need(ns, name)
    if isinstance(value, (list, tuple)):
        value = "\n".join(value)
    if not isinstance(value, str):
        raise TypeError(f"`{name}`{particle(name, '은')} 설정 줄(문자열)이어야 한다.")
    return value


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())


def _lab(ns: Mapping[str, Any]) -> str:
    return str(ns.get("LAB", GRADER_LAB))


class _Cache:
    data: dict[tuple, dict[str, Any]] = {}


def _serve(lab: str, name: str, body: str, probe, key: tuple) -> dict[str, Any]:
    if key in _Cache.data:
        return _Cache.data[key]
    out: dict[str, Any] = {"test": nginx.check(body, lab, name)}
    if out["test"].ok:
        ngx = nginx.prepare(lab, body, name)
        try:
            ngx.start()
            probe(ngx, out)
        except Exception as exc:  # noqa: BLE001  학생 설정이 무엇이든 채점은 끝까지 간다
            out["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            ngx.stop()
    _Cache.data.clear()
    _Cache.data[key] = out
    return out


_grader_ca: dict[str, tls.LocalCA] = {}


def _ca(lab: str) -> tls.LocalCA:
    if lab not in _grader_ca:
        ca = tls.make_ca(lab, name="grader-ca")
        ca.server()
        _grader_ca[lab] = ca
    return _grader_ca[lab]


def _need_live(res: dict[str, Any], key: str) -> Any:
    if key not in res:
        raise RuntimeError(res.get("error") or "nginx가 뜨지 않았다 (먼저 `nginx -t` 기준을 고친다).")
    return res[key]


def _syntax(res: dict[str, Any]) -> tuple[bool, str]:
    test = res["test"]
    return test.ok, "" if test.ok else "\n".join(str(p) for p in test.problems[:2])


def _files_run(ns: Mapping[str, Any], key: str, files: dict[str, str], probe, *, with_app: bool = False) -> dict[str, Any]:
    """학습자의 파일들을 포트만 바꿔 따로 띄운 nginx에 넣고 `probe(ports, ca, out)`로 잰다 (같은 답이면 다시 재지 않는다)."""
    cache_key = (key, tuple(sorted(files.items())))
    if cache_key in _Cache.data:
        return _Cache.data[cache_key]
    lab = _lab(ns)
    ca = _ca(lab)
    ports = {tls.PORTS["app"]: free_port(), tls.PORTS["http"]: free_port(), tls.PORTS["https"]: free_port()}
    texts = {name: tls.remap_ports(text, ports) for name, text in files.items()}
    extra = "" if with_app else FAKE_APP.format(port=ports[tls.PORTS["app"]])
    out: dict[str, Any] = {"ports": ports}
    app = site = None
    try:
        if with_app:
            app = tls.start_app(lab, port=ports[tls.PORTS["app"]])
        site = tls.serve_texts(lab, f"checkpoint-{key}", ca, texts, extra=extra)
        out["test"] = nginx.TestResult(True, "")
        probe(ports, ca, out)
    except tls.NginxRejected as exc:
        out["test"] = exc.result
    except Exception as exc:  # noqa: BLE001  학생 설정이 무엇이든 채점은 끝까지 간다
        out.setdefault("test", nginx.TestResult(True, ""))
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if site is not None:
            site.stop()
        if app is not None:
            app.stop()
    _Cache.data.clear()
    _Cache.data[cache_key] = out
    return out


def _https(ports: dict[int, int]) -> int:
    return ports[tls.PORTS["https"]]


# ---- 체크포인트 9-1: 중간 인증서까지 보내기 ----------------------------------------------

def _probe_chain(ports: dict[int, int], ca: tls.LocalCA, out: dict[str, Any]) -> None:
    port = _https(ports)
    out["verified"] = tls.handshake(port, ca.client_context(), request="/")
    out["chain"] = tls.chain_sent(port, ca)


def _chain(ns: Mapping[str, Any]) -> dict[str, Any]:
    files = {API_CONF: tasks.text(ns, API_CONF)}
    given = (ns.get(tasks.FILES_VAR) or {}).get(SSL_CONF)
    if isinstance(given, str) and given.strip():
        files = {SSL_CONF: given, **files}
    return _files_run(ns, "9-1", files, _probe_chain)


def _chain_syntax(ns):
    return _syntax(_chain(ns))


def _chain_python(ns):
    hs = _need_live(_chain(ns), "verified")
    return hs.ok, ("실습 루트 CA만 믿는 파이썬 `ssl` 클라이언트가 검증에 성공했다" if hs.ok
                   else f"파이썬 `ssl`: {hs.reason}")


def _chain_openssl(ns):
    count, verify = _need_live(_chain(ns), "chain")
    ok = count >= 2 and bool(verify) and verify.startswith("0 ")
    return ok, f"openssl s_client: 서버가 보낸 인증서 {count}개, 검증 결과 {verify}"


def _chain_proxy(ns):
    hs = _need_live(_chain(ns), "verified")
    ok = hs.ok and hs.status == 200
    return ok, "검증한 연결로 보낸 요청이 앱까지 가서 200" if ok else f"응답 {hs.status or hs.reason}"


chain_fixed = Grader("체크포인트 9-1: 중간 인증서까지 보내기", [
    Criterion("`nginx -t`를 통과한다", 1, _chain_syntax),
    Criterion("실습 CA를 믿는 클라이언트가 검증에 성공한다 (파이썬 `ssl`)", 2, _chain_python,
              "`ssl_certificate`에 서버 인증서와 중간 인증서를 묶은 `fullchain.pem`을 준다."),
    Criterion("서버가 인증서 2개(서버 + 중간)를 보내고 `openssl s_client` 검증이 0 (ok)", 1, _chain_openssl,
              "`cert.pem`은 서버 인증서 하나뿐이다: `certs/server/fullchain.pem`"),
    Criterion("HTTPS 요청이 앱까지 간다 (200)", 1, _chain_proxy),
])


# ---- 체크포인트 9-2: ssl.conf ------------------------------------------------------------

def _probe_tls(ports: dict[int, int], ca: tls.LocalCA, out: dict[str, Any]) -> None:
    import httpx

    port = _https(ports)
    out["matrix"] = tls.protocol_matrix(port, ca)
    cbc = ca.client_context(minimum="TLSv1.2", maximum="TLSv1.2")
    cbc.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256")
    out["cbc"] = tls.handshake(port, cbc)
    first, second = tls.resumption(port, ca, "TLSv1.2")
    out["resume"] = (first, second)
    out["ticket"] = bool(first.session is not None and first.session.has_ticket)
    with httpx.Client(verify=ca.client_context()) as c:
        out["hsts"] = c.get(f"https://127.0.0.1:{port}/").headers.get("strict-transport-security")


REFERENCE_API = """upstream app {
    server 127.0.0.1:8000;
}

server {
    listen 127.0.0.1:8443 ssl;
    ssl_certificate     certs/server/fullchain.pem;
    ssl_certificate_key certs/server/privkey.pem;

    location / {
        proxy_pass http://app;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
"""
"""9-2 채점기가 학습자의 `ssl.conf`와 함께 넣는 서버 블록 (`ssl.conf`는 `http` 블록 수준의 설정이다)."""


def _tls_result(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _files_run(ns, "9-2", {SSL_CONF: tasks.text(ns, SSL_CONF), API_CONF: REFERENCE_API}, _probe_tls)


def _tls_syntax(ns):
    return _syntax(_tls_result(ns))


def _modern_versions(ns):
    matrix = _need_live(_tls_result(ns), "matrix")
    ok = matrix["TLSv1.2"].ok and matrix["TLSv1.3"].ok
    return ok, "" if ok else f"TLS 1.2: {matrix['TLSv1.2'].reason or '성공'}, TLS 1.3: {matrix['TLSv1.3'].reason or '성공'}"


def _old_versions(ns):
    matrix = _need_live(_tls_result(ns), "matrix")
    accepted = [v for v in ("TLSv1", "TLSv1.1") if matrix[v].ok]
    if not accepted:
        return True, "보안 수준을 0으로 내린 클라이언트에게도 서버가 1.0·1.1을 거부했다"
    return False, f"{', '.join(accepted)}{particle(', '.join(accepted), '을')} 받아들였다: `ssl_protocols`를 확인한다."


def _no_cbc(ns):
    hs = _need_live(_tls_result(ns), "cbc")
    return not hs.ok, "" if not hs.ok else f"CBC 암호 스위트 {hs.cipher}{particle(hs.cipher, '를')} 받아들였다: Mozilla intermediate의 `ssl_ciphers`를 쓴다."


def _hsts(ns):
    value = _need_live(_tls_result(ns), "hsts")
    if not value:
        return False, "HSTS 헤더가 없다 (`always`도 붙인다)."
    try:
        age = int(value.split("max-age=")[1].split(";")[0])
    except (IndexError, ValueError):
        return False, f"max-age를 읽지 못했다: {value}"
    ok = age >= 31536000 and "preload" not in value
    return ok, value if ok else f"{value}: 1년 이상, preload 없이."


def _resumption(ns):
    first, second = _need_live(_tls_result(ns), "resume")
    ok = first.ok and second.ok and second.session_reused
    return ok, "" if ok else "두 번째 연결이 세션을 재개하지 못했다: `ssl_session_cache shared:...`를 둔다."


def _tickets(ns):
    has_ticket = _need_live(_tls_result(ns), "ticket")
    if nginx.session_tickets_safe():
        return True, "이 nginx는 세션 티켓 키를 스스로 바꾸므로 티켓을 써도 된다."
    ok = not has_ticket
    text = nginx.info().text
    return ok, ("세션 티켓을 보내지 않는다" if ok
                else f"nginx {text}{particle(text, '는')} 1.23.2 미만이다: `ssl_session_tickets off;`")


tls_settings = Grader("체크포인트 9-2: ssl.conf를 Mozilla intermediate로", [
    Criterion("`nginx -t`를 통과한다", 1, _tls_syntax),
    Criterion("TLS 1.2와 1.3으로 연결된다", 1, _modern_versions),
    Criterion("TLS 1.0과 1.1은 서버가 거부한다", 2, _old_versions, "`ssl_protocols TLSv1.2 TLSv1.3;`"),
    Criterion("CBC 암호 스위트를 거부한다 (ECDHE + AEAD만)", 1, _no_cbc),
    Criterion("HSTS가 1년 이상이고 preload가 없다", 1, _hsts),
    Criterion("TLS 1.2 세션이 재개된다", 1, _resumption),
    Criterion("세션 티켓 설정이 이 nginx 버전에 맞다", 1, _tickets),
])


# ---- 체크포인트 9-3: X-Forwarded-Proto -----------------------------------------------------

def _probe_proto(ports: dict[int, int], ca: tls.LocalCA, out: dict[str, Any]) -> None:
    import httpx

    https, http = _https(ports), ports[tls.PORTS["http"]]
    out["http"] = httpx.get(f"http://127.0.0.1:{http}/info?x=1", follow_redirects=False, timeout=10)
    with httpx.Client(verify=ca.client_context(), timeout=10) as c:
        out["client"] = c.get(f"https://127.0.0.1:{https}/debug/client").json()
        out["redirect"] = c.get(f"https://127.0.0.1:{https}/notes/", follow_redirects=False)
    out["origin"] = f"https://127.0.0.1:{https}"


def _proto(ns: Mapping[str, Any]) -> dict[str, Any]:
    files = {API_CONF: tasks.text(ns, API_CONF)}
    given = (ns.get(tasks.FILES_VAR) or {}).get(SSL_CONF)
    if isinstance(given, str) and given.strip():
        files = {SSL_CONF: given, **files}
    return _files_run(ns, "9-3", files, _probe_proto, with_app=True)


def _proto_syntax(ns):
    return _syntax(_proto(ns))


def _http_redirect(ns):
    res = _proto(ns)
    r = _need_live(res, "http")
    want = f"{res['origin']}/info?x=1"
    ok = r.status_code == 301 and r.headers.get("location") == want
    return ok, f"HTTP → {r.status_code} {r.headers.get('location')}"


def _app_scheme(ns):
    client = _need_live(_proto(ns), "client")
    ok = client.get("scheme") == "https"
    sent = client.get("headers", {}).get("x-forwarded-proto")
    return ok, (f"앱이 본 스킴 {client.get('scheme')}, 받은 X-Forwarded-Proto {sent or '없음'}")


def _app_redirect(ns):
    res = _proto(ns)
    r = _need_live(res, "redirect")
    location = r.headers.get("location", "")
    ok = r.status_code == 307 and location.startswith(res["origin"] + "/")
    return ok, f"앱의 리디렉션 {r.status_code} → {location or '없음'}"


forwarded_proto = Grader("체크포인트 9-3: 앱에 원래 스킴 알리기", [
    Criterion("`nginx -t`를 통과한다", 1, _proto_syntax),
    Criterion("HTTP(8080)는 301로 같은 경로의 https://…:8443 주소를 가리킨다", 1, _http_redirect),
    Criterion("앱이 본 스킴이 https다", 2, _app_scheme,
              "`location`에 `proxy_set_header X-Forwarded-Proto $scheme;`을 둔다 (앱은 127.0.0.1이 보낸 이 헤더를 믿는다)."),
    Criterion("앱이 만든 리디렉션 주소가 https://…:8443으로 시작한다", 1, _app_redirect,
              "앱은 스킴을 X-Forwarded-Proto에서, 호스트와 포트를 Host 헤더(`$http_host`)에서 얻는다."),
])


# ---- 체크포인트 9-4: 상호 TLS ------------------------------------------------------------

def _probe_mtls(ngx: nginx.Nginx, out: dict[str, Any], ca: tls.LocalCA, client, foreign) -> None:
    import httpx

    url = ngx.url("/", scheme="https")
    for label, cert in (("with", client), ("without", None), ("foreign", foreign)):
        try:
            with httpx.Client(verify=ca.client_context(cert=cert)) as c:
                out[label] = c.get(url).status_code
        except (httpx.HTTPError, ssl.SSLError) as exc:
            out[label] = f"{type(exc).__name__}"


def _mtls_result(ns: Mapping[str, Any]) -> dict[str, Any]:
    lines = _lines(ns, "mtls_lines")
    ca = need(ns, "ca")
    client = need(ns, "client_cert")
    if not isinstance(ca, tls.LocalCA) or not isinstance(client, tls.CertFiles):
        raise TypeError("`ca`는 `tls.make_ca()`, `client_cert`는 `ca.client(...)`의 결과여야 한다.")
    lab = ns.get("LAB", GRADER_LAB)
    foreign = tls.make_ca(lab, name="foreign-ca").client("intruder")
    cert = ca.server()
    port = free_port()
    listen = "\n".join("    " + x for x in nginx.listen_tls(port, http2=False))
    body = (f"server {{\n{listen}\n    ssl_certificate {cert.fullchain};\n    ssl_certificate_key {cert.key};\n"
            f"{_indent(nginx.render(lines, ca=ca.ca_pem))}\n"
            f"    location / {{ return 200 \"hello $ssl_client_s_dn\\n\"; }}\n}}\n")
    return _serve(lab, "checkpoint-9-4", body, lambda ngx, o: _probe_mtls(ngx, o, ca, client, foreign),
                  ("9-4", lines, str(client.fullchain)))


def _mtls_syntax(ns):
    _Cache.data.clear()
    res = _mtls_result(ns)
    return res["test"].ok, "" if res["test"].ok else "\n".join(str(p) for p in res["test"].problems[:2])


def _client_cert_kind(ns):
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    client = need(ns, "client_cert")
    if not isinstance(client, tls.CertFiles):
        return False, "`client_cert = ca.client(\"이름\")`으로 만든다."
    cert = x509.load_pem_x509_certificates(client.fullchain.read_bytes())[0]
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    ok = ExtendedKeyUsageOID.CLIENT_AUTH in usage
    return ok, "" if ok else "서버용 인증서다: 클라이언트 인증서(clientAuth)를 만든다."


def _with_cert(ns):
    status = _need_live(_mtls_result(ns), "with")
    return status == 200, "" if status == 200 else f"클라이언트 인증서를 냈는데 {status}"


def _without_cert(ns):
    status = _need_live(_mtls_result(ns), "without")
    return status == 400, "" if status == 400 else f"인증서 없이 {status}: `ssl_verify_client on;`"


def _foreign_cert(ns):
    status = _need_live(_mtls_result(ns), "foreign")
    return status == 400, "" if status == 400 else f"다른 CA의 인증서로 {status}: `ssl_client_certificate`에 실습 CA만 둔다."


require_client_cert = Grader("체크포인트 9-4: 상호 TLS", [
    Criterion("`nginx -t`를 통과한다", 1, _mtls_syntax, "`ssl_client_certificate {{ca}};`도 필요하다."),
    Criterion("`client_cert`가 실습 CA가 발급한 클라이언트 인증서다", 1, _client_cert_kind),
    Criterion("클라이언트 인증서를 내면 200", 1, _with_cert),
    Criterion("인증서가 없으면 400", 2, _without_cert),
    Criterion("다른 CA가 발급한 인증서는 400", 1, _foreign_cert),
])

"""09 레슨(SSL/TLS 종료)의 체크포인트 채점기.

학생이 고른 TLS 설정 줄을 실제 nginx에 넣고, 파이썬 `ssl` 클라이언트로 핸드셰이크해 판정한다:
버전, 암호 스위트, HSTS, 세션 재개, 세션 티켓, 상호 TLS(mTLS).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from .. import nginx, tls
from ..grading import Criterion, Grader, need
from ..korean import particle
from ..procs import free_port

GRADER_LAB = "09_tls_termination"


def _lines(ns: Mapping[str, Any], name: str) -> str:
    value = need(ns, name)
    if isinstance(value, (list, tuple)):
        value = "\n".join(value)
    if not isinstance(value, str):
        raise TypeError(f"`{name}`{particle(name, '은')} 설정 줄(문자열)이어야 한다.")
    return value


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())


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


# ---- 체크포인트 9-1: 이 nginx에 맞는 TLS 설정 ----------------------------------------------

_grader_ca: dict[str, tls.LocalCA] = {}


def _ca(lab: str) -> tls.LocalCA:
    if lab not in _grader_ca:
        _grader_ca[lab] = tls.make_ca(lab, name="grader-ca")
    return _grader_ca[lab]


def _probe_tls(ngx: nginx.Nginx, out: dict[str, Any]) -> None:
    ca = out["ca"]
    port = ngx.port
    out["matrix"] = tls.protocol_matrix(port, ca)
    cbc = ca.client_context(minimum="TLSv1.2", maximum="TLSv1.2")
    cbc.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256")
    out["cbc"] = tls.handshake(port, cbc)
    first, second = tls.resumption(port, ca, "TLSv1.2")
    out["resume"] = (first, second)
    out["ticket"] = bool(first.session is not None and first.session.has_ticket)
    import httpx

    with httpx.Client(verify=ca.client_context()) as c:
        out["hsts"] = c.get(ngx.url("/", scheme="https")).headers.get("strict-transport-security")


def _tls_result(ns: Mapping[str, Any]) -> dict[str, Any]:
    lines = _lines(ns, "my_tls")
    lab = ns.get("LAB", GRADER_LAB)
    ca = _ca(lab)
    cert = ca.server()
    port = free_port()
    listen = "\n".join("    " + x for x in nginx.listen_tls(port))
    body = (f"server {{\n{listen}\n    ssl_certificate {cert.fullchain};\n    ssl_certificate_key {cert.key};\n"
            f"{_indent(lines)}\n    location / {{ return 200 \"ok\\n\"; }}\n}}\n")
    return _serve(lab, "checkpoint-9-1", body, lambda ngx, o: _with(o, ca, ngx), ("9-1", lines))


def _with(out: dict[str, Any], ca: tls.LocalCA, ngx: nginx.Nginx) -> None:
    out["ca"] = ca
    _probe_tls(ngx, out)


def _need_live(res: dict[str, Any], key: str) -> Any:
    if key not in res:
        raise RuntimeError(res.get("error") or "nginx가 뜨지 않았다 (먼저 `nginx -t` 기준을 고친다).")
    return res[key]


def _tls_syntax(ns):
    _Cache.data.clear()
    res = _tls_result(ns)
    test = res["test"]
    return test.ok, "" if test.ok else "\n".join(str(p) for p in test.problems[:2])


def _modern_versions(ns):
    matrix = _need_live(_tls_result(ns), "matrix")
    ok = matrix["TLSv1.2"].ok and matrix["TLSv1.3"].ok
    return ok, "" if ok else f"TLS 1.2: {matrix['TLSv1.2'].reason or '성공'}, TLS 1.3: {matrix['TLSv1.3'].reason or '성공'}"


def _old_versions(ns):
    matrix = _need_live(_tls_result(ns), "matrix")
    accepted = [v for v in ("TLSv1", "TLSv1.1") if matrix[v].ok]
    return not accepted, "" if not accepted else f"{', '.join(accepted)}{particle(', '.join(accepted), '을')} 받아들였다: `ssl_protocols`를 확인한다."


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
    return ok, "" if ok else f"{value}: 1년 이상, preload 없이."


def _resumption(ns):
    first, second = _need_live(_tls_result(ns), "resume")
    ok = first.ok and second.ok and second.session_reused
    return ok, "" if ok else "두 번째 연결이 세션을 재개하지 못했다: `ssl_session_cache shared:...`를 둔다."


def _tickets(ns):
    has_ticket = _need_live(_tls_result(ns), "ticket")
    if nginx.session_tickets_safe():
        return True, "이 nginx는 세션 티켓 키를 스스로 바꾸므로 티켓을 써도 된다."
    ok = not has_ticket
    return ok, "" if ok else f"nginx {nginx.info().text}{particle(nginx.info().text, '는')} 1.23.2 미만이다: `ssl_session_tickets off;`"


def _listen_1_27(ns):
    text = _lines(ns, "listen_1_27")
    compact = " ".join(text.split())
    ok = "http2 on;" in compact and "ssl http2" not in compact and "listen 443 ssl" in compact
    return ok, "" if ok else "1.25.1 이후: `listen 443 ssl;`과 `http2 on;`을 따로 쓴다."


tls_for_this_nginx = Grader("체크포인트 9-1: 이 nginx에 맞는 TLS 설정", [
    Criterion("`nginx -t`를 통과한다", 1, _tls_syntax),
    Criterion("TLS 1.2와 1.3으로 연결된다", 1, _modern_versions),
    Criterion("TLS 1.0과 1.1은 서버가 거부한다", 2, _old_versions, "`ssl_protocols TLSv1.2 TLSv1.3;`"),
    Criterion("CBC 암호 스위트를 거부한다 (ECDHE + AEAD만)", 1, _no_cbc),
    Criterion("HSTS가 1년 이상이고 preload가 없다", 1, _hsts),
    Criterion("TLS 1.2 세션이 재개된다", 1, _resumption),
    Criterion("세션 티켓 설정이 이 nginx 버전에 맞다", 1, _tickets),
    Criterion("nginx 1.27용 `listen`·HTTP/2 줄이 맞다 (`listen_1_27`)", 1, _listen_1_27),
])


# ---- 체크포인트 9-2: 상호 TLS ------------------------------------------------------------

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
    return _serve(lab, "checkpoint-9-2", body, lambda ngx, o: _probe_mtls(ngx, o, ca, client, foreign),
                  ("9-2", lines, str(client.fullchain)))


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


require_client_cert = Grader("체크포인트 9-2: 상호 TLS", [
    Criterion("`nginx -t`를 통과한다", 1, _mtls_syntax, "`ssl_client_certificate {{ca}};`도 필요하다."),
    Criterion("`client_cert`가 실습 CA가 발급한 클라이언트 인증서다", 1, _client_cert_kind),
    Criterion("클라이언트 인증서를 내면 200", 1, _with_cert),
    Criterion("인증서가 없으면 400", 2, _without_cert),
    Criterion("다른 CA가 발급한 인증서는 400", 1, _foreign_cert),
])

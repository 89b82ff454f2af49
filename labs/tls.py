"""TLS 실습 도구: 실행할 때 만드는 로컬 CA와 인증서, Mozilla 권장 설정, 핸드셰이크 검사 (09 레슨, 04 레슨의 HTTPS).

- 인증서는 저장소에 두지 않는다: 실습 상태 폴더 아래에 실행할 때마다 새로 만든다 (`cryptography`).
  구조는 실제와 같다: 루트 CA → 중간 CA → 서버 인증서. 서버는 중간 인증서까지 묶은 `fullchain.pem`을 보낸다.
- 클라이언트 검사는 파이썬 `ssl`로 한다: 최소·최대 버전을 정해 핸드셰이크하고, 협상된 버전·암호 스위트·
  세션 재개 여부를 돌려준다. 독립 검사기로 `openssl s_client`와 (설치돼 있으면) sslyze를 쓴다.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import registry
from .errors import LabError
from .nginx import Version, listen_tls, session_tickets_safe

if TYPE_CHECKING:
    from .nginx import Nginx, TestResult

PROTOCOLS: dict[str, ssl.TLSVersion] = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}

# Mozilla 서버 측 TLS 권장(guideline 6.0, 2026)의 intermediate 프로필: ECDHE만 쓰므로 dhparam이 필요 없다.
MOZILLA_INTERMEDIATE_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
)
SEED_CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384")
HSTS = "max-age=63072000"
"""Mozilla 생성기의 기본 HSTS: 2년, `preload` 없음 (preload 목록은 빠져나오기 어렵다)."""


# ---- 로컬 CA와 인증서 -------------------------------------------------------------

@dataclass
class CertFiles:
    """PEM 파일 경로 한 벌: 인증서(중간 인증서까지 묶은 체인), 인증서만, 개인 키.

    같은 폴더에 `chain.pem`(중간 인증서만)도 있다: certbot의 `/etc/letsencrypt/live/<도메인>/`과 같은 네 파일이다.
    """

    fullchain: Path
    cert: Path
    key: Path
    not_after: dt.datetime

    @property
    def days_left(self) -> int:
        return (self.not_after - dt.datetime.now(dt.timezone.utc)).days


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "배포 코스 실습"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _sign(subject: x509.Name, public_key, issuer: x509.Name, issuer_key, *, ca: bool, days: int,
          path_length: int | None = None, identities: tuple[str, ...] = (), client: bool = False,
          issuer_public_key=None) -> x509.Certificate:
    """RFC 5280을 지키는 인증서 하나에 서명한다 (sslyze·브라우저 검증기가 까다롭게 보는 확장까지)."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key or public_key),
                              critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True)
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if identities:
            names: list[x509.GeneralName] = []
            for ident in identities:
                try:
                    names.append(x509.IPAddress(ipaddress.ip_address(ident)))
                except ValueError:
                    names.append(x509.DNSName(ident))
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass
class LocalCA:
    """실습용 인증 기관: 루트 CA와 중간 CA. 루트의 공개 인증서(`ca_pem`)만 클라이언트가 믿는다.

    실제 공인 CA처럼 루트 키는 중간 CA에 서명할 때만 쓰고, 서버·클라이언트 인증서는 중간 CA가 발급한다.
    """

    lab: str
    folder: Path
    root_cert: x509.Certificate = field(repr=False)
    inter_cert: x509.Certificate = field(repr=False)
    inter_key: ec.EllipticCurvePrivateKey = field(repr=False)

    @property
    def ca_pem(self) -> Path:
        return self.folder / "ca.pem"

    def issue(self, name: str, *identities: str, days: int = 90, client: bool = False) -> CertFiles:
        """중간 CA로 인증서를 발급해 PEM 파일로 쓴다. 서버용이면 이름(SAN)을 준다."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _sign(_name(name), key.public_key(), self.inter_cert.subject, self.inter_key, ca=False, days=days,
                     identities=identities, client=client, issuer_public_key=self.inter_cert.public_key())
        folder = self.folder / name
        folder.mkdir(parents=True, exist_ok=True)
        files = CertFiles(folder / "fullchain.pem", folder / "cert.pem", folder / "privkey.pem",
                          cert.not_valid_after_utc)
        files.cert.write_bytes(_pem(cert))
        (folder / "chain.pem").write_bytes(_pem(self.inter_cert))  # certbot처럼: 중간 인증서만
        files.fullchain.write_bytes(_pem(cert) + _pem(self.inter_cert))
        files.key.write_bytes(_key_pem(key))
        files.key.chmod(0o600)
        return files

    def server(self, days: int = 90) -> CertFiles:
        """`localhost`와 `127.0.0.1`, `api.example.test`용 서버 인증서."""
        return self.issue("server", "localhost", "127.0.0.1", "api.example.test", days=days)

    def client(self, name: str, days: int = 30) -> CertFiles:
        """상호 TLS용 클라이언트 인증서 (확장 키 용도: clientAuth)."""
        return self.issue(name, days=days, client=True)

    def client_context(self, *, minimum: str | None = None, maximum: str | None = None,
                       seclevel0: bool = False, cert: CertFiles | None = None,
                       trust: bool = True) -> ssl.SSLContext:
        """이 CA를 믿는 클라이언트용 SSL 컨텍스트.

        `seclevel0=True`는 클라이언트 쪽 OpenSSL 보안 수준을 0으로 내린다: OpenSSL 3은 기본값(수준 1 이상)에서
        TLS 1.0/1.1을 스스로 거부하므로, '서버가' 거부하는지 보려면 클라이언트의 빗장을 먼저 풀어야 한다.
        """
        ctx = ssl.create_default_context(cafile=str(self.ca_pem)) if trust else ssl.create_default_context()
        with warnings.catch_warnings():  # 1.0·1.1은 '거부되는지' 보려고 일부러 고른다
            warnings.simplefilter("ignore", DeprecationWarning)
            if minimum:
                ctx.minimum_version = PROTOCOLS[minimum]
            if maximum:
                ctx.maximum_version = PROTOCOLS[maximum]
        if seclevel0:
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        if cert is not None:
            ctx.load_cert_chain(cert.fullchain, cert.key)
        return ctx


def make_ca(lab: str, *, name: str = "ca") -> LocalCA:
    """레슨의 로컬 CA를 새로 만든다 (루트 → 중간). 파일은 `<상태 폴더>/tls/<lab>/<name>/`에 둔다.

    개인 키는 파일로 남기지 않는다 (중간 CA 키는 이 커널의 메모리에만 있다)."""
    folder = registry.state_dir() / "tls" / lab / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_name = _name("배포 코스 실습 루트 CA")
    root = _sign(root_name, root_key.public_key(), root_name, root_key, ca=True, days=3650, path_length=1)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = _sign(_name("배포 코스 실습 중간 CA"), inter_key.public_key(), root_name, root_key, ca=True,
                  days=1825, path_length=0, issuer_public_key=root_key.public_key())
    ca = LocalCA(lab, folder, root, inter, inter_key)
    ca.ca_pem.write_bytes(_pem(root))
    return ca


def describe_cert(path: Path) -> dict[str, object]:
    """PEM 파일의 인증서들을 요약한다: 주체, 발급자, 유효 기간(일), SAN."""
    certs = x509.load_pem_x509_certificates(path.read_bytes())
    out = []
    for cert in certs:
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = [str(n.value) for n in san]
        except x509.ExtensionNotFound:
            names = []
        out.append({
            "주체": cert.subject.rfc4514_string(),
            "발급자": cert.issuer.rfc4514_string(),
            "유효 기간(일)": (cert.not_valid_after_utc - cert.not_valid_before_utc).days,
            "SAN": names,
        })
    return {"인증서 수": len(out), "체인": out}


# ---- 핸드셰이크 ------------------------------------------------------------------

@dataclass
class Handshake:
    """TLS 핸드셰이크 한 번의 결과."""

    ok: bool
    version: str | None = None
    cipher: str | None = None
    session_reused: bool = False
    session: ssl.SSLSession | None = field(default=None, repr=False)
    error: str | None = None
    status: int | None = None

    @property
    def reason(self) -> str:
        """실패 이유를 한국어로 (성공이면 빈 문자열)."""
        if self.ok or not self.error:
            return ""
        return explain_ssl_error(self.error)


def explain_ssl_error(error: str) -> str:
    rules = [
        (r"NO_PROTOCOLS_AVAILABLE|no protocols available",
         "클라이언트가 스스로 거부했다: 이 OpenSSL 보안 수준에서는 그 버전을 쓸 수 없다"),
        (r"UNSUPPORTED_PROTOCOL|unsupported protocol|WRONG_VERSION_NUMBER|VERSION_TOO_LOW",
         "서버가 그 프로토콜 버전을 거부했다"),
        (r"TLSV1_ALERT_PROTOCOL_VERSION|alert protocol version", "서버가 그 프로토콜 버전을 거부했다 (protocol_version 경고)"),
        (r"NO_SHARED_CIPHER|SSLV3_ALERT_HANDSHAKE_FAILURE|handshake failure|NO_CIPHERS_AVAILABLE|no ciphers available",
         "서버와 클라이언트가 함께 쓸 수 있는 암호 스위트가 없다"),
        (r"CERTIFICATE_VERIFY_FAILED.*(unable to get local issuer|unable to get issuer)",
         "인증서 체인을 끝까지 잇지 못했다: 서버가 중간 인증서를 보내지 않았거나(fullchain이 아님) 루트를 믿지 않는다"),
        (r"CERTIFICATE_VERIFY_FAILED.*self.signed|self-signed", "자체 서명 인증서라 믿을 수 없다"),
        (r"CERTIFICATE_VERIFY_FAILED.*(Hostname mismatch|IP address mismatch)", "인증서의 이름(SAN)이 접속한 주소와 다르다"),
        (r"CERTIFICATE_VERIFY_FAILED.*expired", "인증서가 만료됐다"),
        (r"CERTIFICATE_VERIFY_FAILED", "인증서를 검증하지 못했다"),
        (r"Connection refused|ConnectionRefused", "연결이 거부됐다: 서버가 그 포트에서 듣고 있지 않다"),
    ]
    for pattern, text in rules:
        if re.search(pattern, error, re.I):
            return text
    return error


def handshake(port: int, ctx: ssl.SSLContext, *, host: str = "127.0.0.1", server_hostname: str = "localhost",
              session: ssl.SSLSession | None = None, request: str | None = "/health",
              timeout: float = 5.0) -> Handshake:
    """TLS로 연결하고 (선택) HTTP 요청을 하나 보낸다. 세션을 주면 재개를 시도한다.

    TLS 1.3의 세션 티켓은 핸드셰이크가 끝난 뒤에 오므로 요청·응답을 한 번 주고받은 뒤 세션을 읽는다.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname=server_hostname, session=session) as tls:
                status = None
                if request:
                    tls.sendall(f"GET {request} HTTP/1.1\r\nHost: {server_hostname}\r\nConnection: close\r\n\r\n"
                                .encode())
                    data = b""
                    while b"\r\n" not in data:
                        chunk = tls.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
                    status = int(m.group(1)) if m else None
                    try:
                        while tls.recv(4096):
                            pass
                    except (ssl.SSLError, OSError):
                        pass
                cipher = tls.cipher()
                return Handshake(True, tls.version(), cipher[0] if cipher else None, tls.session_reused,
                                 tls.session, None, status)
    except (ssl.SSLError, OSError) as exc:
        return Handshake(False, error=f"{type(exc).__name__}: {exc}")


def protocol_matrix(port: int, ca: LocalCA, *, seclevel0: bool = True,
                    protocols: tuple[str, ...] = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")) -> dict[str, Handshake]:
    """버전마다 그 버전만 허용한 클라이언트로 핸드셰이크해 본다."""
    out = {}
    for name in protocols:
        ctx = ca.client_context(minimum=name, maximum=name, seclevel0=seclevel0)
        out[name] = handshake(port, ctx)
    return out


def resumption(port: int, ca: LocalCA, protocol: str) -> tuple[Handshake, Handshake]:
    """같은 컨텍스트로 두 번 연결한다: 두 번째가 첫 연결의 세션을 재개했는지 (`session_reused`)."""
    ctx = ca.client_context(minimum=protocol, maximum=protocol)
    first = handshake(port, ctx)
    second = handshake(port, ctx, session=first.session) if first.ok else Handshake(False, error="첫 연결 실패")
    return first, second


# ---- nginx 설정 ----------------------------------------------------------------

def mozilla_intermediate(version: Version | str | None = None, *, hsts: str | None = HSTS,
                         stapling: bool = False, trusted_certificate: Path | None = None) -> list[str]:
    """설치된 nginx 버전에 맞춘 Mozilla intermediate 설정 줄 (`server` 블록 안에 넣는다).

    - 1.23.2 미만은 세션 티켓 키를 스스로 바꾸지 못하므로 `ssl_session_tickets off;`를 둔다.
    - OCSP 스테이플링은 기본으로 끈다: Let's Encrypt는 2025년에 OCSP를 끝냈고, 실습 CA에는 OCSP 주소가 없다.
    """
    lines = [
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "ssl_ecdh_curve X25519:prime256v1:secp384r1;",
        f"ssl_ciphers {MOZILLA_INTERMEDIATE_CIPHERS};",
        "ssl_prefer_server_ciphers off;",
        "ssl_session_cache shared:MozSSL:10m;",
        "ssl_session_timeout 1d;",
    ]
    if not session_tickets_safe(version):
        lines.append("ssl_session_tickets off;")
    if stapling:
        lines += ["ssl_stapling on;", "ssl_stapling_verify on;"]
        if trusted_certificate:
            lines.append(f"ssl_trusted_certificate {trusted_certificate};")
    if hsts:
        lines.append(f'add_header Strict-Transport-Security "{hsts}" always;')
    return lines


def tls_site(*, app_port: int, http_port: int, https_port: int, cert: CertFiles,
             version: Version | str | None = None, tls_lines: list[str] | None = None,
             http2: bool = True, client_ca: Path | None = None, mtls_port: int | None = None) -> str:
    """09 레슨의 사이트: HTTP→HTTPS 리디렉션, TLS 종료 후 앱으로 평문 HTTP 프록시, (선택) mTLS 서버."""
    tls_lines = mozilla_intermediate(version) if tls_lines is None else tls_lines
    proxy = ["location / {", "    proxy_pass http://app;", "    proxy_set_header Host $host;",
             "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
             "    proxy_set_header X-Forwarded-Proto $scheme;", "}"]
    out = ["upstream app {", f"    server 127.0.0.1:{app_port};", "}", "",
           "server {", f"    listen 127.0.0.1:{http_port};",
           f"    return 301 https://$host:{https_port}$request_uri;", "}", "",
           "server {", *[f"    {x}" for x in listen_tls(https_port, version, http2=http2)],
           f"    ssl_certificate     {cert.fullchain};", f"    ssl_certificate_key {cert.key};",
           *[f"    {x}" for x in tls_lines], "", *[f"    {x}" for x in proxy], "}"]
    if mtls_port and client_ca:
        out += ["", "# 내부 트래픽용 상호 TLS: 클라이언트도 인증서를 내야 한다",
                "server {", *[f"    {x}" for x in listen_tls(mtls_port, version, http2=False)],
                f"    ssl_certificate     {cert.fullchain};", f"    ssl_certificate_key {cert.key};",
                "    ssl_protocols TLSv1.2 TLSv1.3;",
                f"    ssl_client_certificate {client_ca};", "    ssl_verify_client on;", "    ssl_verify_depth 2;",
                "", *[f"    {x}" for x in proxy[:-1]],
                "        proxy_set_header X-Client-Cert-Subject $ssl_client_s_dn;", "    }", "}"]
    return "\n".join(out) + "\n"


# ---- 파일 셀로 쓴 사이트를 그대로 띄우기 (09 레슨) ---------------------------------------------

PORTS = {"app": 8000, "http": 8080, "https": 8443}
"""09 레슨의 파일 셀이 쓰는 포트: 앱(업스트림), HTTP(리디렉션), HTTPS. 실제 서버의 80·443 대신 root가 아니어도 여는 포트다.
`labs.doctor()`가 이 포트들이 비어 있는지 본다."""

CERTS = "certs"
"""설정 파일이 인증서를 부르는 상대 경로. nginx는 상대 경로를 `nginx.conf`가 있는 폴더 기준으로 읽으므로,
실습 도구가 그 폴더에 `certs` 링크(→ 실습 CA 폴더)를 둔다: `certs/server/fullchain.pem`, `certs/ca.pem`."""


def start_app(lab: str, *, port: int | None = None, echo: bool = False, timeout: float = 30.0):
    """예제 앱을 uvicorn으로 띄운다: nginx(127.0.0.1)가 보낸 `X-Forwarded-*` 헤더만 믿는다 (09 레슨).

    `echo=True`면 실행하는 명령 줄(`$ uvicorn … --proxy-headers --forwarded-allow-ips 127.0.0.1`)을 먼저 보여 준다.
    """
    from .procs import DEFAULT_ASGI, app_env, start_process

    port = port or PORTS["app"]
    argv = ["uvicorn", DEFAULT_ASGI, "--host", "127.0.0.1", "--port", str(port),
            "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]
    return start_process("uvicorn", argv, lab, port=port, env=app_env(lab), timeout=timeout, echo=echo)


def link_certs(conf_dir: Path, ca: LocalCA) -> Path:
    """`conf_dir/certs`를 CA 폴더로 잇는다 (설정 파일의 `certs/...` 상대 경로가 이 CA의 파일을 가리킨다)."""
    link = conf_dir / CERTS
    if link.is_symlink() or link.exists():
        if link.is_symlink() and Path(os.readlink(link)) == ca.folder:
            return link
        link.unlink() if link.is_symlink() or link.is_file() else shutil.rmtree(link)
    link.symlink_to(ca.folder, target_is_directory=True)
    return link


def remap_ports(text: str, ports: dict[int, int]) -> str:
    """설정 글의 포트 번호를 바꾼다 (채점기가 학습자의 파일을 빈 포트에 따로 띄울 때). 더 긴 숫자 안은 건드리지 않는다."""
    if not ports:
        return text
    pattern = r"(?<![\w.])(" + "|".join(str(p) for p in ports) + r")(?!\d)"
    return re.sub(pattern, lambda m: str(ports[int(m.group(1))]), text)


@dataclass
class Site:
    """파일 셀(`%%lab_file`)로 쓴 nginx 설정 파일들을 **그대로** `include`해 띄우는 nginx 한 벌 (09 레슨).

    실습 도구가 쓰는 것은 바깥 `nginx.conf`(pid·로그·임시 폴더와 JSON 접근 로그, `http` 블록의 `include` 줄)와
    인증서 링크(`certs`)뿐이다. 명령은 저장소 루트에서 그대로 실행할 수 있는 모양(`nginx -p … -c conf/nginx.conf`)으로
    보여 주고, **바로 그 명령**을 실행한다.
    """

    lab: str
    ca: LocalCA
    name: str = "site"
    ngx: "Nginx | None" = field(default=None, repr=False)

    @property
    def prefix(self) -> Path:
        from .nginx import _prefix

        return _prefix(self.lab, self.name)

    def argv(self, *extra: str) -> list[str]:
        from .nginx import binary
        from .procs import display_path

        return [binary(), "-p", display_path(str(self.prefix)), "-c", "conf/nginx.conf", *extra]

    @staticmethod
    def shown(argv: list[str]) -> str:
        import shlex

        return "$ " + shlex.join(["nginx", *argv[1:]])

    def _test(self, show: bool) -> "TestResult":
        from .nginx import TestResult, parse_test_output

        argv = self.argv("-t", "-q", "-e", "stderr")
        if show:
            print(self.shown(argv))
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, cwd=registry.PROJECT_ROOT)
        output = (done.stderr + done.stdout).strip()
        return TestResult(done.returncode == 0, output, parse_test_output(output), self.prefix / "conf" / "nginx.conf")

    def apply(self, *names: str, show: bool = True, timeout: float = 15.0) -> "Site":
        """파일 셀의 파일들(`names`, 셀이 마지막으로 쓴 버전)을 `include`하는 설정으로 nginx를 띄우거나 리로드한다.

        `nginx -t`를 통과하지 못하면 띄우지도 리로드하지도 않는다 (도는 nginx는 옛 설정 그대로다).
        """
        from . import tasks
        from .nginx import Nginx, listen_ports, main_config
        from .procs import display_path, start_process

        paths = [tasks.path(name, self.lab) for name in names]
        body = "\n".join(f"include {p};" for p in paths)
        prefix = self.prefix
        link_certs(prefix / "conf", self.ca)
        running = self.ngx is not None and self.ngx.alive()
        if not running:
            for log in ("access.log", "error.log"):
                (prefix / "logs" / log).unlink(missing_ok=True)
        (prefix / "conf" / "nginx.conf").write_text(main_config(prefix, body))
        if show:
            print("# conf/nginx.conf의 http 블록은 파일 셀이 쓴 파일을 그대로 읽는다:")
            for p in paths:
                print(f"#     include {display_path(str(p))};")
        result = self._test(show)
        if not result.ok:
            raise LabError(f"❌ `nginx -t`를 통과하지 못해 적용하지 않았다"
                           f"{' (도는 nginx는 옛 설정 그대로다)' if running else ''}.\n{result}")
        for warning in result.warnings:
            print(warning)
        if running:
            self._reload(show, timeout)
            return self
        ports = listen_ports("\n".join(p.read_text() for p in paths))
        if not ports:
            raise LabError("❌ 설정 파일에 `listen` 포트가 없다.")
        argv = self.argv("-e", "logs/error.log")
        if show:
            print(self.shown(argv))
        srv = start_process("nginx", argv, self.lab, port=ports[0], ready_path=None, timeout=timeout)
        self.ngx = Nginx(lab=self.lab, name=self.name, prefix=prefix, http_body=body, server=srv)
        if show:
            print(f"✅ nginx가 떴다: {', '.join(f'포트 {p}' for p in ports)}")
        return self

    def _reload(self, show: bool, timeout: float) -> None:
        """`nginx -s reload`(pid 파일을 읽어 마스터에 SIGHUP)를 그대로 실행하고, 새 워커가 옛 워커를 대신할 때까지 기다린다."""
        import time

        argv = self.argv("-s", "reload")
        if show:
            print(self.shown(argv))
        old = set(self.ngx.worker_pids())
        mark = self.ngx.error_mark()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, cwd=registry.PROJECT_ROOT)
        if done.returncode != 0:
            raise LabError(f"❌ 리로드 명령이 실패했다: {done.stderr.strip()}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            emerg = [line for line in self.ngx.errors(mark) if line.startswith("[emerg]")]
            if emerg:
                raise LabError("❌ 리로드가 실패했다 (옛 설정으로 계속 돈다):\n" + "\n".join(emerg))
            current = set(self.ngx.worker_pids())
            if current - old and not (current & old):
                if show:
                    print("✅ 리로드했다: 새 워커가 새 설정으로 연결을 받는다")
                return
            time.sleep(0.05)
        raise LabError(f"❌ {timeout:.0f}초 안에 리로드가 끝나지 않았다: 오류 로그를 확인한다.\n{self.ngx.error_log(10)}")

    def stop(self) -> None:
        if self.ngx is not None:
            self.ngx.stop()


def _write_texts(lab: str, name: str, ca: LocalCA, files: dict[str, str], extra: str = "") -> tuple[Path, str]:
    from .nginx import main_config

    prefix = Site(lab, ca, name).prefix
    conf = prefix / "conf"
    link_certs(conf, ca)
    for log in ("access.log", "error.log"):
        (prefix / "logs" / log).unlink(missing_ok=True)
    includes = []
    for fname, text in files.items():
        (conf / fname).write_text(text)
        includes.append(f"include {conf / fname};")
    body = "\n".join([extra.strip(), *includes]).strip() + "\n"
    (conf / "nginx.conf").write_text(main_config(prefix, body))
    return prefix, body


def check_texts(lab: str, name: str, ca: LocalCA, files: dict[str, str], *, show: bool = False) -> "TestResult":
    """설정 글 여러 개를 띄우지 않고 `nginx -t`로만 검사한다 (`certs/` 링크도 둔다). `show=True`면 명령을 보여 준다."""
    site = Site(lab, ca, name)
    _write_texts(lab, name, ca, files)
    return site._test(show)


def serve_texts(lab: str, name: str, ca: LocalCA, files: dict[str, str], *, extra: str = "",
                timeout: float = 15.0) -> "Nginx":
    """채점기용: 설정 글 여러 개를 접두 폴더의 `conf/`에 쓰고 `include`해 nginx를 띄운다 (명령은 보여 주지 않는다).

    `extra`는 `http` 블록에 앞서 넣을 글(채점기의 가짜 업스트림 등)이다. `nginx -t`에 실패하면 `NginxRejected`
    (메시지에 한국어로 풀어 쓴 문제)."""
    from .nginx import Nginx, listen_ports, test_config
    from .procs import start_process

    prefix, body = _write_texts(lab, name, ca, files, extra)
    conf = prefix / "conf"
    result = test_config(conf / "nginx.conf", prefix)
    if not result.ok:
        raise NginxRejected(result)
    ports = listen_ports(extra + "\n" + "\n".join(files.values()))
    srv = start_process("nginx", [_nginx_binary(), "-p", str(prefix), "-c", str(conf / "nginx.conf"),
                                  "-e", str(prefix / "logs" / "error.log")],
                        lab, port=ports[0], ready_path=None, timeout=timeout)
    return Nginx(lab=lab, name=name, prefix=prefix, http_body=body, server=srv)


def _nginx_binary() -> str:
    from .nginx import binary

    return binary()


class NginxRejected(LabError):
    """`nginx -t`가 설정을 거부했다 (`result`에 한국어로 풀어 쓴 문제)."""

    def __init__(self, result: "TestResult") -> None:
        super().__init__(str(result))
        self.result = result


def chain_sent(port: int, ca: LocalCA, *, servername: str = "localhost", echo: bool = False) -> tuple[int, str | None]:
    """`openssl s_client -showcerts`로 서버가 보낸 인증서 수와 검증 결과(`20 (unable to get …)`, `0 (ok)`)를 본다."""
    r = s_client(port, ca, servername=servername, extra=["-showcerts"], echo=echo)
    return r.output.count("-----BEGIN CERTIFICATE-----"), r.verify


# ---- HTTP/2 --------------------------------------------------------------------

HTTP2_FORMS = {
    "1.25.1 이전 형식": lambda port: [f"listen 127.0.0.1:{port} ssl http2;"],
    "1.25.1 이후 형식": lambda port: [f"listen 127.0.0.1:{port} ssl;", "http2 on;"],
}
"""HTTP/2를 켜는 두 가지 문법. `nginx.listen_tls()`는 설치된 버전에 맞는 쪽을 고른다."""


def check_http2_forms(lab: str, cert: CertFiles, *, show: bool = False) -> dict[str, "TestResult"]:
    """두 문법을 이 기계의 nginx로 각각 `nginx -t` 해 본다 (09 레슨): 어느 쪽이 통과하고 어느 쪽이 경고·오류인지.

    `show=True`면 형식마다 `listen` 줄, 실행한 `$ nginx -t …` 명령, 검사 결과를 차례로 출력한다.
    """
    from .nginx import check

    out = {}
    for label, lines in HTTP2_FORMS.items():
        # `nginx -t`는 포트를 열지 않는다: 아무 포트나 적어도 된다
        listen = lines(8443)
        body = "\n".join(["server {", *[f"    {x}" for x in listen],
                           f"    ssl_certificate     {cert.fullchain};", f"    ssl_certificate_key {cert.key};",
                           "    return 200;", "}"]) + "\n"
        if show:
            print(f"# {label}: {' '.join(listen)}")
        out[label] = check(body, lab, name="http2-form", show=show)
        if show:
            print(out[label], end="\n\n")
    return out


def curl_http_version(url: str, ca: "LocalCA", *, http2: bool = True, show: bool = True,
                      timeout: float = 15.0) -> str:
    """curl로 요청하고 협상된 HTTP 버전(`2`, `1.1`)을 돌려준다: 파이썬과 독립된 클라이언트로 확인 (09 레슨).

    `show=True`면 실행하는 명령을 `$ curl …`로 먼저 출력한다 (기계마다 다른 경로는 가린다).
    """
    from .nginx import command_line

    if shutil.which("curl") is None:
        raise LabError("❌ `curl` 명령이 없다: `apt-get install curl`")
    argv = ["curl", "-sS", "--http2" if http2 else "--http1.1", "--cacert", str(ca.ca_pem),
            "-o", "/dev/null", "-w", "%{http_version}", url]
    if show:
        print(command_line(argv))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise LabError(f"❌ curl이 실패했다 (종료 코드 {done.returncode}): {done.stderr.strip()}")
    return done.stdout.strip()


# ---- 독립 검사기 -----------------------------------------------------------------

@dataclass
class SClient:
    """`openssl s_client` 한 번의 결과."""

    ok: bool
    protocol: str | None
    cipher: str | None
    verify: str | None
    output: str


def s_client(port: int, ca: LocalCA, *, protocol: str | None = None, servername: str = "localhost",
             extra: list[str] | None = None, timeout: float = 10.0, echo: bool = False) -> SClient:
    """`openssl s_client`로 연결해 본다 (파이썬 `ssl`과 독립된 두 번째 클라이언트).

    `echo=True`면 실행하는 명령 줄(`$ openssl s_client … </dev/null`)을 먼저 보여 준다."""
    flag = {"TLSv1": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", servername,
            "-CAfile", str(ca.ca_pem), "-verify_return_error"]
    if protocol:
        argv.append(flag[protocol])
        if protocol in ("TLSv1", "TLSv1.1"):
            argv += ["-cipher", "ALL:@SECLEVEL=0"]
    argv += extra or []
    if echo:
        from .procs import command_line

        print(f"$ {command_line(argv)} </dev/null")
    try:
        done = subprocess.run(argv, input="", capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise LabError("❌ `openssl` 명령이 없다: `apt-get install openssl`") from exc
    out = done.stdout + done.stderr
    proto = re.search(r"Protocol\s*:\s*(\S+)", out) or re.search(r"New, (TLSv[\d.]+), Cipher is", out)
    cipher = re.search(r"Cipher\s*(?:is|:)\s*(\S+)", out)
    # 검증에 실패해 끊기면 세션 요약에 남은 `Verify return code: 0 (ok)`가 진짜 결과를 가린다: 오류 줄을 먼저 본다
    error = re.search(r"verify error:num=(\d+):(.*)", out)
    verify = error and re.match(r"(.*)", f"{error.group(1)} ({error.group(2).strip()})") or \
        re.search(r"Verify return code: (.*)", out)
    ok = done.returncode == 0 and cipher is not None and cipher.group(1) not in ("(NONE)", "0000")
    return SClient(ok, proto.group(1) if proto else None, cipher.group(1) if cipher else None,
                   verify.group(1).strip() if verify else None, out)


# sslyze가 내는 cryptography 경고(설치 경로가 찍힌다)는 학습자에게 필요 없는 소음이다.
_QUIET_ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def sslyze_available() -> bool:
    try:
        import sslyze  # noqa: F401
    except ImportError:
        return False
    return True


def sslyze_mozilla(port: int, ca: LocalCA, profile: str = "intermediate", timeout: float = 120.0,
                   *, echo: bool = False) -> tuple[bool, str]:
    """sslyze로 서버를 훑고 Mozilla 프로필에 맞는지 검사한다. (통과 여부, sslyze 출력)을 돌려준다.

    `echo=True`면 실행하는 명령 줄(`$ python -m sslyze …`)을 먼저 보여 준다."""
    if not sslyze_available():
        raise LabError("❌ sslyze가 설치되지 않았다: `pip install sslyze` (없으면 `s_client` 검사만 한다).")
    argv = [sys.executable, "-m", "sslyze", f"--mozilla_config={profile}", f"--certinfo_ca_file={ca.ca_pem}",
            f"localhost:{port}{{127.0.0.1}}"]
    if echo:  # `--이름=경로` 모양의 인자 안 경로도 저장소 루트 기준으로
        from .procs import command_line

        print(f"$ {command_line(argv)}".replace(str(registry.PROJECT_ROOT) + os.sep, ""))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=_QUIET_ENV)
    out = done.stdout + done.stderr
    return done.returncode == 0, out


def compliance_issues(sslyze_output: str) -> list[str]:
    """sslyze `--mozilla_config` 출력에서 어긋난 항목 이름만 뽑는다 (예: `ciphers`, `tls_versions`)."""
    section = sslyze_output.split("COMPLIANCE AGAINST", 1)[-1]
    return sorted(set(re.findall(r"^\s*\* (\w+):", section, re.M)))


def served_serial(port: int, ca: LocalCA) -> int:
    """서버가 지금 내보내는 인증서의 일련번호 (인증서 교체를 확인할 때)."""
    ctx = ca.client_context()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            der = s.getpeercert(binary_form=True)
    return x509.load_der_x509_certificate(der).serial_number


# ---- 그림 --------------------------------------------------------------------

def plot_architecture(save: str | Path | None = None) -> None:
    """시드 9절의 아키텍처 다이어그램: 클라이언트 → nginx(TLS 종료) → 앱 서버 → 백킹 서비스."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    from . import plots

    fig, ax = plt.subplots(figsize=(8, 6.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x, y, w, h, title, note, color):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.08", fc=color, ec="#333333", lw=1.2))
        ax.text(x + w / 2, y + h * 0.64, title, ha="center", va="center", fontsize=12, weight="bold")
        ax.text(x + w / 2, y + h * 0.28, note, ha="center", va="center", fontsize=9.5)

    def arrow(y0, y1, label, x=5.0):
        ax.annotate("", xy=(x, y1), xytext=(x, y0), arrowprops=dict(arrowstyle="->", lw=1.6))
        ax.text(x + 0.2, (y0 + y1) / 2, label, va="center", fontsize=9.5, color="#444444")

    box(3.0, 8.4, 4.0, 1.2, "클라이언트", "브라우저, 모바일 앱", "#e8f0fe")
    arrow(8.3, 7.1, "HTTPS (TLS 1.2/1.3, 443)")
    box(2.2, 5.6, 5.6, 1.4, "nginx", "TLS 종료 · 정적 파일 · 속도 제한 · 로드 밸런싱", "#e6f4ea")
    arrow(5.5, 4.3, "평문 HTTP (같은 호스트·내부 네트워크)\n신뢰할 수 없는 네트워크라면 mTLS")
    box(2.2, 2.8, 5.6, 1.4, "gunicorn / uvicorn", "애플리케이션 로직 (워커 여러 개)", "#fef7e0")
    ax.annotate("", xy=(3.0, 1.5), xytext=(4.0, 2.7), arrowprops=dict(arrowstyle="->", lw=1.4))
    ax.annotate("", xy=(7.0, 1.5), xytext=(6.0, 2.7), arrowprops=dict(arrowstyle="->", lw=1.4))
    box(1.2, 0.3, 3.2, 1.1, "PostgreSQL", "백킹 서비스", "#fce8e6")
    box(5.6, 0.3, 3.2, 1.1, "Redis", "백킹 서비스", "#fce8e6")
    ax.set_title("SSL/TLS 종료 아키텍처", fontsize=14)
    plots._finish(fig, save)

"""연습 문제 5: API를 위한 완전한 프로덕션 nginx 설정 (10 레슨, 04·09 레슨의 내용).

답은 `http { }` 블록 안에 들어갈 내용(`conf.d/*.conf`와 같다)이고, 기계마다 다른 값은 `{{이름}}` 자리로 둔다.
채점기가 `labs.nginx.render()`로 채운다.

| 자리 | 채점기가 넣는 값 |
| --- | --- |
| `{{HTTP_PORT}}`, `{{HTTPS_PORT}}` | 127.0.0.1의 빈 포트 두 개 (80·443 대신) |
| `{{CERT}}`, `{{KEY}}` | 로컬 CA가 발급한 인증서 체인(fullchain.pem)과 개인 키 (Let's Encrypt 대신) |
| `{{APP_PORT_1}}`~`{{APP_PORT_3}}` | 예제 앱 인스턴스 세 개의 포트 |
| `{{STATIC_ROOT}}` | 정적 파일 폴더 (예제 앱의 `static/`) |
| `{{FRONTEND_ORIGIN}}` | 허용할 프런트엔드 출처 `https://app.example.test` |

정적 기준: `nginx -t`, crossplane으로 읽은 속도 제한 설정(IP마다 `100r/m`), gixy-ng 보안 분석(MEDIUM 이상 없음).
실제 상태 기준: 비root nginx(`labs.nginx`)를 앱 세 개 앞에 띄우고 리디렉션, TLS, 로드 밸런싱, 속도 제한,
정적 파일 캐시, 공격 패턴 차단(앱까지 가지 않았는지 앱의 접근 로그로 확인), CORS(사전 요청 포함)를 요청으로 확인한다.
요청마다 127.0.0.0/8 안의 다른 출발 주소를 쓴다: 속도 제한이 다른 검사에 끼어들지 않는다.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import Blocked, Check, Session, run_tool, short, tool
from ..korean import particle

TITLE = "연습 문제 5: 완전한 nginx 설정"
ANSWER = "nginx.conf"
REQUIRES = ("nginx",)
ORIGIN = "https://app.example.test"
EVIL = "https://evil.example.test"
PLACEHOLDERS = ("HTTP_PORT", "HTTPS_PORT", "CERT", "KEY", "APP_PORT_1", "APP_PORT_2", "APP_PORT_3",
                "STATIC_ROOT", "FRONTEND_ORIGIN")
REQUIRED = ("HTTP_PORT", "HTTPS_PORT", "CERT", "KEY", "APP_PORT_1", "APP_PORT_2", "APP_PORT_3", "STATIC_ROOT")
MIN_STATIC_MAX_AGE = 7 * 24 * 3600
"""'공격적인 캐싱'의 하한: Cache-Control max-age가 7일 이상."""
RATE_BURST = 120
"""속도 제한 검사: 한 주소에서 몰아 보내는 요청 수. 분당 100건이면 버스트 허용(burst)까지 더해도 일부는 거절돼야 한다."""
GIXY_SKIP = ("worker_rlimit_nofile_vs_connections", "nginx_cves")
"""학생 답과 상관없는 지적은 뺀다: 실습 도구가 감싸는 바깥 설정(events 블록), 설치된 nginx 버전의 알려진 CVE."""

TRAVERSAL_PROBES = ("/static/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
                    "/notes/..%2F..%2F..%2Fetc/passwd", "/whoami?file=../../../../etc/passwd")
SQLI_PROBES = ("/notes?id=1%27%20OR%20%271%27%3D%271", "/notes?q=1%20UNION%20SELECT%20password%20FROM%20users",
               "/whoami?id=1;DROP%20TABLE%20notes", "/notes?id=1%20AND%20SLEEP(5)")
BENIGN = ("/whoami?lang=ko&page=2", "/info", "/health")


@dataclass
class Rendered:
    body: str
    values: dict[str, Any]
    conf: Path | None
    test: Any  # labs.nginx.TestResult
    parsed: list[dict[str, Any]] = field(default_factory=list)
    policy: list[str] = field(default_factory=list)
    """채점기가 nginx에 넘기지 않은 이유 (경로·지시어 검사에 걸린 것). 비어 있으면 통과."""


PARSER = """
import json, sys, crossplane
p = crossplane.parse("body.conf", single=True, catch_errors=False, check_ctx=False, check_args=False, comments=False)
sys.stdout.write(json.dumps({"status": p["status"], "errors": [{"error": e.get("error"), "line": e.get("line")}
                 for e in p["errors"]], "parsed": (p["config"][0]["parsed"] if p["config"] else [])}))
"""
"""crossplane으로 학생의 본문만(`single=True`: include를 따라가지 않는다) 읽는 작은 프로그램. 상자 안에서 메모리 한도로 돈다."""

FORBIDDEN = {"include": "다른 파일을 끌어들인다", "load_module": "모듈(공유 라이브러리)을 불러온다",
             "user": "워커의 사용자를 바꾼다", "env": "채점기의 환경 변수를 넘긴다", "pid": "pid 파일을 실습 폴더 밖에 쓴다",
             "lock_file": "실습 폴더 밖에 쓴다", "working_directory": "작업 폴더를 바꾼다", "daemon": "실행 방식을 바꾼다",
             "master_process": "실행 방식을 바꾼다", "error_log": "로그를 실습 폴더 밖에 쓸 수 있다",
             "http": "http 블록은 채점기가 감싼다", "events": "events 블록은 채점기가 감싼다", "stream": "stream은 문제 밖이다",
             "mail": "mail은 문제 밖이다", "ssl_engine": "하드웨어 엔진을 불러온다", "ssl_password_file": "파일을 읽는다",
             "ssl_trusted_certificate": "파일을 읽는다", "ssl_client_certificate": "파일을 읽는다", "ssl_dhparam": "파일을 읽는다",
             "ssl_crl": "파일을 읽는다", "ssl_session_ticket_key": "파일을 읽는다", "ssl_stapling_file": "파일을 읽는다",
             "auth_basic_user_file": "파일을 읽는다", "perl_modules": "코드를 불러온다", "perl_require": "코드를 불러온다",
             "js_import": "코드를 불러온다", "js_path": "코드를 불러온다"}
"""학생 본문에 쓸 수 없는 지시어와 그 까닭: 실습 폴더 밖의 파일을 읽거나 쓰거나, 코드를 불러오거나, 감싼 설정을 바꾼다."""
PASSES = ("proxy_pass", "grpc_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass", "memcached_pass")
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def policy(parsed: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """crossplane이 읽은 학생 본문을 검사한다: 실습 폴더 밖의 경로, 위험한 지시어, 자리가 아닌 listen, unix: 소켓."""
    import os.path

    ports = {str(values.get("HTTP_PORT")), str(values.get("HTTPS_PORT"))}
    static = os.path.normpath(str(values.get("STATIC_ROOT", "")))
    files = {str(values.get("CERT")), str(values.get("KEY"))}
    out: list[str] = []

    def walk(block: list[dict[str, Any]]) -> None:
        for d in block:
            name, args, line = str(d.get("directive", "")), [str(a) for a in d.get("args", [])], d.get("line", "?")
            where = f"{line}번째 줄 `{name}`"
            if name in FORBIDDEN or name.startswith(("perl", "lua", "js_")):
                out.append(f"{where}: {FORBIDDEN.get(name, '코드를 불러온다')}")
            elif name.endswith("_temp_path"):
                out.append(f"{where}: 임시 폴더는 채점기가 실습 폴더 안에 정한다")
            elif name == "access_log" and args and args[0] != "off":
                out.append(f"{where}: 접근 로그는 채점기가 실습 폴더 안에 쓴다 (`access_log off;`만 쓸 수 있다)")
            elif name in ("root", "alias") and args:
                path = os.path.normpath(args[0])
                if not (path == static or path.startswith(static + os.sep)) or ".." in args[0].split("/"):
                    out.append(f"{where}: 정적 파일 폴더({{{{STATIC_ROOT}}}}) 밖을 가리킨다")
            elif name in ("ssl_certificate", "ssl_certificate_key") and args and args[0] not in files:
                out.append(f"{where}: 인증서·키는 `{{{{CERT}}}}`·`{{{{KEY}}}}` 자리만 쓴다")
            elif name == "listen" and args:
                addr = args[0]
                host, _, port = addr.rpartition(":") if ":" in addr else ("", "", addr)
                if addr.startswith("unix:") or port not in ports or (host and host not in LOOPBACK):
                    out.append(f"{where} {addr}: `{{{{HTTP_PORT}}}}`·`{{{{HTTPS_PORT}}}}` 자리(127.0.0.1)에서만 듣는다")
            elif (name in PASSES or name == "server") and any("unix:" in a for a in args):
                out.append(f"{where}: unix: 소켓(예: Docker 소켓)으로 보낼 수 없다")
            if "block" in d:
                walk(d["block"])
    walk(parsed)
    return out


def _values(s: Session) -> dict[str, Any]:
    from ..nginx import STATIC_DIR
    from ..procs import free_port
    from ..tls import make_ca

    def go() -> dict[str, Any]:
        ca = make_ca(s.lab, name=f"ex5-{s.slug}")
        cert = ca.server()
        ports = [free_port() for _ in range(5)]
        return {"HTTP_PORT": ports[0], "HTTPS_PORT": ports[1], "CERT": cert.fullchain, "KEY": cert.key,
                "APP_PORT_1": ports[2], "APP_PORT_2": ports[3], "APP_PORT_3": ports[4], "STATIC_ROOT": STATIC_DIR,
                "FRONTEND_ORIGIN": ORIGIN, "_ca": ca}
    return s.memo("values", go)


def _placeholders(s: Session) -> tuple[bool, str]:
    used = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", s.answer()))
    unknown = sorted(used - set(PLACEHOLDERS))
    missing = [p for p in REQUIRED if p not in used]
    if unknown:
        return False, f"모르는 자리: {', '.join('{{' + u + '}}' for u in unknown)} (쓸 수 있는 것: {', '.join(PLACEHOLDERS)})"
    if missing:
        return False, f"쓰지 않은 자리: {', '.join('{{' + m + '}}' for m in missing)} — 포트·인증서 경로를 글자로 박지 않는다."
    return True, f"자리 {len(used)}개를 쓴다"


def _render(s: Session) -> Rendered:
    from ..errors import LabError
    from ..nginx import TestResult, binary, main_config, parse_test_output, render

    def go() -> Rendered:
        values = _values(s)
        try:
            body = render(s.answer(), **{k: v for k, v in values.items() if not k.startswith("_")})
        except LabError as exc:
            raise Blocked(str(exc).replace("❌ ", "")) from None
        # 1) 학생 본문만 crossplane으로 읽는다 (상자 안, include를 따라가지 않고, 메모리 256MB·20초)
        done = run_tool(s, "crossplane", [sys.executable, "-I", "-c", PARSER], files={"body.conf": body},
                        timeout=20, memory_mb=256)
        try:
            data = json.loads(done.output) if done.ok else None
        except ValueError:
            data = None
        if data is None:
            raise Blocked("설정을 읽지 못했다 (crossplane이 시간·메모리 한도 안에 끝나지 않았다).")
        if data.get("status") != "ok":
            err = (data.get("errors") or [{}])[0]
            text = str(err.get("error") or "").replace(str(s.workdir), ".")
            return Rendered(body, values, None, TestResult(False, "", []), [],
                            [f"nginx 문법으로 읽을 수 없다: {short(text, 160)}"
                             + (" (본문이 `}`로 http 블록을 닫는 것 같다)" if "unexpected \"}\"" in text else "")])
        parsed = data.get("parsed") or []
        problems = policy(parsed, values)
        if problems:
            return Rendered(body, values, None, TestResult(False, "", []), parsed, problems)
        # 2) 통과한 본문만 nginx -t (상자 안: 네트워크 없음, 접두 폴더만 쓰기, 인증서·정적 폴더는 읽기만)
        box_dir = s.workdir / "box-nginx-t"
        prefix = box_dir / "prefix"
        readonly = [Path(str(values["STATIC_ROOT"]))]
        # 인증서와 키는 상자 사용자가 읽을 수 있게 상자 폴더에 복사해 그 경로로 검사한다 (원래 키 파일은 0600이다)
        cert, key = Path(str(values["CERT"])), Path(str(values["KEY"]))
        conf_text = main_config(prefix, body).replace(str(cert), str(box_dir / "tls" / "fullchain.pem")) \
            .replace(str(key), str(box_dir / "tls" / "privkey.pem"))
        files = {f"prefix/{d}/.keep": "" for d in ("logs", "temp", "conf")}
        files |= {"prefix/conf/nginx.conf": conf_text, "tls/fullchain.pem": cert.read_text(),
                  "tls/privkey.pem": key.read_text()}
        done = run_tool(s, "nginx-t", [binary(), "-t", "-q", "-p", str(prefix), "-c", str(prefix / "conf/nginx.conf"),
                                       "-e", "stderr"], files=files, timeout=20, memory_mb=256, readonly=readonly)
        output = done.output.replace(str(prefix), "<prefix>").strip()
        test = TestResult(done.ok, output, parse_test_output(output), prefix / "conf" / "nginx.conf")
        return Rendered(body, values, prefix / "conf" / "nginx.conf", test, parsed, [])
    return s.memo("render", go)


def _nginx_t(s: Session) -> tuple[bool, str]:
    from ..nginx import display_paths

    r = _render(s)
    if r.policy:
        return False, "채점기가 nginx에 넘기지 않았다 — " + "; ".join(r.policy[:3])
    if r.test.ok:
        warn = f" (경고 {len(r.test.warnings)}개: {short(r.test.warnings[0].message, 80)})" if r.test.warnings else ""
        return True, "nginx -t 통과" + warn
    problems = [p for p in r.test.problems if p.level != "warn"] or r.test.problems
    first = problems[0] if problems else None
    text = f"{short(first.message, 160)} → {first.explanation}" if first else short(r.test.output, 160)
    return False, display_paths(f"nginx -t 실패: {text}")


def _crossplane(s: Session) -> list[dict[str, Any]]:
    def go() -> list[dict[str, Any]]:
        r = _render(s)
        if not r.parsed:
            raise Blocked(r.policy[0] if r.policy else "설정을 읽지 못했다.")
        out: list[dict[str, Any]] = []

        def walk(block: list[dict[str, Any]], ctx: tuple[str, ...]) -> None:
            for d in block:
                out.append({"directive": d["directive"], "args": d.get("args", []), "ctx": ctx})
                if "block" in d:
                    walk(d["block"], ctx + (d["directive"],))
        walk(r.parsed, ())
        return out
    return s.memo("crossplane", go)


def _rate_config(s: Session) -> tuple[bool, str]:
    dirs = _crossplane(s)
    zones = {}
    for d in dirs:
        if d["directive"] == "limit_req_zone" and len(d["args"]) >= 2:
            key = d["args"][0]
            name = next((a.split("=", 1)[1].split(":")[0] for a in d["args"] if a.startswith("zone=")), "")
            rate = next((a.split("=", 1)[1] for a in d["args"] if a.startswith("rate=")), "")
            zones[name] = (key, rate)
    if not zones:
        return False, "`limit_req_zone`이 없다."
    used = {a.split("=", 1)[1] for d in dirs if d["directive"] == "limit_req" for a in d["args"] if a.startswith("zone=")}
    good = [n for n, (key, rate) in zones.items() if key in ("$binary_remote_addr", "$remote_addr")
            and rate.replace(" ", "") == "100r/m"]
    if not good:
        desc = ", ".join(f"{n}: {k} {r}" for n, (k, r) in zones.items())
        return False, f"IP마다 분당 100건인 영역이 없다 ({desc}): `limit_req_zone $binary_remote_addr zone=api:10m rate=100r/m;`"
    if not set(good) & used:
        return False, f"영역 {good[0]}{particle(good[0], '을')} 만들었지만 `limit_req zone={good[0]}`으로 쓰는 곳이 없다."
    return True, f"`{good[0]}`: $binary_remote_addr, 100r/m, limit_req로 적용"


def _gixy(s: Session) -> tuple[bool, str]:
    r = _render(s)
    if not r.test.ok:
        raise Blocked("nginx -t를 통과하지 못해 gixy로 분석하지 않았다.")
    binary = tool("gixy")
    if binary is None:
        return False, "gixy를 찾을 수 없다: `make lab`으로 파이썬 의존성(gixy-ng)을 설치한다."
    argv = [binary, "-f", "json", "-l", "--skips", ",".join(GIXY_SKIP), str(r.conf)]
    done = run_tool(s, "gixy", argv, timeout=120, memory_mb=512,
                    readonly=[r.conf.parent.parent.parent])  # type: ignore[union-attr]  # nginx -t 상자 폴더 (읽기만)
    text = done.output
    try:
        findings = json.loads(text[text.index("["):] if "[" in text else "[]")
        if not isinstance(findings, list):
            raise ValueError
    except ValueError:
        return False, f"gixy 출력을 읽지 못했다: {short(text, 120)}"
    findings = [f for f in findings if isinstance(f, dict)]
    serious = [f for f in findings if f.get("severity") in ("MEDIUM", "HIGH")]
    if serious:
        listing = "; ".join(f"{f['severity']} {f['plugin']}: {short(f.get('reason') or f.get('summary'), 110)}"
                            for f in serious[:3])
        return False, f"gixy가 찾은 문제 {len(serious)}개 — {listing}"
    low = [f for f in findings if f not in serious]
    return True, "gixy: MEDIUM 이상 없음" + (f" (LOW {len(low)}개: {', '.join(sorted({f['plugin'] for f in low}))})"
                                             if low else "")


# ---- 실제로 띄우기 ----------------------------------------------------------------

@dataclass
class Site:
    ngx: Any
    apps: list[Any]
    values: dict[str, Any]
    ctx: ssl.SSLContext
    names: dict[int, str] = field(default_factory=dict)


def _site(s: Session) -> Site:
    from .. import nginx
    from ..errors import LabError
    from ..procs import start_uvicorn

    def go() -> Site:
        r = _render(s)
        if not r.test.ok:
            raise Blocked("nginx -t를 통과하지 못해 띄우지 않았다.")
        v = r.values
        apps = []
        for i in (1, 2, 3):
            srv = start_uvicorn(s.lab, port=v[f"APP_PORT_{i}"], env={"APP_NAME": f"app-{i}"}, timeout=45)
            s.on_cleanup(lambda srv=srv: srv.stop(timeout=5))
            apps.append(srv)
        try:
            ngx = nginx.start(s.lab, r.body, name=f"ex5-{s.slug}")
        except LabError as exc:
            raise Blocked("nginx를 띄우지 못했다: " + short(nginx.display_paths(str(exc)), 300)) from None
        s.on_cleanup(lambda: ngx.stop())
        ctx = v["_ca"].client_context()
        return Site(ngx, apps, v, ctx, {v[f"APP_PORT_{i}"]: f"app-{i}" for i in (1, 2, 3)})
    return s.need("site", go, "nginx와 앱 세 개 띄우기")


@dataclass
class Reply:
    status: int | None
    headers: dict[str, str]
    body: bytes
    error: str | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def request(site: Site, path: str, *, source: str, method: str = "GET", headers: dict[str, str] | None = None,
            tls: bool = True, conn: http.client.HTTPConnection | None = None) -> Reply:
    """경로를 고치지 않고 그대로 보내는 요청 (`..`, `%2e` 같은 공격 패턴을 정규화 없이 보낸다).

    연결 자체가 실패하면(기계가 잠깐 몹시 바쁠 때) 새 연결로 한 번 더 보낸다."""
    reply = _request_once(site, path, source=source, method=method, headers=headers, tls=tls, conn=conn)
    if reply.error and conn is None:
        time.sleep(0.5)
        reply = _request_once(site, path, source=source, method=method, headers=headers, tls=tls, conn=None)
    return reply


def _request_once(site: Site, path: str, *, source: str, method: str, headers: dict[str, str] | None,
                  tls: bool, conn: http.client.HTTPConnection | None) -> Reply:
    port = site.values["HTTPS_PORT" if tls else "HTTP_PORT"]
    c = conn or (http.client.HTTPSConnection("127.0.0.1", port, context=site.ctx, timeout=20,
                                             source_address=(source, 0)) if tls else
                 http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0)))
    try:
        c.request(method, path, headers=headers or {})
        resp = c.getresponse()
        body = resp.read()
        headers: dict[str, str] = {}
        for k, v in resp.getheaders():  # 같은 헤더가 여러 번 오면 HTTP 규칙대로 쉼표로 잇는다
            headers[k.lower()] = f"{headers[k.lower()]}, {v}" if k.lower() in headers else v
        return Reply(resp.status, headers, body)
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return Reply(None, {}, b"", f"{type(exc).__name__}: {short(str(exc), 80)}")
    finally:
        if conn is None:
            c.close()


def _redirect(s: Session) -> tuple[bool, str]:
    site = _site(s)
    r = request(site, "/whoami?x=1", source="127.0.5.1", tls=False)
    loc = r.header("location") or ""
    want = f"https://127.0.0.1:{site.values['HTTPS_PORT']}/whoami?x=1"
    ok = r.status in (301, 308) and loc == want
    return ok, (f"HTTP {r.status} → {loc.replace(str(site.values['HTTPS_PORT']), 'HTTPS_PORT')}" if ok else
                f"HTTP 요청의 응답: {r.status or r.error}, Location: {loc or '없음'} (기대: 301과 https://…:HTTPS_PORT/원래 경로)")


def _tls(s: Session) -> tuple[bool, str]:
    from ..tls import handshake

    site = _site(s)
    port = site.values["HTTPS_PORT"]
    ca = site.values["_ca"]
    modern = handshake(port, ca.client_context(), timeout=15)
    old = handshake(port, ca.client_context(maximum="TLSv1.1", seclevel0=True), request=None, timeout=15)
    r = request(site, "/health", source="127.0.5.2")
    hsts = r.header("strict-transport-security") or ""
    if not modern.ok:
        return False, f"HTTPS 핸드셰이크 실패: {modern.reason}"
    protocols = [a for d in _crossplane(s) if d["directive"] == "ssl_protocols" for a in d["args"]]
    old_conf = sorted({p for p in protocols if p in ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")})
    if old_conf:
        # 이 기계의 OpenSSL이 옛 버전을 거절해도, 설정은 옛 OpenSSL을 쓰는 서버에서 그대로 열린다.
        return False, f"설정의 `ssl_protocols`가 {' '.join(old_conf)}를 연다: `ssl_protocols TLSv1.2 TLSv1.3;`"
    if old.ok:
        return False, f"TLS 1.1 이하({old.version})도 받아 준다: `ssl_protocols TLSv1.2 TLSv1.3;`"
    m = re.search(r"max-age=(\d+)", hsts)
    if not m or int(m.group(1)) < 15552000:
        return False, f"HSTS 헤더가 없거나 짧다: {hsts or '없음'} (6개월 이상, `always`)"
    return True, f"{modern.version}, 인증서 검증 통과, TLS 1.1 이하 거부, HSTS {hsts}"


def _balanced(s: Session) -> tuple[bool, str]:
    """요청마다 고유한 표식을 쿼리에 붙여 보내고, 세 앱 **자신의 접근 로그**에서 표식을 찾아 센다 (응답 본문은 nginx가
    꾸며 낼 수 있어 믿지 않는다)."""
    site = _site(s)
    token = uuid.uuid4().hex[:10]
    answered = 0
    for i in range(24):  # 요청마다 다른 /24 대역의 출발 주소: ip_hash도 고르게 나뉘고 속도 제한에 걸리지 않는다
        answered += request(site, f"/whoami?lb={token}-{i}", source=f"127.0.{10 + i}.1").status == 200
    marker = re.compile(rf"lb={token}-(\d+)")
    seen: dict[str, set[str]] = {}
    deadline = time.monotonic() + 3  # 접근 로그는 응답 직후에 쓰인다: 늦게 쓰인 줄을 잠깐 기다린다
    while True:
        seen = {f"app-{n}": set(marker.findall(app.logs())) for n, app in enumerate(site.apps, 1)}
        if sum(map(len, seen.values())) >= answered or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    shares = ", ".join(f"{k} {len(v)}건" for k, v in seen.items())
    ok = answered > 0 and all(seen.values())
    where = f"앱 접근 로그에서 찾은 요청: {shares} (응답 200 {answered}건)"
    return ok, where if ok else f"세 인스턴스가 모두 요청을 받지 않았다. {where}"


def _rate_limited(s: Session) -> tuple[bool, str]:
    site = _site(s)
    conn = http.client.HTTPSConnection("127.0.0.1", site.values["HTTPS_PORT"], context=site.ctx, timeout=10,
                                       source_address=("127.0.6.1", 0))
    statuses: list[int | None] = []
    for _ in range(RATE_BURST):
        r = request(site, "/whoami", source="127.0.6.1", conn=conn)
        if r.error:
            conn.close()
            conn = http.client.HTTPSConnection("127.0.0.1", site.values["HTTPS_PORT"], context=site.ctx,
                                               timeout=10, source_address=("127.0.6.1", 0))
        statuses.append(r.status)
    conn.close()
    other = request(site, "/whoami", source="127.0.6.2")
    allowed = sum(1 for x in statuses if x == 200)
    rejected = [x for x in statuses if x in (429, 503)]
    if any(x in (502, 504) for x in statuses) or other.status in (502, 504):
        return False, "요청이 앱 인스턴스에 닿지 않는다 (HTTP 502): 업스트림이 `{{APP_PORT_1}}`~`{{APP_PORT_3}}`를 가리키는지 본다."
    if not rejected:
        return False, f"한 주소에서 {RATE_BURST}건을 몰아 보냈는데 거절이 없다 (허용 {allowed}건)."
    if allowed > 105:
        return False, f"{RATE_BURST}건 중 {allowed}건을 허용했다: 분당 100건보다 많다 (burst가 너무 크다)."
    if other.status != 200:
        return False, f"다른 주소의 첫 요청도 거절됐다 ({other.status}): 제한이 IP마다가 아니라 전체에 걸렸다."
    code = rejected[0]
    note = "" if code == 429 else " (429 Too Many Requests를 권한다: `limit_req_status 429;`)"
    return True, f"한 주소에서 {RATE_BURST}건: 허용 {allowed}건, 거절 {len(rejected)}건(HTTP {code}), 다른 주소는 통과{note}"


def _marker_seen(site: Site, marker: str) -> bool:
    return any(marker in app.logs() for app in site.apps)


def _static(s: Session) -> tuple[bool, str]:
    site = _site(s)
    root = Path(site.values["STATIC_ROOT"])
    marker = uuid.uuid4().hex[:10]
    r = request(site, f"/static/app.css?v={marker}", source="127.0.7.1")
    if r.status != 200:
        return False, f"/static/app.css: HTTP {r.status or r.error}"
    if r.body != (root / "app.css").read_bytes():
        return False, "/static/app.css의 내용이 정적 폴더의 파일과 다르다."
    time.sleep(0.3)
    if _marker_seen(site, marker):
        return False, "정적 파일 요청이 앱까지 갔다: nginx가 `alias`나 `root`로 직접 보내야 한다."
    cc = r.header("cache-control") or ""
    m = re.search(r"max-age=(\d+)", cc)
    age = int(m.group(1)) if m else 0
    if age < MIN_STATIC_MAX_AGE:
        return False, f"Cache-Control `{cc or '없음'}`: 정적 파일은 7일 이상(예: `expires 1y;`) 캐시한다."
    return True, f"nginx가 직접 보낸다, Cache-Control: {cc}"


def _blocked(s: Session, probes: tuple[str, ...], first_ip: int, what: str) -> tuple[bool, str]:
    site = _site(s)
    leaked, allowed = [], []
    for i, probe in enumerate(probes):
        marker = uuid.uuid4().hex[:10]
        sep = "&" if "?" in probe else "?"
        path = f"{probe}{sep}m={marker}"
        r = request(site, path, source=f"127.0.{first_ip}.{i + 1}")
        time.sleep(0.1)
        if _marker_seen(site, marker):
            leaked.append(f"{probe} → 앱까지 갔다 (HTTP {r.status})")
        elif r.status is not None and r.status < 400:
            allowed.append(f"{probe} → HTTP {r.status}")
    benign = request(site, BENIGN[0], source=f"127.0.{first_ip}.200")
    if leaked or allowed:
        return False, f"막지 못한 {what}: " + "; ".join((leaked + allowed)[:3])
    if benign.status in (502, 504):
        return False, f"평범한 요청({BENIGN[0]})이 앱에 닿지 않는다 (HTTP {benign.status}): 업스트림 포트를 본다."
    if benign.status != 200:
        return False, f"평범한 요청({BENIGN[0]})까지 막았다: HTTP {benign.status or benign.error}"
    return True, f"{what} {len(probes)}가지를 nginx에서 막았다 (앱까지 가지 않았다), 평범한 요청은 통과"


def _cors_allowed(s: Session) -> tuple[bool, str]:
    site = _site(s)
    r = request(site, "/whoami", source="127.0.4.1", headers={"Origin": ORIGIN})
    acao = r.header("access-control-allow-origin")
    if acao != ORIGIN:
        return False, f"허용한 출처의 GET에 Access-Control-Allow-Origin이 `{acao}`다 (기대: {ORIGIN})."
    vary = (r.header("vary") or "").lower()
    if "origin" not in vary:
        return False, "출처마다 응답이 다른데 `Vary: Origin`이 없다: 캐시가 다른 출처의 응답을 돌려줄 수 있다."
    p = request(site, "/notes", source="127.0.4.2", method="OPTIONS",
                headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                         "Access-Control-Request-Headers": "content-type"})
    if p.status is None or not 200 <= p.status < 300:
        return False, f"사전 요청(OPTIONS)에 HTTP {p.status or p.error}로 답했다: nginx가 204로 답한다."
    methods = (p.header("access-control-allow-methods") or "").upper()
    allow_headers = (p.header("access-control-allow-headers") or "").lower()
    if p.header("access-control-allow-origin") != ORIGIN or "POST" not in methods or "content-type" not in allow_headers:
        return False, (f"사전 요청 응답의 헤더가 모자라다: Allow-Origin={p.header('access-control-allow-origin')}, "
                       f"Allow-Methods={methods or '없음'}, Allow-Headers={allow_headers or '없음'}")
    return True, f"GET과 사전 요청(HTTP {p.status}) 모두 Allow-Origin {ORIGIN}, Vary: Origin"


def _cors_other(s: Session) -> tuple[bool, str]:
    site = _site(s)
    r = request(site, "/whoami", source="127.0.4.3", headers={"Origin": EVIL})
    p = request(site, "/notes", source="127.0.4.4", method="OPTIONS",
                headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
    bad = [x.header("access-control-allow-origin") for x in (r, p) if x.header("access-control-allow-origin")]
    if bad:
        return False, f"허용하지 않은 출처({EVIL})에도 Access-Control-Allow-Origin `{bad[0]}`{particle(bad[0], '을')} 돌려준다."
    return True, "다른 출처에는 Access-Control-Allow-Origin을 보내지 않는다"


def criteria(s: Session) -> list[Check]:
    return [
        Check("정해진 자리({{CERT}}, {{APP_PORT_1}} …)를 쓴다", 1, lambda ns: _placeholders(s),
              "포트·경로는 `{{HTTPS_PORT}}`, `{{CERT}}`처럼 자리로 둔다.", key="placeholders"),
        Check("`nginx -t`를 통과한다", 2, lambda ns: _nginx_t(s), "오류 줄 번호와 그 앞 줄의 `;`, `}`를 본다.", key="nginx_t"),
        Check("IP마다 분당 100건의 속도 제한을 설정하고 적용한다", 1, lambda ns: _rate_config(s),
              "`limit_req_zone $binary_remote_addr zone=api:10m rate=100r/m;` + `limit_req zone=api burst=20 nodelay;`", key="rate_config"),
        Check("보안 분석기(gixy-ng)가 MEDIUM 이상의 문제를 찾지 않는다", 2, lambda ns: _gixy(s),
              "흔한 원인: location 안의 add_header가 바깥 보안 헤더를 지운다, if 안의 add_header.", key="gixy"),
        Check("HTTP를 HTTPS로 리디렉션한다", 1, lambda ns: _redirect(s),
              "`return 301 https://$host:{{HTTPS_PORT}}$request_uri;`", live=True, key="redirect"),
        Check("TLS 종료: 인증서로 HTTPS, TLS 1.2 이상만, HSTS", 2, lambda ns: _tls(s),
              "`ssl_certificate {{CERT}}; ssl_protocols TLSv1.2 TLSv1.3;` + `add_header Strict-Transport-Security ... always;`",
              live=True, key="tls"),
        Check("세 인스턴스로 로드 밸런싱한다", 2, lambda ns: _balanced(s),
              "`upstream` 블록에 `{{APP_PORT_1}}`~`{{APP_PORT_3}}` 세 서버.", live=True, key="balanced"),
        Check("한 IP가 몰아 보내면 거절하고(429), 다른 IP는 통과시킨다", 2, lambda ns: _rate_limited(s),
              "속도 제한 키는 클라이언트 주소, `limit_req_status 429;`.", live=True, key="rate_limited"),
        Check("정적 파일을 nginx가 직접 보내고 오래 캐시한다", 2, lambda ns: _static(s),
              "`location /static/ { alias {{STATIC_ROOT}}/; expires 1y; }`", live=True, key="static"),
        Check("경로 탐색 공격(../, %2e%2e)을 앱까지 보내지 않고 막는다", 2,
              lambda ns: _blocked(s, TRAVERSAL_PROBES, 8, "경로 탐색"),
              "`$request_uri`(디코딩 전)를 `map`으로 검사해 403. 인코딩된 변형도 잡는다.", live=True, key="traversal"),
        Check("URL의 SQL 인젝션 흔적을 막고, 평범한 요청은 통과시킨다", 2,
              lambda ns: _blocked(s, SQLI_PROBES, 9, "SQL 인젝션 흔적"),
              "`$args`에서 `union ... select`, `' or`, `;drop`, `sleep(` 같은 패턴 (%20, %27 인코딩 포함).", live=True, key="sqli"),
        Check("허용한 프런트엔드 출처에 CORS 헤더를 준다 (사전 요청 포함)", 2, lambda ns: _cors_allowed(s),
              "`map $http_origin $cors_origin`으로 허용 출처만 돌려주고, OPTIONS는 204로 답한다.", live=True, key="cors_allowed"),
        Check("다른 출처에는 CORS를 허용하지 않는다 (`*` 금지)", 1, lambda ns: _cors_other(s),
              "`Access-Control-Allow-Origin *`나 `$http_origin`을 그대로 돌려주지 않는다.", live=True, key="cors_other"),
    ]

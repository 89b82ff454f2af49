"""04 레슨(nginx 역방향 프록시)의 체크포인트 채점기.

채점기는 학생이 쓴 설정 틀을 실제 nginx로 검사한다: `nginx -t`로 문법을 보고, 레슨이 띄운 앱 인스턴스
(`apps`) 앞에 nginx를 잠깐 띄워 실제 요청으로 동작을 확인한 뒤 멈춘다.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from .. import nginx
from ..grading import Criterion, Grader, need
from ..korean import particle
from ..procs import Server, free_port

BROKEN_SERVER = """\
server {
    listen 127.0.0.1:{{port}}
    server_name api.example.test;

    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always;

    location / {
        proxy_pass http://backnd;
        proxy_set_header Host $host;
    }

    location /static/ {
        alias {{static}}/;
        expires 30d;
        add_header Cache-Control "public";
    }
}
"""
"""체크포인트 4-1의 고장 난 server 블록: 틀린 곳이 네 군데 있다."""

CLIENT = "127.0.0.2"
"""채점기의 클라이언트 주소: 앱이 nginx(127.0.0.1)가 아니라 이 주소를 봐야 한다."""


def _apps(ns: Mapping[str, Any]) -> list[Server]:
    apps = need(ns, "apps")
    alive = [a for a in apps if isinstance(a, Server) and a.alive()]
    if not alive:
        raise RuntimeError("살아 있는 앱 인스턴스(`apps`)가 없다: 레슨 앞부분의 셀을 다시 실행한다.")
    return alive


def _upstream(apps: list[Server]) -> str:
    lines = "\n".join(f"    server 127.0.0.1:{a.port};" for a in apps)
    return f"upstream backend {{\n{lines}\n    keepalive 8;\n}}\n"


def _template(ns: Mapping[str, Any], name: str, placeholders: tuple[str, ...]) -> str:
    text = need(ns, name)
    if not isinstance(text, str):
        raise TypeError(f"`{name}`{particle(name, '은')} 설정 틀 문자열이어야 한다.")
    missing = [p for p in placeholders if "{{" + p + "}}" not in text.replace(" ", "")]
    if missing:
        raise ValueError("자리 표시가 빠졌다: " + ", ".join("{{" + p + "}}" for p in missing))
    return text


class _Probe:
    """학생 설정으로 nginx를 띄워 요청을 보내고 결과를 모은다. 같은 답은 한 번만 띄운다."""

    _cache: dict[tuple, dict[str, Any]] = {}

    @classmethod
    def run(cls, key: tuple, lab: str, name: str, body: str, probe) -> dict[str, Any]:
        if key in cls._cache:
            return cls._cache[key]
        result: dict[str, Any] = {"test": nginx.check(body, lab, name)}
        if result["test"].ok:
            ngx = nginx.prepare(lab, body, name)
            try:
                ngx.start()
                probe(ngx, result)
            except Exception as exc:  # noqa: BLE001  학생 설정이 무엇이든 채점은 끝까지 간다
                result["error"] = f"{type(exc).__name__}: {exc}"
            finally:
                ngx.stop()
        cls._cache.clear()
        cls._cache[key] = result
        return result


# ---- 체크포인트 4-1: 고장 난 server 블록 ---------------------------------------------------

def _probe_fixed(ngx: nginx.Nginx, out: dict[str, Any]) -> None:
    with nginx.client(CLIENT) as c:
        mark = ngx.mark()
        who = c.get(ngx.url("/whoami"))
        out["whoami"] = (who.status_code, nginx.served_by((ngx.access_log(mark, expect=1) or [{}])[-1], {}))
        out["debug"] = c.get(ngx.url("/debug/client")).json() if who.status_code == 200 else {}
        mark = ngx.mark()
        css = c.get(ngx.url("/static/app.css"))
        out["static"] = (css.status_code, dict(css.headers), nginx.served_by((ngx.access_log(mark, expect=1) or [{}])[-1], {}))


def _fixed_result(ns: Mapping[str, Any]) -> dict[str, Any]:
    template = _template(ns, "fixed_conf", ("port", "static"))
    apps = _apps(ns)
    port = free_port()
    body = _upstream(apps) + nginx.render(template, port=port, static=nginx.STATIC_DIR)
    key = ("4-1", template, tuple(a.port for a in apps))
    return _Probe.run(key, ns.get("LAB", "04_nginx_reverse_proxy"), "checkpoint-4-1", body, _probe_fixed)


def _has_placeholders(ns):
    _Probe._cache.clear()  # 채점할 때마다 새로 띄워 본다
    _template(ns, "fixed_conf", ("port", "static"))
    return True, ""


def _syntax_ok(ns):
    res = _fixed_result(ns)
    test = res["test"]
    return test.ok, "" if test.ok else "\n".join(str(p) for p in test.problems[:2])


def _proxied(ns):
    res = _fixed_result(ns)
    if "whoami" not in res:
        return False, res.get("error", "nginx가 뜨지 않았다 (앞 기준부터 고친다).")
    status, who = res["whoami"]
    ok = status == 200 and who != "nginx"
    return ok, "" if ok else f"/whoami → {status}: 업스트림 `backend`로 프록시되지 않았다."


def _client_address(ns):
    res = _fixed_result(ns)
    host = ((res.get("debug") or {}).get("client") or {}).get("host")
    ok = host == CLIENT
    return ok, "" if ok else f"앱이 본 클라이언트가 {host}다: `X-Forwarded-For`를 넘기지 않았다."


def _forwarded_proto(ns):
    res = _fixed_result(ns)
    headers = (res.get("debug") or {}).get("headers", {})
    ok = headers.get("x-forwarded-proto") == "http"
    return ok, "" if ok else "앱이 `X-Forwarded-Proto`를 받지 못했다: `$scheme`을 넘긴다."


def _static_security_headers(ns):
    res = _fixed_result(ns)
    if "static" not in res:
        return False, "nginx가 뜨지 않았다."
    _, headers, _ = res["static"]
    missing = [h for h in ("x-content-type-options", "x-frame-options") if h not in headers]
    return not missing, "" if not missing else (
        f"/static/ 응답에 {', '.join(missing)}{particle(', '.join(missing), '이')} 없다: 그 location에 `add_header`가 있으면 바깥 것은 상속되지 않는다.")


def _static_by_nginx(ns):
    res = _fixed_result(ns)
    if "static" not in res:
        return False, "nginx가 뜨지 않았다."
    status, headers, who = res["static"]
    ok = status == 200 and who == "nginx" and "public" in headers.get("cache-control", "")
    return ok, "" if ok else f"/static/app.css → {status}, 응답한 곳 {who}, Cache-Control {headers.get('cache-control')}"


fix_server_block = Grader("체크포인트 4-1: 고장 난 server 블록 고치기", [
    Criterion("`fixed_conf`가 `{{port}}`·`{{static}}` 자리를 가진 설정 틀이다", 1, _has_placeholders,
              "주어진 틀을 복사해 고친다."),
    Criterion("`nginx -t`를 통과한다", 2, _syntax_ok, "오류 줄 번호와 한국어 설명을 본다."),
    Criterion("`/whoami`가 nginx를 거쳐 앱에서 200으로 온다", 1, _proxied,
              "`proxy_pass`의 이름이 `upstream` 블록 이름과 같아야 한다."),
    Criterion("앱이 실제 클라이언트 주소를 본다 (`X-Forwarded-For`)", 2, _client_address,
              "`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`"),
    Criterion("앱이 원래 스킴을 안다 (`X-Forwarded-Proto`)", 1, _forwarded_proto,
              "`proxy_set_header X-Forwarded-Proto $scheme;`"),
    Criterion("정적 파일 응답에도 보안 헤더가 붙는다", 2, _static_security_headers,
              "add_header 상속 함정: 정적 파일 location에 보안 헤더를 다시 적는다."),
    Criterion("정적 파일은 nginx가 바로 주고 `Cache-Control: public`이 붙는다", 1, _static_by_nginx),
])


# ---- 체크포인트 4-2: 속도 제한과 업로드 한도 -------------------------------------------------

MB = 1024 * 1024
RATE = 5  # 정답의 초당 허용 건수 (rate=5r/s)


def _probe_limits(ngx: nginx.Nginx, out: dict[str, Any]) -> None:
    headers = {"Content-Type": "application/json"}
    with nginx.client("127.0.0.3") as c:
        out["big"] = c.post(ngx.url("/notes"), content=b"x" * (3 * MB), headers=headers).status_code
        out["medium"] = c.post(ngx.url("/notes"), content=b"x" * (MB + MB // 2), headers=headers).status_code
    # 허용 건수는 걸린 시간에 따라 달라진다 (그동안 버킷이 샌다): 바쁜 기계에서도 공정하도록 시간을 함께 잰다.
    with nginx.client(CLIENT) as c:
        t0 = time.monotonic()
        out["burst"] = [c.get(ngx.url("/info")).status_code for _ in range(30)]
        t1 = time.monotonic()
        time.sleep(1.0)  # 1초 동안 새는 만큼만 다시 허용된다: 그 수가 초당 속도다
        t2 = time.monotonic()
        out["after"] = [c.get(ngx.url("/info")).status_code for _ in range(10)]
        t3 = time.monotonic()
    out["burst_span"], out["pause"], out["after_span"] = t1 - t0, t2 - t1, t3 - t2


def _limits_result(ns: Mapping[str, Any]) -> dict[str, Any]:
    template = _template(ns, "limits_conf", ("port",))
    apps = _apps(ns)
    body = _upstream(apps) + nginx.render(template, port=free_port())
    key = ("4-2", template, tuple(a.port for a in apps))
    return _Probe.run(key, ns.get("LAB", "04_nginx_reverse_proxy"), "checkpoint-4-2", body, _probe_limits)


def _limits_syntax(ns):
    _Probe._cache.clear()
    res = _limits_result(ns)
    return res["test"].ok, "" if res["test"].ok else "\n".join(str(p) for p in res["test"].problems[:2])


def _status_429(ns):
    res = _limits_result(ns)
    codes = set(res.get("burst", [])) | set(res.get("after", []))
    ok = 429 in codes and 503 not in codes
    return ok, "" if ok else f"받은 상태 코드: {sorted(codes) or '없음'} (거절은 429여야 한다: `limit_req_status 429;`)"


def _burst(ns):
    res = _limits_result(ns)
    allowed = res.get("burst", []).count(200)
    leak = math.ceil(RATE * res.get("burst_span", 0.0))  # 보내는 동안 새어 나간 만큼 더 허용된다
    ok = 10 <= allowed <= 13 + leak
    return ok, f"연달아 보낸 30건 중 {allowed}건 허용" + ("" if ok else " (기대: 버스트 10 + 1건 안팎, 지연 없이 `nodelay`)")


def _rate(ns):
    res = _limits_result(ns)
    allowed = res.get("after", []).count(200)
    low = math.floor(RATE * res.get("pause", 1.0)) - 1
    high = math.ceil(RATE * (res.get("pause", 1.0) + res.get("after_span", 0.0))) + 2
    ok = max(low, 1) <= allowed <= high
    return ok, f"1초 쉰 뒤 10건 중 {allowed}건 허용" + ("" if ok else " (기대: 초당 5건 → 5건 안팎)")


def _body_limit(ns):
    res = _limits_result(ns)
    ok = res.get("big") == 413
    return ok, "" if ok else f"3 MB 업로드 → {res.get('big')} (기대: 413)"


def _body_allowed(ns):
    res = _limits_result(ns)
    ok = res.get("medium") not in (None, 413)
    return ok, "" if ok else f"1.5 MB 업로드 → {res.get('medium')}: 2 MB까지는 앱에 닿아야 한다 (기본값은 1 MB다)."


rate_and_body_limits = Grader("체크포인트 4-2: 속도 제한과 업로드 한도", [
    Criterion("`nginx -t`를 통과한다", 1, _limits_syntax),
    Criterion("속도 제한에 걸린 요청은 429로 거절된다", 1, _status_429, "`limit_req_status 429;` (기본값은 503)"),
    Criterion("한꺼번에 온 요청은 버스트 10건까지 지연 없이 허용된다", 2, _burst,
              "`limit_req zone=... burst=10 nodelay;`"),
    Criterion("그 뒤에는 IP마다 초당 5건이 허용된다", 2, _rate,
              "`limit_req_zone $binary_remote_addr zone=이름:10m rate=5r/s;` (http 수준)"),
    Criterion("2 MB를 넘는 업로드는 413이다", 1, _body_limit, "`client_max_body_size 2m;`"),
    Criterion("2 MB 이하 업로드는 앱까지 간다", 1, _body_allowed, "`client_max_body_size`의 기본값은 1 MB다."),
])

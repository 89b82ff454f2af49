"""nginx 실습 도구: 설치된 버전에 맞는 설정을 만들고, `nginx -t`로 검사하고, 띄우고, 리로드하고, 로그를 읽는다 (04·09 레슨).

- root가 아니어도 돈다: 레슨마다 상태 폴더 아래에 자기 접두 폴더(prefix)를 두고, pid 파일·오류 로그·
  임시 폴더를 모두 그 안에 둔다. 시스템의 `/etc/nginx`, `/var/log/nginx`는 건드리지 않는다.
- nginx는 `daemon off;`로 실습 도구의 자식 프로세스가 된다 (`labs.procs`): 정리 셀과 커널 재시작 뒤 정리가
  마스터와 워커를 남김없이 거둔다.
- 접근 로그는 한 줄에 JSON 하나다 (`upstream_addr`, `request_time` 포함): 파이썬으로 바로 센다.
- 버전에 따라 문법이 다른 곳(HTTP/2 켜는 법, 세션 티켓, 업스트림 keepalive 기본값)은 `nginx -v`를 보고 고른다.
- `show=True`를 주면 실행하는 명령(`$ nginx -t -p … -c …`)을 그대로 출력한다: 터미널에서 똑같이 해 볼 수 있다.
- 측정 도구: 설정 여러 개를 번갈아 반복해 재는 `compare_configs`(keepalive), 타임아웃을 일으키는
  `StuckUpstream`(연결을 받지 않거나 읽지 않는 업스트림), 느린 업로드 `trickle`(요청 버퍼링).
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
import signal
import socket
import string
import subprocess
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from . import registry
from .errors import LabError, missing_binary
from .korean import particle
from .procs import Server, find_binary, start_process

if TYPE_CHECKING:  # 주석에만 쓴다: 실제 import는 쓰는 함수 안에서 (import labs를 가볍게)
    import httpx
    import pandas

    from .load import LoadResult

Version = tuple[int, int, int]

STATIC_DIR = registry.PROJECT_ROOT / "sample_app" / "static"


# ---- 버전 ----------------------------------------------------------------------

@dataclass(frozen=True)
class NginxInfo:
    """설치된 nginx의 버전과 함께 빌드된/실행 중인 OpenSSL 버전."""

    version: Version
    openssl_built: str | None
    openssl_running: str | None
    binary: str

    @property
    def text(self) -> str:
        return ".".join(map(str, self.version))

    def __str__(self) -> str:
        ssl = self.openssl_running or self.openssl_built or "?"
        return f"nginx {self.text} (OpenSSL {ssl})"


def parse_version(text: str) -> Version:
    """`nginx version: nginx/1.22.1` 같은 문자열에서 (1, 22, 1)을 뽑는다."""
    m = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", text)
    if not m:
        raise ValueError(f"nginx 버전을 찾지 못했다: {text!r}")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def binary() -> str:
    path = find_binary("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if Path(p).exists()), None)
    if path is None:
        raise missing_binary("nginx", "nginx (`apt-get install nginx-light`)")
    return path


@lru_cache(maxsize=1)
def info() -> NginxInfo:
    """`nginx -V`를 읽는다 (출력은 stderr로 나온다)."""
    path = binary()
    done = subprocess.run([path, "-V"], capture_output=True, text=True, timeout=10)
    text = done.stderr + done.stdout
    built = re.search(r"built with OpenSSL (\S+)", text)
    running = re.search(r"running with OpenSSL (\S+)", text)
    return NginxInfo(parse_version(text), built.group(1) if built else None,
                     (running or built).group(1) if (running or built) else None, path)


def _v(version: Version | str | None) -> Version:
    if version is None:
        return info().version
    if isinstance(version, str):
        return parse_version(version if "nginx/" in version else f"nginx/{version}")
    return version


def http2_uses_directive(version: Version | str | None = None) -> bool:
    """1.25.1부터 `listen ... http2`는 낡은 문법이고 `http2 on;`을 쓴다."""
    return _v(version) >= (1, 25, 1)


def listen_tls(port: int, version: Version | str | None = None, *, http2: bool = True,
               host: str = "127.0.0.1") -> list[str]:
    """버전에 맞는 TLS `listen` 줄(과 필요하면 `http2 on;`)을 돌려준다.

    >>> listen_tls(443, "1.22.1")
    ['listen 127.0.0.1:443 ssl http2;']
    >>> listen_tls(443, "1.27.4")
    ['listen 127.0.0.1:443 ssl;', 'http2 on;']
    """
    addr = f"{host}:{port}" if host else str(port)
    if not http2:
        return [f"listen {addr} ssl;"]
    if http2_uses_directive(version):
        return [f"listen {addr} ssl;", "http2 on;"]
    return [f"listen {addr} ssl http2;"]


def session_tickets_safe(version: Version | str | None = None) -> bool:
    """1.23.2부터 nginx가 공유 캐시에 둔 세션 티켓 키를 스스로 바꾼다: 그 전에는 `ssl_session_tickets off;`."""
    return _v(version) >= (1, 23, 2)


def upstream_http2_supported(version: Version | str | None = None) -> bool:
    """1.29.4부터 `proxy_http_version 2;`로 업스트림에도 HTTP/2를 쓸 수 있다 (켜야만 쓴다)."""
    return _v(version) >= (1, 29, 4)


def upstream_keepalive_default(version: Version | str | None = None) -> bool:
    """1.29.7부터 업스트림 keepalive와 `proxy_http_version 1.1`이 기본값이다."""
    return _v(version) >= (1, 29, 7)


# ---- 설정 파일 -------------------------------------------------------------------

JSON_LOG_FORMAT = (
    "log_format lab_json escape=json '{'\n"
    "    '\"time\":\"$time_iso8601\",\"remote_addr\":\"$remote_addr\",\"method\":\"$request_method\",'\n"
    "    '\"uri\":\"$request_uri\",\"status\":$status,\"bytes\":$body_bytes_sent,'\n"
    "    '\"request_time\":$request_time,\"upstream_addr\":\"$upstream_addr\",'\n"
    "    '\"upstream_status\":\"$upstream_status\",\"upstream_time\":\"$upstream_response_time\",'\n"
    "    '\"upstream_connect_time\":\"$upstream_connect_time\",\"upstream_header_time\":\"$upstream_header_time\",'\n"
    "    '\"protocol\":\"$server_protocol\",\"request_length\":$request_length,'\n"
    "    '\"scheme\":\"$scheme\",\"ssl_protocol\":\"$ssl_protocol\",\"ssl_reused\":\"$ssl_session_reused\",'\n"
    "    '\"connection\":$connection,\"connection_requests\":$connection_requests,'\n"
    "    '\"xff\":\"$http_x_forwarded_for\",\"user_agent\":\"$http_user_agent\"'\n"
    "  '}';"
)


def _mime_types() -> str:
    for candidate in ("/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types", "/usr/share/nginx/mime.types"):
        if Path(candidate).exists():
            return f"include {candidate};"
    return ("types { text/html html; text/css css; application/javascript js; image/svg+xml svg; "
            "application/json json; }")


def main_config(prefix: Path, http_body: str, *, worker_processes: int = 1) -> str:
    """레슨의 `http { ... }` 본문을 감싸는 전체 설정: 접두 폴더 안의 pid·로그·임시 폴더, JSON 접근 로그."""
    p = prefix
    body = "\n".join("    " + line if line.strip() else "" for line in http_body.strip("\n").splitlines())
    return f"""# labs.nginx 가 만든 설정. 시스템 nginx와 상관없이 이 폴더만 쓴다.
daemon off;                      # 실습 도구의 자식 프로세스로 돈다 (정리하기 쉽다)
worker_processes {worker_processes};
pid {p}/nginx.pid;
error_log {p}/logs/error.log notice;
worker_shutdown_timeout 5s;      # 리로드·그레이스풀 종료 때 옛 워커를 기다리는 상한

events {{
    worker_connections 1024;
}}

http {{
    {_mime_types()}
    default_type application/octet-stream;
    sendfile on;
    server_tokens off;
    client_body_temp_path {p}/temp/body;
    proxy_temp_path {p}/temp/proxy;
    fastcgi_temp_path {p}/temp/fastcgi;
    uwsgi_temp_path {p}/temp/uwsgi;
    scgi_temp_path {p}/temp/scgi;

    {JSON_LOG_FORMAT.replace(chr(10), chr(10) + '    ')}
    access_log {p}/logs/access.log lab_json;

{body}
}}
"""


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def render(template: str, **values: object) -> str:
    """`{{port}}`처럼 이중 중괄호 자리에 값을 넣는다 (nginx의 `{ }`·`$변수`와 부딪히지 않는다)."""
    missing = sorted({m.group(1) for m in _PLACEHOLDER.finditer(template)} - set(values))
    if missing:
        raise LabError(f"❌ 설정 틀에 값이 빠졌다: {', '.join('{{' + m + '}}' for m in missing)}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def listen_ports(http_body: str) -> list[int]:
    """설정에서 `listen` 포트를 순서대로 뽑는다."""
    ports = [int(m) for m in re.findall(r"(?:^|[;{])\s*listen\s+(?:[\w.\[\]:]*:)?(\d+)\b", http_body, re.M)]
    return list(dict.fromkeys(ports))


def diff(old: str, new: str, *, context: int = 0) -> str:
    """두 설정의 바뀐 줄만 (`-` 뺀 줄, `+` 더한 줄)."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    return "\n".join(line for line in lines if not line.startswith(("---", "+++", "@@")))


# ---- nginx -t 와 한국어 설명 -------------------------------------------------------

_EXPLAIN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'unknown directive "([^"]+)"'),
     "`{0}`{0:이라}는 지시어는 없다: 철자를 확인하거나, 이 nginx 버전·빌드에 그 모듈이 있는지 (`nginx -V`) 확인한다."),
    (re.compile(r'unexpected end of file'),
     "파일이 중간에 끝났다: 닫는 `}}`가 모자라거나 마지막 지시어에 `;`이 빠졌다."),
    (re.compile(r'unexpected "}"'), "`}}`가 예상하지 못한 곳에 있다: 바로 앞 지시어 끝에 `;`이 빠졌는지 본다."),
    (re.compile(r'unexpected "([^"]+)"'), "`{0}`{0:이} 예상하지 못한 곳에 있다: 앞 줄의 `;`이나 따옴표 짝을 본다."),
    (re.compile(r'directive "([^"]+)" is not terminated by ";"'), "`{0}` 지시어 끝에 `;`이 빠졌다."),
    (re.compile(r'invalid number of arguments in "([^"]+)" directive'),
     "`{0}`에 준 값의 개수가 틀렸다: 값에 빈칸이 있으면 따옴표로 감싸고, 끝의 `;`을 확인한다."),
    (re.compile(r'"([^"]+)" directive is not allowed here'),
     "`{0}`{0:은} 이 블록 안에 둘 수 없다: `http`·`server`·`location` 중 어디에 두는 지시어인지 문서의 Context를 본다."),
    (re.compile(r'"([^"]+)" directive is duplicate'), "`{0}`{0:을} 같은 블록에 두 번 적었다: 하나만 남긴다."),
    (re.compile(r'host not found in upstream "([^"]+)"'),
     "`{0}`{0:을} 찾지 못했다: `proxy_pass http://이름`의 이름이 `upstream 이름 {{ }}` 블록과 같은지 확인한다."),
    (re.compile(r'no "ssl_certificate" is defined'),
     "`listen ... ssl`인 서버에 `ssl_certificate`가 없다: 인증서와 키 경로를 적는다."),
    (re.compile(r'cannot load certificate(?: key)? "([^"]+)"'),
     "인증서나 키 파일 `{0}`{0:을} 읽지 못했다: 경로와 권한, PEM 형식인지 확인한다."),
    (re.compile(r'invalid value "([^"]+)"'), "`{0}`{0:은} 이 지시어에 쓸 수 없는 값이다."),
    (re.compile(r'invalid parameter "([^"]+)"'), "`{0}`{0:은} 이 지시어가 모르는 매개변수다 (버전마다 다를 수 있다)."),
    (re.compile(r'unknown "([^"]+)" variable'), "`${0}` 변수는 없다: 철자를 확인한다 (`map`으로 만든 변수라면 `map`이 먼저 있어야 한다)."),
    (re.compile(r'zero size shared memory zone "([^"]+)"'),
     "`{0}` 공유 메모리 영역을 정의하지 않았다: `http` 블록에 `limit_req_zone ... zone={0}:10m ...`을 둔다."),
    (re.compile(r'duplicate location "([^"]+)"'), "`location {0}`{0:이} 두 번 있다."),
    (re.compile(r'the "listen \.\.\. http2" directive is deprecated'),
     "1.25.1부터 `listen ... http2`는 낡은 문법이다: `listen ... ssl;`과 `http2 on;`으로 나눠 쓴다."),
    (re.compile(r'"ssl_stapling" ignored, no OCSP responder URL'),
     "인증서에 OCSP 응답자 주소가 없어 스테이플링을 하지 않는다 (2025년 이후 Let's Encrypt 인증서가 이렇다): `ssl_stapling`을 뺀다."),
    (re.compile(r'bind\(\) to (\S+) failed \(98'), "`{0}` 포트를 이미 다른 프로세스가 쓰고 있다."),
    (re.compile(r'bind\(\) to (\S+) failed \(13'), "`{0}`에 바인드할 권한이 없다: 1024 이상 포트를 쓴다."),
    (re.compile(r'open\(\) "([^"]+)" failed'), "`{0}`{0:을} 열지 못했다: 경로와 권한을 확인한다."),
]

_LINE = re.compile(r"(?:nginx: |^\d{4}/\d\d/\d\d [\d:]{8} )\[(emerg|alert|crit|error|warn)\] (?:\d+#\d+: )?"
                   r"(.*?)(?: in (\S+?):(\d+))?$")


@dataclass
class Problem:
    """`nginx -t`가 보고한 문제 하나와 그 한국어 설명."""

    level: str
    message: str
    file: str | None
    line: int | None
    explanation: str

    def __str__(self) -> str:
        where = f" ({Path(self.file).name} {self.line}번째 줄)" if self.file else ""
        mark = "❌" if self.level in ("emerg", "alert", "crit", "error") else "⚠️"
        return display_paths(f"{mark} [{self.level}] {self.message}{where}\n   → {self.explanation}")


class _JosaFormatter(string.Formatter):
    """`{0:이}`처럼 조사를 형식 지정자로 쓰면 앞말에 맞는 조사(`nginx가`, `listen이`)를 고른다."""

    _READING = {";": "세미콜론", "{": "중괄호", "}": "중괄호"}  # 기호만 있는 낱말은 읽는 소리로 고른다

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec and not format_spec[0].isascii():
            return particle(self._READING.get(str(value), value), format_spec)
        return super().format_field(value, format_spec)


def explain_line(message: str) -> str:
    for pattern, text in _EXPLAIN:
        m = pattern.search(message)
        if m:
            return _JosaFormatter().format(text, *m.groups())
    return "오류 문장과 줄 번호를 보고 그 줄과 바로 앞 줄을 확인한다."


def parse_test_output(output: str) -> list[Problem]:
    problems = []
    for raw in output.splitlines():
        m = _LINE.search(raw.strip())
        if not m:
            continue
        level, message, file, line = m.groups()
        problems.append(Problem(level, message, file, int(line) if line else None, explain_line(message)))
    return problems


@dataclass
class TestResult:
    """`nginx -t`의 결과: 통과 여부, 원래 출력, 한국어로 풀어 쓴 문제 목록."""

    ok: bool
    output: str
    problems: list[Problem] = field(default_factory=list)
    conf_path: Path | None = None

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warn"]

    def __str__(self) -> str:
        head = "✅ nginx -t: 설정 문법이 맞다" if self.ok else "❌ nginx -t: 설정에 오류가 있다"
        if self.ok and self.warnings:
            head += f" (경고 {len(self.warnings)}개)"
        return "\n".join([head, *map(str, self.problems)])

    __repr__ = __str__


def _prefix(lab: str, name: str) -> Path:
    path = registry.state_dir() / "nginx" / lab / name
    for sub in ("logs", "temp", "conf"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def command_line(argv: list[str]) -> str:
    """터미널에 그대로 붙여 넣을 수 있는 명령 한 줄 (`$ nginx -t -p … -c …`). 기계마다 다른 경로는 가린다."""
    shown = [Path(argv[0]).name if argv and argv[0] == binary() else argv[0], *argv[1:]]
    return "$ " + display_paths(shlex.join(shown))


def _test_argv(conf_path: Path, prefix: Path) -> list[str]:
    return [binary(), "-t", "-q", "-p", str(prefix), "-c", str(conf_path), "-e", "stderr"]


def test_config(conf_path: Path, prefix: Path, timeout: float = 20.0, *, show: bool = False) -> TestResult:
    """`nginx -t`로 전체 설정 파일을 검사한다. `show=True`면 실행하는 명령을 먼저 출력한다."""
    argv = _test_argv(conf_path, prefix)
    if show:
        print(command_line(argv))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    output = (done.stderr + done.stdout).strip()
    return TestResult(done.returncode == 0, output, parse_test_output(output), conf_path)


def check(http_body: str, lab: str = "nginx-check", name: str = "check", *, show: bool = False) -> TestResult:
    """띄우지 않고 `http` 본문만 검사한다 (체크포인트 채점기와 노트북의 '고쳐 보기' 셀이 쓴다).

    `show=True`면 터미널에서 똑같이 해 볼 수 있게 `$ nginx -t …` 명령을 먼저 출력한다.
    """
    prefix = _prefix(lab, name)
    conf = prefix / "conf" / "nginx.conf"
    conf.write_text(main_config(prefix, http_body))
    return test_config(conf, prefix, show=show)


# ---- 실행 ----------------------------------------------------------------------

@dataclass
class Nginx:
    """실습용 nginx 한 벌: 접두 폴더, 설정, 실행 중인 마스터 프로세스, 로그.

    `with labs.nginx.start(LAB, conf) as ngx:`처럼 쓰면 블록을 나갈 때 멈춘다.
    """

    lab: str
    name: str
    prefix: Path
    http_body: str = ""
    server: Server | None = field(default=None, repr=False)

    @property
    def conf_path(self) -> Path:
        return self.prefix / "conf" / "nginx.conf"

    @property
    def access_log_path(self) -> Path:
        return self.prefix / "logs" / "access.log"

    @property
    def error_log_path(self) -> Path:
        return self.prefix / "logs" / "error.log"

    @property
    def ports(self) -> list[int]:
        return listen_ports(self.http_body)

    @property
    def port(self) -> int:
        return self.ports[0]

    def url(self, path: str = "", *, port: int | None = None, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{port or self.port}{path}"

    @property
    def pid(self) -> int | None:
        return self.server.pid if self.server else None

    def alive(self) -> bool:
        return self.server is not None and self.server.alive()

    def worker_pids(self) -> list[int]:
        return self.server.worker_pids() if self.server else []

    # ---- 설정 --------------------------------------------------------------

    def write(self, http_body: str, *, show: bool = False) -> TestResult:
        """설정을 쓰고 `nginx -t`로 검사한다. 실패해도 파일은 남겨 둔다 (어디가 틀렸는지 보려고)."""
        self.http_body = http_body
        self.conf_path.write_text(main_config(self.prefix, http_body))
        return test_config(self.conf_path, self.prefix, show=show)

    def argv(self, *extra: str) -> list[str]:
        """이 nginx를 다루는 명령 (`nginx -p 접두 폴더 -c 설정 ...`). 예: `argv("-s", "reload")`."""
        return [binary(), "-p", str(self.prefix), "-c", str(self.conf_path), *extra]

    def config_text(self) -> str:
        return self.conf_path.read_text() if self.conf_path.exists() else ""

    # ---- 시작·리로드·멈춤 -----------------------------------------------------

    def start(self, timeout: float = 20.0, *, show: bool = False) -> "Nginx":
        """`nginx -t`로 검사하고 띄운다. `show=True`면 두 명령(`$ nginx -t …`, `$ nginx -p … -c …`)을 출력한다.

        설정의 `daemon off;` 때문에 nginx는 터미널에서도 앞에서 돈다 (Ctrl+C로 멈춘다).
        """
        result = self.write(self.http_body, show=show)
        if not result.ok:
            raise LabError(f"❌ nginx 설정 검사(`nginx -t`)를 통과하지 못해 시작하지 않았다.\n{result}")
        if not self.ports:
            raise LabError("❌ 설정에 `listen` 포트가 없다.")
        argv = self.argv("-e", str(self.error_log_path))
        if show:
            print(command_line(argv))
        self.server = start_process("nginx", argv, self.lab, port=self.port, ready_path=None, timeout=timeout)
        return self

    def reload(self, http_body: str | None = None, timeout: float = 15.0, *, show: bool = False) -> None:
        """새 설정을 검사하고 SIGHUP으로 리로드한다. 새 워커가 뜨고 옛 워커가 끝날 때까지 기다린다.

        검사에 실패하면 SIGHUP을 보내지 않는다: 도는 nginx는 옛 설정 그대로 계속 돈다 (실제 운영과 같다).
        `show=True`면 터미널에서 같은 일을 하는 두 명령(`$ nginx -t …`, `$ nginx … -s reload`)을 출력한다.
        """
        if not self.alive():
            raise LabError("❌ nginx가 돌고 있지 않다: 먼저 `start()`로 띄운다.")
        result = self.write(http_body if http_body is not None else self.http_body, show=show)
        if not result.ok:
            raise LabError(f"❌ 새 설정이 `nginx -t`를 통과하지 못해 리로드하지 않았다 (옛 설정으로 계속 돈다).\n{result}")
        if show:  # `-s reload`는 pid 파일을 읽어 마스터에 SIGHUP을 보낸다: 실습 도구가 직접 보내는 신호와 같다
            print(command_line(self.argv("-s", "reload")))
        old = set(self.worker_pids())
        mark = self._error_size()
        self.server.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tail = self._error_since(mark)
            if "[emerg]" in tail:
                raise LabError("❌ 리로드가 실패했다 (옛 설정으로 계속 돈다):\n"
                               + "\n".join(line for line in tail.splitlines() if "[emerg]" in line))
            current = set(self.worker_pids())
            if current - old and not (current & old):
                for warning in result.warnings:
                    print(warning)
                return
            time.sleep(0.05)
        raise LabError(f"❌ {timeout:.0f}초 안에 리로드가 끝나지 않았다: 오류 로그를 확인한다.\n{self.error_log(10)}")

    def stop(self, graceful: bool = False, timeout: float = 10.0) -> int | None:
        """멈춘다. `graceful=True`면 SIGQUIT(처리 중인 요청을 끝내고 종료), 아니면 SIGTERM(빠른 종료)."""
        if self.server is None:
            return None
        return self.server.stop(signal.SIGQUIT if graceful else signal.SIGTERM, timeout=timeout)

    def __enter__(self) -> "Nginx":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- 로그 --------------------------------------------------------------

    def mark(self) -> int:
        """지금까지의 접근 로그 길이(바이트). `access_log(since=mark)`로 그 뒤의 줄만 읽는다."""
        return self.access_log_path.stat().st_size if self.access_log_path.exists() else 0

    def access_log(self, since: int = 0, *, expect: int | None = None, timeout: float = 5.0) -> list[dict]:
        """JSON 접근 로그를 읽어 줄마다 dict로 돌려준다.

        nginx는 응답을 보낸 *뒤에* 로그를 쓴다 (413처럼 본문을 버리며 기다리는 요청은 더 늦다).
        `expect=N`이면 N줄이 모일 때까지 최대 `timeout`초 기다린다.
        """
        deadline = time.monotonic() + timeout
        entries = self._read_access(since)
        while expect is not None and len(entries) < expect and time.monotonic() < deadline:
            time.sleep(0.05)
            entries = self._read_access(since)
        return entries

    def _read_access(self, since: int) -> list[dict]:
        if not self.access_log_path.exists():
            return []
        with open(self.access_log_path, "rb") as f:
            f.seek(since)
            data = f.read().decode(errors="replace")
        entries = []
        for line in data.splitlines():
            line = line.strip()
            if line:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    entries.append({"raw": line})
        return entries

    def error_log(self, last: int | None = None) -> str:
        if not self.error_log_path.exists():
            return ""
        lines = self.error_log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-last:] if last else lines)

    def error_mark(self) -> int:
        """지금까지의 오류 로그 길이(바이트). `errors(since=mark)`로 그 뒤의 줄만 읽는다."""
        return self._error_size()

    def errors(self, since: int = 0, *, expect: int | None = None, timeout: float = 5.0) -> list[str]:
        """오류 로그의 경고·오류 줄을 `[error] upstream timed out …`처럼 요점만 돌려준다.

        시각·pid·연결 번호, 뒤에 붙는 `client: …, request: …`, 기계마다 다른 경로는 뗀다 (`[notice]`는 뺀다).
        `expect=N`이면 N줄이 모일 때까지 최대 `timeout`초 기다린다.
        """
        deadline = time.monotonic() + timeout
        while True:
            lines = [_error_gist(line) for line in self._error_since(since).splitlines()]
            lines = [line for line in lines if line]
            if expect is None or len(lines) >= expect or time.monotonic() >= deadline:
                return lines
            time.sleep(0.05)

    def _error_size(self) -> int:
        return self.error_log_path.stat().st_size if self.error_log_path.exists() else 0

    def _error_since(self, mark: int) -> str:
        if not self.error_log_path.exists():
            return ""
        with open(self.error_log_path, "rb") as f:
            f.seek(mark)
            return f.read().decode(errors="replace")

    def __str__(self) -> str:
        return f"nginx ({', '.join(f'포트 {p}' for p in self.ports)})"


_ERROR_LINE = re.compile(r"^\d{4}/\d\d/\d\d [\d:]{8} \[(warn|error|crit|alert|emerg)\] \d+#\d+: (?:\*\d+ )?(.*)$")


def _error_gist(line: str) -> str:
    """오류 로그 한 줄의 요점: `[수준] 메시지` (요청마다 달라지는 꼬리와 임시 파일 경로는 뗀다)."""
    m = _ERROR_LINE.match(line.strip())
    if not m:
        return ""
    level, message = m.groups()
    message = message.split(", client: ", 1)[0]
    message = re.sub(r"\s+/\S+$", "", message)  # "... buffered to a temporary file /경로/0000000003"
    return f"[{level}] {display_paths(message)}"


def prepare(lab: str, http_body: str, name: str = "nginx") -> Nginx:
    """접두 폴더를 만들고 설정을 쓴다 (아직 띄우지 않는다)."""
    ngx = Nginx(lab=lab, name=name, prefix=_prefix(lab, name), http_body=http_body)
    for log in (ngx.access_log_path, ngx.error_log_path):
        log.unlink(missing_ok=True)
    return ngx


def start(lab: str, http_body: str, name: str = "nginx", timeout: float = 20.0, *, show: bool = False) -> Nginx:
    """설정을 검사하고 nginx를 띄운다. 실패하면 `nginx -t`의 오류를 한국어로 풀어 보여 준다.

    `show=True`면 실행하는 명령을 출력한다 (터미널에서 똑같이 해 볼 수 있다).
    """
    return prepare(lab, http_body, name).start(timeout=timeout, show=show)


# ---- 업스트림 연결 세기 ------------------------------------------------------------

def _tcp_pairs(ports: set[int]) -> set[frozenset]:
    try:
        conns = psutil.net_connections(kind="tcp4")
    except (psutil.AccessDenied, OSError):
        return set()
    pairs = set()
    for c in conns:
        if not c.raddr or not c.laddr or c.status == psutil.CONN_LISTEN:
            continue
        if c.laddr.port in ports or c.raddr.port in ports:
            pairs.add(frozenset({(c.laddr.ip, c.laddr.port), (c.raddr.ip, c.raddr.port)}))
    return pairs


class ConnectionCounter:
    """업스트림 포트로 새로 열린 TCP 연결 수를 센다 (keepalive 실습, 04 레슨).

    닫힌 연결은 한쪽 끝에 TIME_WAIT로 60초쯤 남는다. 그래서 전후의 연결 목록(열린 것 + TIME_WAIT)을
    비교하면 그사이 새로 연 연결을 모두 셀 수 있다. `with ConnectionCounter(ports) as c: ...; c.new`
    """

    def __init__(self, ports: list[int] | set[int]) -> None:
        self.ports = set(ports)
        self.before: set[frozenset] = set()
        self.new = 0

    def __enter__(self) -> "ConnectionCounter":
        self.before = _tcp_pairs(self.ports)
        return self

    def __exit__(self, *exc) -> None:
        self.new = len(_tcp_pairs(self.ports) - self.before)


# ---- 04 레슨: 시드의 프로덕션 설정 ------------------------------------------------------

@dataclass
class Upstream:
    """업스트림 서버 한 줄: `server 127.0.0.1:포트 weight=N [backup] [max_fails=N fail_timeout=T];`"""

    port: int
    weight: int = 1
    backup: bool = False
    max_fails: int | None = None
    fail_timeout: str | None = None

    def line(self) -> str:
        parts = [f"server 127.0.0.1:{self.port}"]
        if self.weight != 1:
            parts.append(f"weight={self.weight}")
        if self.max_fails is not None:
            parts.append(f"max_fails={self.max_fails}")
        if self.fail_timeout:
            parts.append(f"fail_timeout={self.fail_timeout}")
        if self.backup:
            parts.append("backup")
        return " ".join(parts) + ";"


SEED_HEADERS = (
    ("X-Frame-Options", "DENY", False),
    ("X-Content-Type-Options", "nosniff", False),
    ("X-XSS-Protection", '"1; mode=block"', False),
)
"""시드의 보안 헤더 (HSTS는 `hsts`로 따로 둔다). 세 번째 값은 `always` 여부."""

MODERN_HEADERS = (
    ("X-Frame-Options", "DENY", True),
    ("X-Content-Type-Options", "nosniff", True),
    ("Referrer-Policy", "strict-origin-when-cross-origin", True),
    ("Content-Security-Policy", "\"default-src 'self'; frame-ancestors 'none'; base-uri 'none'\"", True),
)
"""2026년 권장: `X-XSS-Protection`은 보내지 않고 CSP를 보낸다 (OWASP). 오류 응답에도 붙도록 `always`."""


@dataclass
class ProxyConfig:
    """시드 4절의 프로덕션 nginx 설정을 이 기계의 포트·인증서·nginx 버전에 맞게 만든다 (04 레슨).

    필드 하나가 설정의 한 부분이다: 실습은 필드를 바꿔 가며(`dataclasses.replace`) 그 효과를 잰다.
    `https_port`가 없으면 HTTP 서버 하나가 모든 것을 맡는다 (TLS 없이 보는 실습과 채점기용).
    """

    upstreams: list[Upstream]
    http_port: int
    https_port: int | None = None
    cert: Path | None = None
    key: Path | None = None
    server_name: str = "api.example.test"
    http2: bool = True
    keepalive: int | None = 32
    connection_header: str = "map"          # "upgrade"(시드: 늘 upgrade) | "map"($http_upgrade에 따라) | "none"
    websocket: bool = True                  # Upgrade·Connection 헤더를 넘기는지
    headers: tuple = MODERN_HEADERS
    hsts: str | None = "max-age=63072000"
    static_dir: Path | None = STATIC_DIR
    static_repeat_headers: bool = True      # 정적 파일 location에 보안 헤더를 다시 적는지 (add_header 상속 함정)
    client_max_body_size: str = "10M"
    client_body_buffer_size: str | None = None   # 이보다 큰 본문은 임시 파일로 (기본 8k 또는 16k)
    request_buffering: bool = True          # False면 `proxy_request_buffering off;` (본문을 받는 대로 앱에 흘린다)
    response_buffering: bool = True         # False면 `proxy_buffering off;` (응답을 받는 대로 클라이언트에 흘린다)
    proxy_connect_timeout: str = "30s"
    proxy_send_timeout: str = "60s"
    proxy_read_timeout: str = "60s"
    rate_limit: str | None = None           # 예: "10r/s" (IP마다)
    rate_burst: int = 20
    next_upstream: str | None = None        # 예: "error timeout http_502 http_503" 또는 "off"
    health_access_log: bool = False
    version: Version | None = None

    # ---- 조각 --------------------------------------------------------------

    def _upstream_block(self) -> list[str]:
        lines = ["upstream backend {"]
        lines += [f"    {u.line()}" for u in self.upstreams]
        if self.keepalive:
            lines.append(f"    keepalive {self.keepalive};")
        lines.append("}")
        return lines

    def _header_lines(self) -> list[str]:
        lines = [f"add_header {name} {value}{' always' if always else ''};" for name, value, always in self.headers]
        if self.hsts and self.https_port:
            lines.append(f'add_header Strict-Transport-Security "{self.hsts}" always;')
        return lines

    def _proxy_lines(self) -> list[str]:
        lines = [
            "proxy_pass http://backend;",
            "proxy_set_header Host $host;",
            "proxy_set_header X-Real-IP $remote_addr;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "proxy_set_header X-Forwarded-Proto $scheme;",
        ]
        if self.keepalive or self.websocket:
            lines.append("proxy_http_version 1.1;")
        if self.websocket:
            lines.append("proxy_set_header Upgrade $http_upgrade;")
        if self.connection_header == "upgrade" and self.websocket:
            lines.append('proxy_set_header Connection "upgrade";')
        elif self.connection_header == "map" or (self.keepalive and self.connection_header != "none"):
            lines.append("proxy_set_header Connection $connection_upgrade;")
        if not self.request_buffering:
            lines.append("proxy_request_buffering off;")
        if not self.response_buffering:
            lines.append("proxy_buffering off;")
        if self.next_upstream:
            lines.append(f"proxy_next_upstream {self.next_upstream};")
        return lines

    def _server_body(self) -> list[str]:
        lines = [f"server_name {self.server_name};", ""]
        if self.https_port:
            lines += [f"ssl_certificate     {self.cert};", f"ssl_certificate_key {self.key};", ""]
        lines += ["# 보안 헤더", *self._header_lines(), ""]
        lines += ["# 요청 크기 제한", f"client_max_body_size {self.client_max_body_size};"]
        if self.client_body_buffer_size:
            lines.append(f"client_body_buffer_size {self.client_body_buffer_size};")
        lines.append("")
        lines += ["# 타임아웃", f"proxy_connect_timeout {self.proxy_connect_timeout};",
                  f"proxy_send_timeout {self.proxy_send_timeout};", f"proxy_read_timeout {self.proxy_read_timeout};", ""]
        loc = ["location / {", *[f"    {x}" for x in self._proxy_lines()]]
        if self.rate_limit:
            loc.append(f"    limit_req zone=api burst={self.rate_burst} nodelay;")
            loc.append("    limit_req_status 429;")
        loc.append("}")
        lines += ["# 애플리케이션 서버로 프록시", *loc, ""]
        if self.static_dir:
            static = ["location /static/ {", f"    alias {Path(self.static_dir)}/;", "    expires 30d;",
                      '    add_header Cache-Control "public, immutable";']
            if self.static_repeat_headers:
                static += ["    # add_header를 여기 하나라도 쓰면 바깥 것은 상속되지 않는다: 다시 적는다",
                           *[f"    {x}" for x in self._header_lines()]]
            static.append("}")
            lines += ["# 정적 파일은 nginx가 직접", *static, ""]
        health = ["location = /health {", "    proxy_pass http://backend;"]
        if self.keepalive:
            health += ["    proxy_http_version 1.1;", "    proxy_set_header Connection \"\";"]
        if not self.health_access_log:
            health.append("    access_log off;")
        health.append("}")
        lines += ["# 헬스 체크는 접근 로그에 남기지 않는다", *health]
        return lines

    def render(self) -> str:
        """`http { }` 안에 들어갈 본문 (upstream, map, server 블록)."""
        out: list[str] = ["# 시드 4절의 프로덕션 설정 (labs.nginx.ProxyConfig)", *self._upstream_block(), ""]
        if self.connection_header == "map" or (self.keepalive and self.connection_header != "upgrade"):
            out += ["# Upgrade 요청일 때만 Connection: upgrade, 아니면 빈 값(업스트림 keepalive 유지)",
                    "map $http_upgrade $connection_upgrade {", "    default upgrade;", "    ''      \"\";", "}", ""]
        if self.rate_limit:
            out += ["# 클라이언트 IP마다 속도 제한",
                    f"limit_req_zone $binary_remote_addr zone=api:10m rate={self.rate_limit};", ""]
        body = [f"    {x}" if x else "" for x in self._server_body()]
        if self.https_port:
            out += ["server {", f"    listen 127.0.0.1:{self.http_port};", f"    server_name {self.server_name};",
                    "    # HTTP는 모두 HTTPS로 (실습은 443이 아닌 포트라 포트를 붙인다)",
                    f"    return 301 https://$host:{self.https_port}$request_uri;", "}", ""]
            tls = listen_tls(self.https_port, self.version, http2=self.http2)
            out += ["server {", *[f"    {x}" for x in tls], *body, "}"]
        else:
            out += ["server {", f"    listen 127.0.0.1:{self.http_port};", *body, "}"]
        return "\n".join(out) + "\n"


# ---- 04 레슨: 설정 비교 (keepalive) ---------------------------------------------------

@dataclass
class ConfigRun:
    """설정 하나로 부하를 한 번 건 결과: 클라이언트가 본 숫자와 nginx·운영 체제가 본 숫자."""

    label: str
    rep: int
    result: "LoadResult"
    new_connections: int                  # 업스트림 포트로 새로 열린 TCP 연결 (ConnectionCounter)
    connect_ms: float                     # nginx가 잰 업스트림 연결 시간의 합 (`$upstream_connect_time`, ms 단위)
    nginx_p99_ms: float                   # nginx가 잰 요청 시간(`$request_time`)의 p99
    cpu_ms: dict[str, float]              # 요청 하나에 쓴 CPU 시간(ms): nginx, 앱, 부하 생성기
    shares: dict[str, int]                # 업스트림별 응답 수


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _ms_sum(entries: list[dict], key: str) -> float:
    total = 0.0
    for e in entries:
        for part in str(e.get(key, "")).split(","):
            try:
                total += float(part.strip().split(":")[-1])
            except ValueError:
                pass
    return total * 1000


def _p(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def compare_configs(ngx: "Nginx", configs: dict[str, str], url: str, *, upstream_ports: list[int],
                    app_pids: list[int], names: dict[int, str], reps: int = 3, requests: int = 1000,
                    warmup: int = 200, concurrency: int = 10, tls: object = None) -> list[ConfigRun]:
    """설정 여러 개를 번갈아 리로드하며 같은 부하를 `reps`번씩 건다 (04 레슨 3절).

    한 번씩만 재면 순서(먼저 잰 쪽이 리로드 직후의 빈 연결 풀·TLS 핸드셰이크를 떠안는다)와 기계의 순간적인
    바쁨이 결과를 정한다. 그래서 반복마다 순서를 뒤집고(ABC, CBA, ABC …), 매번 `warmup`건을 먼저 보내 버린 뒤
    잰다. 클라이언트가 본 처리량·지연 시간과 함께 nginx의 접근 로그(업스트림 연결 시간, 요청 시간)와
    운영 체제의 숫자(새 TCP 연결 수, 프로세스별 CPU 시간)도 모은다.
    """
    from .load import load

    runs: list[ConfigRun] = []
    me = [psutil.Process().pid]
    labels = list(configs)
    for rep in range(reps):
        for label in (labels if rep % 2 == 0 else labels[::-1]):
            print(f"  {rep + 1}회째: {label}", flush=True)
            ngx.reload(configs[label])
            load(url, concurrency=concurrency, requests=warmup, tls=tls)
            pids = {"nginx": ngx.worker_pids(), "앱": list(app_pids), "부하 생성기": me}
            mark = ngx.mark()
            with ConnectionCounter(upstream_ports) as counter:  # 연결 목록을 읽는 CPU는 재는 구간 밖에 둔다
                before = {k: _cpu_seconds(v) for k, v in pids.items()}
                result = load(url, concurrency=concurrency, requests=requests, tls=tls)
                after = {k: _cpu_seconds(v) for k, v in pids.items()}
            entries = ngx.access_log(mark, expect=result.total)
            cpu = {k: (after[k] - before[k]) * 1000 / max(result.total, 1) for k in pids}
            runs.append(ConfigRun(label, rep, result, counter.new, _ms_sum(entries, "upstream_connect_time"),
                                  _p([float(e["request_time"]) * 1000 for e in entries if "request_time" in e], 99),
                                  cpu, shares(entries, names)))
    return runs


RUN_METRICS: dict[str, object] = {
    "새 업스트림 연결 수": lambda r: r.new_connections,
    "nginx가 잰 업스트림 연결 시간 합(ms)": lambda r: r.connect_ms,
    "요청당 CPU: nginx(ms)": lambda r: r.cpu_ms["nginx"],
    "요청당 CPU: 앱(ms)": lambda r: r.cpu_ms["앱"],
    "요청당 CPU: 부하 생성기(ms)": lambda r: r.cpu_ms["부하 생성기"],
    "처리량(req/s)": lambda r: r.result.throughput,
    "클라이언트가 잰 p50(ms)": lambda r: r.result.percentile(50) * 1000,
    "클라이언트가 잰 p99(ms)": lambda r: r.result.percentile(99) * 1000,
    "nginx가 잰 p99(ms)": lambda r: r.nginx_p99_ms,
}
"""`runs_table`의 줄: 이름 → ConfigRun에서 값을 꺼내는 함수."""


def metric_values(runs: list[ConfigRun], metric: str, label: str) -> list[float]:
    """설정 하나의 반복마다 잰 값 (`RUN_METRICS`의 이름)."""
    get = RUN_METRICS[metric]
    return [float(get(r)) for r in runs if r.label == label]


def runs_table(runs: list[ConfigRun]) -> "pandas.DataFrame":
    """설정별로 '중앙값 (최소~최대)'를 보여 주는 표. 범위가 겹치면 그 차이는 반복 사이의 흔들림 안에 있다."""
    import statistics

    import pandas as pd

    labels = list(dict.fromkeys(r.label for r in runs))
    table = {}
    for label in labels:
        col = {}
        for metric in RUN_METRICS:
            vals = metric_values(runs, metric, label)
            digits = 0 if max(vals) >= 100 else 2
            col[metric] = (f"{statistics.median(vals):.{digits}f} "
                           f"({min(vals):.{digits}f}~{max(vals):.{digits}f})")
        table[label] = col
    return pd.DataFrame(table)


def compare_metric(runs: list[ConfigRun], metric: str, a: str, b: str, *, higher_is_better: bool = True) -> str:
    """두 설정의 반복 측정 범위를 비교해 한국어 한 문장으로: 모든 반복에서 한쪽이 나았는지, 범위가 겹치는지."""
    va, vb = metric_values(runs, metric, a), metric_values(runs, metric, b)
    better, worse = ("높았다", "낮았다") if higher_is_better else ("낮았다", "높았다")
    if min(vb) > max(va):
        return f"{metric}: 모든 반복에서 '{b}' 쪽이 {better if higher_is_better else worse}."
    if max(vb) < min(va):
        return f"{metric}: 모든 반복에서 '{b}' 쪽이 {worse if higher_is_better else better}."
    return f"{metric}: 두 설정의 범위가 겹친다. 이 기계에서 이 차이는 반복 사이의 흔들림과 가릴 수 없다."


# ---- 04 레슨: 버퍼링과 타임아웃 --------------------------------------------------------

def trickle(data: bytes, parts: int = 5, interval: float = 0.5):
    """본문을 `parts`조각으로 나눠 조각 사이마다 `interval`초 쉬며 내보낸다: 느린 클라이언트의 업로드.

    httpx의 `content=`에 주면 길이를 모르므로 `Transfer-Encoding: chunked`로 보낸다.
    """
    size = -(-len(data) // parts)
    for i in range(parts):
        if i:
            time.sleep(interval)
        yield data[i * size:(i + 1) * size]


def send_block_size() -> int:
    """'읽지 않는 업스트림'에 보내면 nginx의 쓰기가 막히는 본문 크기 (바이트).

    nginx 쪽 소켓 송신 버퍼는 커널이 `net.ipv4.tcp_wmem`의 최댓값까지 키운다. 그 두 배에 1 MB를 더하면
    버퍼가 다 차고도 남는다 (리눅스 기본값 4 MB → 9 MB).
    """
    try:
        wmem_max = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, ValueError, IndexError):
        wmem_max = 4 * 1024 * 1024
    return 2 * wmem_max + 1024 * 1024


class StuckUpstream:
    """응답하지 않는 업스트림 하나 (04 레슨의 타임아웃 실습). 이 커널 안의 소켓이고 루프백에만 연다.

    - `mode="connect"`: 듣기(listen)만 하고 연결을 받지(accept) 않는다. 대기열을 미리 채워 두면 리눅스는
      이 포트로 오는 SYN에 답하지 않는다 (`tcp_abort_on_overflow=0`, 기본값). 연결이 맺어지지 않으므로
      nginx는 `proxy_connect_timeout`만큼 기다린다. 닫힌 포트와 다르다: 닫힌 포트는 곧바로 RST(연결 거부)다.
    - `mode="send"`: 연결은 받지만 한 바이트도 읽지 않는다 (수신 버퍼도 작게). 큰 본문을 보내던 nginx의
      쓰기가 막히므로 `proxy_send_timeout`이 걸린다.
    """

    def __init__(self, lab: str, mode: str = "connect") -> None:
        if mode not in ("connect", "send"):
            raise LabError(f"❌ 모르는 방식이다: {mode!r} ('connect' 또는 'send')")
        self.lab, self.mode = lab, mode
        self._held: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if mode == "send":
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # 받은 연결이 물려받는다
        self._listener.bind(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        registry.register(self)
        try:
            if mode == "connect":
                self._listener.listen(0)
                self._fill_backlog()
            else:
                self._listener.listen(16)
                self._listener.settimeout(0.2)
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._accept_forever, daemon=True)
                self._thread.start()
        except BaseException:
            self.stop()
            raise

    def _connects(self, timeout: float) -> bool:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.settimeout(timeout)
        try:
            probe.connect(("127.0.0.1", self.port))
            return True
        except OSError:
            return False
        finally:
            probe.close()

    def _fill_backlog(self) -> None:
        for _ in range(16):
            if not self._connects(0.3):
                return
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self._held.append(filler)
        raise LabError("❌ 이 운영 체제에서는 대기열이 찬 포트도 연결을 받아 준다: `proxy_connect_timeout` 실습을 재현할 수 없다.")

    def _accept_forever(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._held.append(conn)  # 읽지 않고 붙잡아만 둔다

    def stop(self) -> None:
        if getattr(self, "_stop", None) is not None:
            self._stop.set()
        for sock in [*self._held, self._listener]:
            try:
                sock.close()
            except OSError:
                pass
        self._held.clear()
        registry.unregister(self)

    def __enter__(self) -> "StuckUpstream":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __str__(self) -> str:
        what = "연결을 받지 않는" if self.mode == "connect" else "읽지 않는"
        return f"{what} 업스트림 (포트 {self.port})"


# ---- 노트북에서 보여 주기 ------------------------------------------------------------

def display_paths(text: str) -> str:
    """기계마다 다른 절대 경로를 `<실습 상태>`, `<프로젝트>`로 바꾼다 (노트북 출력에 기계 정보를 남기지 않는다)."""
    text = text.replace(str(registry.state_dir()), "<실습 상태>")
    return text.replace(str(registry.PROJECT_ROOT), "<프로젝트>")


def show_config(text: str, *, grep: str | None = None) -> None:
    """설정을 출력한다. `grep`을 주면 그 글자가 든 줄만."""
    lines = display_paths(text).rstrip("\n").splitlines()
    if grep:
        lines = [line for line in lines if grep in line]
    print("\n".join(lines))


def show_diff(old: str, new: str) -> None:
    """두 설정에서 바뀐 줄만 출력한다."""
    print(display_paths(diff(old, new)) or "(바뀐 줄 없음)")


def client(source: str = "127.0.0.2", *, verify: object = True, **kwargs) -> "httpx.Client":
    """출발 주소를 정한 HTTP 클라이언트. 루프백에는 127.0.0.0/8 전체가 있으므로 127.0.0.2는 '다른 클라이언트'다.

    nginx는 127.0.0.1에서 업스트림으로 연결하므로, 앱이 본 주소로 누가 보낸 요청인지 가릴 수 있다 (04 레슨).
    """
    import httpx

    transport = httpx.HTTPTransport(local_address=source, verify=verify)
    return httpx.Client(transport=transport, timeout=kwargs.pop("timeout", 15.0), **kwargs)


def served_by(entry: dict, names: dict[int, str]) -> str:
    """접근 로그 한 줄의 `upstream_addr`에서 마지막으로 답한 업스트림 이름. nginx가 직접 답했으면 'nginx'."""
    addr = (entry.get("upstream_addr") or "").split(",")[-1].strip()
    if not addr or addr == "-":
        return "nginx"
    try:
        port = int(addr.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return addr
    return names.get(port, addr)


def tried(entry: dict, names: dict[int, str]) -> list[str]:
    """접근 로그 한 줄에서 nginx가 차례로 시도한 업스트림 이름들 (`upstream_addr`의 쉼표 목록)."""
    out = []
    for addr in (entry.get("upstream_addr") or "").split(","):
        addr = addr.strip()
        if addr and addr != "-":
            out.append(served_by({"upstream_addr": addr}, names))
    return out


def shares(entries: list[dict], names: dict[int, str]) -> dict[str, int]:
    """업스트림별 응답 건수 (이름 순)."""
    counts: dict[str, int] = {name: 0 for name in names.values()}
    for e in entries:
        who = served_by(e, names)
        counts[who] = counts.get(who, 0) + 1
    return counts


def header_table(responses: dict[str, "httpx.Response"], names: list[str]) -> "pandas.DataFrame":
    """응답별로 헤더가 있는지 ✅/❌ 표로 (보안 헤더 실습)."""
    import pandas as pd

    rows = {}
    for label, resp in responses.items():
        rows[f"{label} ({resp.status_code})"] = {n: ("✅ " + resp.headers[n][:40]) if n in resp.headers else "❌"
                                                 for n in names}
    return pd.DataFrame(rows)


def ws_echo(url: str, message: str, ssl_context: object | None = None, timeout: float = 5.0) -> tuple[bool, str]:
    """WebSocket으로 연결해 메시지를 보내고 돌려받는다. (성공 여부, 받은 메시지 또는 실패 이유)."""
    from websockets.exceptions import InvalidStatus, WebSocketException
    from websockets.sync.client import connect

    try:
        with connect(url, ssl=ssl_context, open_timeout=timeout, close_timeout=1) as ws:
            ws.send(message)
            return True, str(ws.recv(timeout=timeout))
    except InvalidStatus as exc:
        return False, f"핸드셰이크 거절: HTTP {exc.response.status_code} (101 Switching Protocols가 아니다)"
    except (WebSocketException, OSError, TimeoutError) as exc:
        return False, f"{type(exc).__name__}: {exc}"


def plot_rate_limit(result, *, rate: float, burst: int, title: str = "속도 제한: 허용된 요청의 누적",
                    save: str | Path | None = None) -> None:
    """허용(2xx)·거절(429)된 요청의 누적 건수를 시간에 따라 그리고, 이론값 `burst + rate × t`를 겹친다."""
    import matplotlib.pyplot as plt

    from . import plots  # noqa: F401  (한글 글꼴 설정)

    samples = sorted(result.samples, key=lambda s: s.start + s.latency)
    t_ok, t_bad, ok, bad = [], [], 0, 0
    ys_ok, ys_bad = [], []
    for s in samples:
        t = s.start + s.latency
        if s.status == 429:
            bad += 1
            t_bad.append(t)
            ys_bad.append(bad)
        elif s.status is not None and s.status < 400:
            ok += 1
            t_ok.append(t)
            ys_ok.append(ok)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.step(t_ok, ys_ok, where="post", label="허용 (200)")
    ax.step(t_bad, ys_bad, where="post", label="거절 (429)", color="tab:red")
    end = max([0.0, *t_ok, *t_bad])
    ax.plot([0, end], [burst, burst + rate * end], "--", color="gray", label=f"이론값 {burst} + {rate:g}×t")
    ax.set_xlabel("경과 시간 (초)")
    ax.set_ylabel("누적 요청 수")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    plots._finish(fig, save)

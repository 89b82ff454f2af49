"""실습 중 자주 만나는 실패를 한국어 원인과 해결책으로 풀어 준다 (00 레슨).

실습 도구가 던지는 예외는 모두 `LabError`다. 메시지는 세 부분으로 짜인다:
무엇이 실패했나, 왜 그럴 가능성이 큰가, 무엇을 해 보면 되나.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psutil

from .korean import particle


class LabError(RuntimeError):
    """학습자에게 그대로 보여 줄 한국어 메시지를 담은 실습 오류."""


@dataclass(frozen=True)
class Explanation:
    cause: str
    fix: str

    def render(self, what: str, detail: str = "") -> str:
        lines = [f"❌ {what}", f"   원인: {self.cause}", f"   해결: {self.fix}"]
        if detail:
            lines.append("   --- 마지막 로그 ---")
            lines += [f"   {line}" for line in detail.rstrip().splitlines()]
        return "\n".join(lines)


# (로그·예외 문자열에서 찾을 패턴, 설명) — 위에서부터 먼저 맞는 것을 쓴다.
_PATTERNS: list[tuple[re.Pattern[str], Explanation]] = [
    (re.compile(r"address already in use|EADDRINUSE|Errno 98", re.I),
     Explanation("포트를 이미 다른 프로세스가 쓰고 있다.",
                 "`labs.cleanup()`으로 이전 실습을 정리하거나 다른 포트를 고른다. "
                 "누가 쓰는지는 `labs.who_uses_port(포트)`로 확인한다.")),
    (re.compile(r"Cannot connect to the Docker daemon|docker\.sock|dockerd", re.I),
     Explanation("Docker 엔진(dockerd)이 실행 중이 아니다.",
                 "`make docker` 또는 `sudo systemctl start docker`로 엔진을 켠 뒤 다시 실행한다.")),
    (re.compile(r"No such image|pull access denied|manifest unknown|not found: manifest", re.I),
     Explanation("필요한 이미지가 없고 레지스트리에서 받을 수도 없다.",
                 "`python -m labs.images prepare`로 이미지를 준비한다 "
                 "(레지스트리가 막혀 있으면 대체 이미지를 만든다).")),
    (re.compile(r"nginx: \[emerg\]|test failed", re.I),
     Explanation("nginx 설정 문법 오류다.",
                 "오류 줄에 적힌 파일과 줄 번호를 확인하고 `nginx -t`로 다시 검사한다.")),
    (re.compile(r"Permission denied|EACCES|Errno 13|Operation not permitted", re.I),
     Explanation("권한이 없다 (1024 미만 포트, 다른 사용자의 파일, 실행 비트 없음 등).",
                 "1024 이상 포트를 쓰거나, 파일 소유자와 권한(`ls -l`)을 확인한다.")),
    (re.compile(r"SECRET_KEY", re.I),
     Explanation("애플리케이션 필수 설정 `SECRET_KEY`가 비어 있다.",
                 "`SECRET_KEY` 환경 변수를 넣어 실행한다 (실습 도구는 자동으로 넣는다).")),
    (re.compile(r"ModuleNotFoundError|No module named", re.I),
     Explanation("파이썬 패키지가 설치되지 않았거나 다른 가상 환경에서 실행했다.",
                 "`make lab`으로 환경을 갱신하고 커널이 `.venv`의 것인지 확인한다.")),
    (re.compile(r"command not found|No such file or directory", re.I),
     Explanation("실행 파일이나 파일을 찾지 못했다.",
                 "`labs.doctor()`로 무엇이 설치됐는지 확인하고 README의 준비 단계를 따른다.")),
]

_GENERIC = Explanation("프로세스가 준비되기 전에 끝났다.",
                       "아래 로그의 마지막 줄에서 실제 오류를 확인한다.")


_COMMAND_FAILED = Explanation("명령이 오류로 끝났다.", "아래 출력의 마지막 줄에서 실제 오류를 확인한다.")


def explain(text: str, default: Explanation = _GENERIC) -> Explanation:
    """오류 문자열(예외 메시지나 로그)에 맞는 한국어 설명을 고른다."""
    for pattern, explanation in _PATTERNS:
        if pattern.search(text):
            return explanation
    return default


def missing_binary(name: str, package_hint: str) -> LabError:
    return LabError(Explanation(
        f"`{name}` 실행 파일이 PATH에 없다.",
        f"{package_hint} 설치 후 다시 실행한다 (`labs.doctor()`가 무엇이 빠졌는지 보여 준다).",
    ).render(f"`{name}`{particle(name, '을')} 찾을 수 없다"))


def who_uses_port(port: int) -> str | None:
    """포트를 듣고 있는 프로세스를 "이름 (pid N)"으로 알려 준다. 없으면 None."""
    try:
        conns = psutil.net_connections(kind="inet")
    except (psutil.AccessDenied, OSError):
        return None
    for c in conns:
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN:
            if c.pid is None:
                return "알 수 없는 프로세스"
            try:
                return f"{psutil.Process(c.pid).name()} (pid {c.pid})"
            except psutil.Error:
                return f"pid {c.pid}"
    return None


def port_in_use(port: int) -> LabError:
    owner = who_uses_port(port)
    who = f" — 사용 중: {owner}" if owner else ""
    return LabError(explain("address already in use").render(f"포트 {port}{particle(port, '이')} 이미 사용 중이다{who}"))

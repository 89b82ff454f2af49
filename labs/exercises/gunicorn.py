"""연습 문제 2: 초당 500건, 평균 응답 200ms, 워커당 100MB, 8코어·16GB 서버의 `gunicorn.conf.py` (10 레슨).

설정은 gunicorn 자신의 로더로 읽는다 (`labs.gunicorn_conf.load` = `gunicorn --print-config -c 파일 앱`):
파일이 정하려던 값이 아니라 gunicorn이 실제로 쓸 값을 채점한다. 오타로 버려진 이름도 잡는다.

- 용량: 리틀의 법칙으로 동시에 처리 중인 요청 = 500 × 0.2 = 100건. 워커 수 × 워커당 동시 처리 수가
  여유(`HEADROOM`)를 두고 이것을 넘어야 한다.
- 메모리: 워커 수 × 100MB가 16GB의 절반(나머지는 OS, 페이지 캐시, nginx, 배포 중 겹치는 새 워커 몫)을 넘지 않는다.
- 워커 클래스: FastAPI는 ASGI 앱이다. ASGI 워커(`uvicorn_worker.UvicornWorker`, gunicorn의 `asgi`)라야 하고,
  그런 워커에서 `threads`는 의미가 없다.
- 워커 수: 8코어 서버의 ASGI 워커는 코어당 하나 안팎(8~12개, 01 레슨). 시드의 2×CPU+1(17)은 sync 워커의 규칙이다.
  설정 파일은 채점 기계와 상관없이 8코어 서버에서 읽은 것처럼 읽는다 (상자 안에서 `cpu_count()`가 8을 돌려준다).
- 용량: ASGI 워커는 이벤트 루프가 요청을 나눠 든다. `worker_connections`는 uvicorn 워커가 쓰지 않으므로 세지 않는다.
- 설정 파일은 파이썬 코드다: `labs.sandbox`의 상자 안에서(네트워크 없음, 제 폴더만 쓰기, 메모리·시간 한도) 읽는다.
- 실제로 띄우기: 이 기계는 2코어라 워커 수만 명령행(`--workers 2`)으로 줄여 예제 앱을 띄운다.
"""

from __future__ import annotations

import io
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

from .common import Blocked, Check, Session, run_tool, short
from ..korean import particle

TITLE = "연습 문제 2: gunicorn 설정"
ANSWER = "gunicorn.conf.py"
REQUIRES: tuple[str, ...] = ()
APP = "sample_app.main:app"

RPS, LATENCY_S, WORKER_MB, CORES, RAM_MB = 500, 0.2, 100, 8, 16 * 1024
NEED = RPS * LATENCY_S
"""리틀의 법칙: 동시에 처리 중인 요청 수 = 도착률 × 평균 응답 시간 = 100."""
HEADROOM = 1.25
MEMORY_SHARE = 0.5
MIN_RECYCLE_S = 60
"""워커 하나가 재시작하는 간격의 하한(초): max_requests ÷ (초당 요청 ÷ 워커 수)."""
APP_ENV = {"SECRET_KEY": "lab-only-secret-not-for-production", "ENVIRONMENT": "lab",
           "DATABASE_URL": "sqlite+aiosqlite:///./config-check.db"}
"""`--print-config`가 앱을 불러와 볼 때 주는 환경 (채점기의 환경 변수는 상자에 들어가지 않는다)."""
ASGI_PER_LOOP = 50
"""ASGI 워커 하나(이벤트 루프)가 함께 들고 있어도 되는 요청 수의 상한 (200ms 응답이면 루프 하나에 초당 약 250건)."""
LIVE_WORKERS = 2
"""이 기계(2코어)에서 띄울 때 쓰는 워커 수. 나머지 설정은 파일 그대로다."""

ASGI_CLASSES = {"uvicorn_worker.UvicornWorker", "uvicorn_worker.UvicornH11Worker", "asgi",
                "gunicorn.workers.gasgi.ASGIWorker"}
DEPRECATED = {"uvicorn.workers.UvicornWorker": "uvicorn_worker.UvicornWorker",
              "uvicorn.workers.UvicornH11Worker": "uvicorn_worker.UvicornH11Worker"}


@dataclass
class Loaded:
    path: object
    cfg: object  # labs.gunicorn_conf.GunicornConfig


LOADER = """
import os, sys
# 문제의 서버(8코어)에서 읽은 것처럼: 채점 기계의 코어 수와 상관없이 cpu_count()는 8이다.
os.cpu_count = lambda: {cores}
os.sched_getaffinity = lambda pid=0: set(range({cores}))
import multiprocessing
multiprocessing.cpu_count = lambda: {cores}
from gunicorn.app.wsgiapp import run
sys.argv = ["gunicorn", "--print-config", "-c", "gunicorn.conf.py", "{app}"]
run()
"""
"""상자 안에서 `gunicorn --print-config`를 실행하는 작은 프로그램 (`python -I -c`로: 쓸 수 있는 폴더에서 가져오지 않는다)."""


def _load(s: Session) -> Loaded:
    from ..gunicorn_conf import GunicornConfig, assigned_names

    def go() -> Loaded:
        text = s.answer()
        path = s.file("gunicorn.conf.py", text)
        try:
            compile(text, "gunicorn.conf.py", "exec")
        except SyntaxError as exc:
            raise Blocked(f"파이썬 문법 오류: {exc.lineno}번째 줄 {exc.msg}") from None
        except (ValueError, RecursionError, MemoryError):
            raise Blocked("파이썬으로 읽을 수 없는 파일이다.") from None
        # 학생의 설정 파일은 파이썬 코드다: 채점기 프로세스가 아니라 상자 안에서, 네트워크 없이, 제 폴더만 쓰며 실행한다.
        done = run_tool(s, "gunicorn", [sys.executable, "-I", "-c", LOADER.format(cores=CORES, app=APP)],
                        files={"gunicorn.conf.py": text}, timeout=30, memory_mb=768, kit=True, env=APP_ENV)
        if done.timed_out:
            raise Blocked("gunicorn이 30초 안에 설정을 읽지 못했다: 설정 파일이 무언가를 기다리는지 본다.")
        settings: dict[str, str] = {}
        for line in done.output.splitlines():
            key, sep, value = line.partition(" = ")
            if sep and key.strip().isidentifier():
                settings[key.strip()] = value.strip()
        if done.returncode != 0 or "workers" not in settings:
            lines = [ln.strip() for ln in done.output.splitlines() if ln.strip() and "!!!" not in ln]
            tail = short(" / ".join(lines[-2:]).replace(str(Path(path).parent), "."), 200)
            raise Blocked(f"gunicorn이 설정을 받아들이지 않았다 (종료 코드 {done.returncode}): {tail}")
        return Loaded(path, GunicornConfig(Path(path), APP, settings, assigned_names(path)))
    return s.need("load", go, "gunicorn 설정 읽기")


def _get(s: Session, key: str):
    return _load(s).cfg.get(key)


def _accepted(s: Session) -> tuple[bool, str]:
    cfg = _load(s).cfg
    if cfg.ignored:
        return False, f"gunicorn이 모르는 이름이라 조용히 버려졌다: {', '.join(cfg.ignored)} (철자를 확인한다)"
    return True, f"gunicorn이 받아들인 설정 {len(cfg.known)}개"


def _worker_class(s: Session) -> tuple[bool, str]:
    wc = str(_get(s, "worker_class"))
    threads = int(_get(s, "threads") or 1)
    if wc in DEPRECATED:
        return False, f"`{wc}`는 uvicorn 0.30부터 폐기 예정이다: `{DEPRECATED[wc]}`(uvicorn-worker 패키지)를 쓴다."
    if wc not in ASGI_CLASSES:
        return False, (f"`{wc}`는 WSGI 워커라 FastAPI(ASGI) 앱을 돌릴 수 없다: "
                       "`uvicorn_worker.UvicornWorker`나 gunicorn의 `asgi` 워커를 쓴다.")
    if threads > 1:
        return False, f"ASGI 워커는 이벤트 루프 하나로 동시 요청을 처리한다: `threads = {threads}`{particle(threads, '은')} 쓰이지 않는다."
    return True, f"{wc} (이벤트 루프 워커, threads 1)"


def _per_worker(s: Session) -> tuple[int | None, str]:
    """워커 하나가 동시에 붙잡을 수 있는 요청 수와 그 근거. ASGI 워커는 None: 이벤트 루프라 gunicorn 설정이 상한을
    정하지 않는다 (`worker_connections`는 gevent·eventlet·tornado 워커만 쓴다: uvicorn 워커는 읽지 않는다)."""
    wc = str(_get(s, "worker_class"))
    if wc in ASGI_CLASSES or wc in DEPRECATED:
        return None, "ASGI 이벤트 루프"
    if wc.startswith(("gevent", "eventlet")) or wc == "tornado":
        return int(_get(s, "worker_connections") or 1000), "worker_connections"
    if wc == "gthread":
        return int(_get(s, "threads") or 1), "threads"
    return 1, "sync 워커"


def _capacity(s: Session) -> tuple[bool, str]:
    workers = int(_get(s, "workers"))
    per, why = _per_worker(s)
    need = NEED * HEADROOM
    if per is None:
        # 이벤트 루프 워커는 기다리는 요청을 수십·수백 건 함께 든다: 용량은 워커 수(코어)로 정해진다.
        share = NEED / max(workers, 1)
        ok = workers >= 1 and share <= ASGI_PER_LOOP
        return ok, (f"ASGI 워커 {workers}개가 동시 요청 {NEED:g}건을 나눠 든다 (워커마다 약 {share:.0f}건 ≤ {ASGI_PER_LOOP}건; "
                    "worker_connections는 uvicorn 워커가 쓰지 않아 세지 않는다)" if ok else
                    f"워커 {workers}개로는 이벤트 루프마다 {share:.0f}건을 든다 (> {ASGI_PER_LOOP}건).")
    cap = workers * per
    ok = cap >= need
    return ok, (f"워커 {workers} × 워커당 동시 {per}({why}) = {cap} ≥ 필요 {NEED:g} × 여유 {HEADROOM:g} = {need:g}"
                if ok else f"워커 {workers} × 워커당 동시 {per}({why}) = {cap} < {need:g} (리틀의 법칙: {RPS} × "
                f"{LATENCY_S} = {NEED:g}, 여유 {HEADROOM:g}배)")


WORKERS_RANGE = (CORES, CORES + CORES // 2)
"""ASGI 워커 수의 범위 (01 레슨: 비동기 워커는 코어당 1개 안팎). 2×코어+1은 sync 워커의 규칙이라 넘는다."""


def _workers(s: Session) -> tuple[bool, str]:
    workers = int(_get(s, "workers"))
    low, high = WORKERS_RANGE
    if low <= workers <= high:
        return True, f"워커 {workers}개 ({CORES}코어 서버의 ASGI 워커: 코어당 1개 안팎, {low}~{high}개)"
    hint = ""
    if workers == 2 * CORES + 1:
        hint = " 2×코어+1은 요청 하나에 프로세스 하나가 묶이는 sync 워커의 경험칙이다: 이벤트 루프 워커는 코어당 하나면 된다."
    elif workers < low:
        hint = " 배포할 서버(8코어)를 기준으로 명시적으로 정한다 (채점은 8코어 서버에서 읽은 것처럼 cpu_count()=8로 한다)."
    return False, f"워커 {workers}개: {CORES}코어 서버의 ASGI 워커는 {low}~{high}개가 맞다.{hint}"


def _memory(s: Session) -> tuple[bool, str]:
    workers = int(_get(s, "workers"))
    used = workers * WORKER_MB
    budget = RAM_MB * MEMORY_SHARE
    ok = used <= budget
    return ok, (f"워커 {workers} × {WORKER_MB}MB = {used}MB ≤ 예산 {budget:.0f}MB (RAM {RAM_MB // 1024}GB의 "
                f"{MEMORY_SHARE:.0%})" if ok else f"{used}MB로 메모리 예산 {budget:.0f}MB를 넘는다.")


def _timeouts(s: Session) -> tuple[bool, str]:
    cfg = _load(s).cfg
    missing = [k for k in ("timeout", "graceful_timeout") if k not in cfg.assigned]
    if missing:
        return False, f"`{'`, `'.join(missing)}`{particle('`, `'.join(missing), '을')} 파일에서 정하지 않았다 (기본값에 기대지 않고 근거와 함께 정한다)."
    timeout, graceful = int(_get(s, "timeout")), int(_get(s, "graceful_timeout"))
    if not 10 <= timeout <= 120:
        return False, f"timeout {timeout}초: 평균 응답 {LATENCY_S}초인 API에는 10~120초가 맞다 (멈춘 워커를 너무 늦게 또는 너무 일찍 죽인다)."
    if not 1 <= graceful <= timeout:
        return False, f"graceful_timeout {graceful}초: 1초 이상, timeout({timeout}초) 이하로 둔다."
    return True, f"timeout {timeout}초, graceful_timeout {graceful}초"


def _recycling(s: Session) -> tuple[bool, str]:
    mr, jitter = int(_get(s, "max_requests") or 0), int(_get(s, "max_requests_jitter") or 0)
    if mr <= 0:
        return False, "`max_requests`가 0이다: 워커를 주기적으로 새로 띄우지 않는다 (느린 메모리 누수가 쌓인다)."
    workers = max(int(_get(s, "workers")), 1)
    every = mr / (RPS / workers)
    if every < MIN_RECYCLE_S:
        return False, (f"max_requests {mr}: 초당 {RPS}건을 워커 {workers}개가 나누면 워커마다 {every:.0f}초에 한 번 "
                       f"재시작한다 (워커 풀 전체로는 {every / workers:.1f}초마다). {MIN_RECYCLE_S}초 이상 간격이 되게 늘린다.")
    if not 0 < jitter <= mr // 2:
        return False, f"max_requests_jitter {jitter}: 0보다 크고 max_requests의 절반 이하로 둬야 워커들이 동시에 재시작하지 않는다."
    return True, f"max_requests {mr} (워커마다 약 {every / 60:.0f}분에 한 번), 지터 {jitter}"


def _logging(s: Session) -> tuple[bool, str]:
    access, error, level = _get(s, "accesslog"), _get(s, "errorlog"), str(_get(s, "loglevel") or "")
    if access in (None, "None", ""):
        return False, "접근 로그(`accesslog`)가 꺼져 있다: 컨테이너에서는 `\"-\"`(표준 출력)."
    if error in (None, "None", ""):
        return False, "`errorlog`가 없다."
    if level.lower() not in ("info", "warning"):
        return False, f"loglevel `{level}`: 프로덕션은 info나 warning."
    return True, f"accesslog {access}, errorlog {error}, loglevel {level}"


def comment_lines(text: str) -> set[int]:
    """주석이 있는 줄 번호들."""
    lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                lines.add(tok.start[0])
    except (tokenize.TokenError, IndentationError):
        pass
    return lines


def _rationale(s: Session) -> tuple[bool, str]:
    import ast

    from ..gunicorn_conf import known_settings

    text = s.answer()
    tree = ast.parse(text)
    comments = comment_lines(text)
    lines = text.splitlines()
    # 바로 위 줄은 주석만 있는 줄이어야 한다 (윗 설정의 줄 끝 주석은 그 설정의 근거다)
    full_line = {n for n in comments if lines[n - 1].lstrip().startswith("#")}
    missing = []
    count = 0
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name) and t.id in known_settings()]
        if not names:
            continue
        count += 1
        # 같은 줄(끝의 주석)이나 바로 위 줄(들)의 주석을 근거로 본다
        span = set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        if not (span & comments or node.lineno - 1 in full_line):
            missing.append(names[0])
    if count == 0:
        return False, "gunicorn 설정을 하나도 정하지 않았다."
    if missing:
        return False, f"근거 주석이 없는 설정: {', '.join(missing)} (같은 줄 끝이나 바로 위 줄에 `# 근거`를 쓴다)"
    return True, f"설정 {count}개 모두 근거 주석이 있다"


def _starts(s: Session) -> tuple[bool, str]:
    import json
    import urllib.request

    from ..errors import LabError
    from ..gunicorn_conf import start_with_config

    loaded = _load(s)
    try:
        srv = start_with_config(s.lab, loaded.path, APP, args=["--workers", str(LIVE_WORKERS)], timeout=15)
    except LabError as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        return False, "gunicorn이 이 설정으로 앱을 띄우지 못했다: " + short(" / ".join(lines[:2] + lines[-3:]), 300)
    s.on_cleanup(lambda: srv.stop(timeout=10))
    try:
        with urllib.request.urlopen(srv.url + "/whoami", timeout=5) as r:
            who = json.loads(r.read())
    except (OSError, ValueError) as exc:
        tail = " / ".join(line.strip() for line in srv.logs(4).splitlines() if line.strip())
        return False, (f"gunicorn은 떴지만 /whoami가 실패했다 ({short(exc, 80)}): 워커 클래스가 앱(ASGI)에 맞는지 본다. "
                       f"로그: {short(tail, 200)}")
    workers = srv.worker_pids()
    ok = len(workers) == LIVE_WORKERS and who.get("pid") in workers
    return ok, (f"이 기계(2코어)에 맞게 워커만 {LIVE_WORKERS}개로 줄여 띄웠다: /whoami를 워커가 답했다" if ok
                else f"워커 {len(workers)}개, /whoami 응답 pid가 워커가 아니다")


def criteria(s: Session) -> list[Check]:
    return [
        Check("gunicorn이 설정 파일을 받아들이고, 모르는 이름(오타)이 없다", 2, lambda ns: _accepted(s),
              "gunicorn 설정 이름은 문서의 Settings 목록과 같아야 한다 (`worker_class`, `max_requests_jitter` …).", key="accepted"),
        Check("워커 클래스가 FastAPI(ASGI)에 맞고, threads를 섞지 않는다", 2, lambda ns: _worker_class(s),
              "`worker_class = \"uvicorn_worker.UvicornWorker\"`", key="worker_class"),
        Check(f"동시 처리 용량이 리틀의 법칙으로 구한 {NEED:g}건을 여유 있게 넘는다", 2, lambda ns: _capacity(s),
              f"동시 요청 = {RPS} req/s × {LATENCY_S}s. ASGI 워커는 이벤트 루프가 나눠 든다 (worker_connections는 쓰지 않는다).",
              key="capacity"),
        Check(f"워커 수가 {CORES}코어 서버의 ASGI 워커에 맞다 (코어당 1개 안팎: {WORKERS_RANGE[0]}~{WORKERS_RANGE[1]}개)", 2,
              lambda ns: _workers(s),
              "비동기 워커는 코어당 하나 안팎. 값은 배포할 서버 기준으로 명시적으로 (환경 변수 기본값도 좋다).", key="workers"),
        Check(f"메모리 예산 안이다 (워커당 {WORKER_MB}MB, RAM {RAM_MB // 1024}GB)", 1, lambda ns: _memory(s),
              "워커 수 × 100MB가 RAM의 절반을 넘지 않게 한다.", key="memory"),
        Check("timeout·graceful_timeout을 근거 있게 정했다", 1, lambda ns: _timeouts(s),
              "timeout은 느린 요청보다 넉넉히(예: 30초), graceful_timeout은 그보다 짧게.", key="timeouts"),
        Check("max_requests와 지터로 워커를 번갈아 새로 띄운다", 1, lambda ns: _recycling(s),
              "워커마다 몇 분에 한 번 꼴이 되게: 예) 워커 8개면 `max_requests = 50000`, `max_requests_jitter = 5000`.", key="recycling"),
        Check("접근·오류 로그를 표준 출력으로, 로그 수준은 info", 1, lambda ns: _logging(s),
              "`accesslog = \"-\"`, `errorlog = \"-\"`, `loglevel = \"info\"`.", key="logging"),
        Check("설정마다 근거 주석이 있다", 2, lambda ns: _rationale(s),
              "각 설정의 같은 줄 끝이나 바로 위 줄에 왜 그 값인지 `#` 주석으로 쓴다.", key="rationale"),
        Check("이 설정으로 gunicorn이 예제 앱을 실제로 띄운다 (이 기계에서는 워커 2개)", 2, lambda ns: _starts(s),
              "설정 파일의 경로(로그 파일, pid 파일)가 이 기계에 없는 곳을 가리키지 않는지 본다.", live=True, key="starts"),
    ]

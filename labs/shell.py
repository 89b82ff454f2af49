"""명령 실행 도우미 `run()`: 출력이 노트북에도, nbval 아래에서도 똑같이 보인다 (00 레슨).

노트북에서 `!명령`이나 `subprocess.run`의 출력은 자식 프로세스가 직접 파일 디스크립터에 쓴다.
pytest(nbval) 아래의 커널은 그것을 잡지 못해 출력이 사라진다. 그래서 출력을 파이썬이 받아
한 줄씩 `print`한다: 긴 명령도 진행 상황이 바로바로 보인다.
"""

from __future__ import annotations

import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import registry
from .errors import _COMMAND_FAILED, LabError, explain
from .procs import VENV_BIN, command_line


@dataclass
class Result:
    """`run()`의 결과: 종료 코드, 합쳐진 출력, 걸린 시간(초)."""

    cmd: str
    returncode: int
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def lines(self) -> list[str]:
        return self.output.splitlines()


def run(cmd: str | list[str], *, check: bool = True, timeout: float = 120.0, cwd: str | Path | None = None,
        env: dict[str, str] | None = None, show: bool = True, tail: int | None = None,
        prefix: str = "", echo: bool = False) -> Result:
    """셸 명령을 실행하고 출력을 한 줄씩 보여 준다.

    - `check=True`면 실패(0이 아닌 종료 코드)를 한국어 `LabError`로 바꾼다.
    - `timeout`초가 지나면 프로세스 그룹을 끝내고 오류를 낸다: 셀이 멈춰 버리는 일은 없다.
    - `tail=N`이면 출력이 길 때 마지막 N줄만 보여 준다 (전체는 `Result.output`).
    - `echo=True`면 출력 앞에 실행하는 명령 줄(`$ 명령`)을 보여 준다: 저장소 루트의 터미널에 그대로 붙여 넣을 수 있다
      (경로는 저장소 루트 기준, `env`로 준 환경 변수도 앞에 붙는다).
    """
    argv = cmd if isinstance(cmd, list) else ["bash", "-c", cmd]
    shown = cmd if isinstance(cmd, str) else shlex.join(cmd)
    if echo:
        print(f"{prefix}$ {command_line(cmd, env, cwd)}", flush=True)
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = f"{VENV_BIN}{os.pathsep}{full_env.get('PATH', '')}"
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=cwd or registry.PROJECT_ROOT, env=full_env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise LabError(explain(str(exc)).render(f"명령을 시작하지 못했다: {shown}", str(exc))) from exc

    lines: queue.Queue[bytes | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            lines.put(raw)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    collected: list[str] = []
    deadline = start + timeout
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        try:
            raw = lines.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            continue
        if raw is None:
            break
        line = raw.decode(errors="replace").rstrip("\n")
        collected.append(line)
        if show and tail is None:
            print(prefix + line, flush=True)
    if timed_out:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=10)
    seconds = time.monotonic() - start
    output = "\n".join(collected)
    if show and tail is not None:
        if len(collected) > tail:
            print(f"{prefix}… (앞의 {len(collected) - tail}줄 생략)")
        for line in collected[-tail:]:
            print(prefix + line)
    sys.stdout.flush()
    if timed_out:
        raise LabError(f"❌ 명령이 {timeout:.0f}초 안에 끝나지 않아 중단했다: {shown}\n"
                       f"   해결: 명령이 입력을 기다리거나 서버처럼 계속 도는 것은 아닌지 확인한다.")
    result = Result(shown, proc.returncode, output, seconds)
    if check and not result.ok:
        detail = "\n".join(collected[-15:])
        raise LabError(explain(output, _COMMAND_FAILED).render(f"명령이 실패했다 (종료 코드 {proc.returncode}): {shown}", detail))
    return result

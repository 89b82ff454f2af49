"""10 레슨(연습 문제) 채점의 공통 틀: 기준(정적·실제 상태), 채점 세션, 학생 코드를 격리해 실행하기.

문제마다 모듈 하나(`dockerfile`, `gunicorn`, `compose_dev`, `deploy`, `nginx_conf`)가 `criteria(session)`으로
기준 목록을 만든다. 기준에는 두 종류가 있다.

- 정적 기준(`live=False`): 파일만 보고 판단한다 (실제 도구 hadolint·shellcheck·gixy·`nginx -t`·
  `docker compose config`·gunicorn 설정 로더를 쓴다). `--static` 채점과 Docker 없는 기계에서도 돈다.
- 실제 상태 기준(`live=True`): 이미지를 빌드하고, 컨테이너·스택·nginx를 띄우고, 부하를 걸어 본다.

세션은 한 문제를 채점하는 동안의 작업 폴더, 이름(레이블·Compose 프로젝트·이미지 태그), 비싼 단계의
결과(빌드 한 번을 여러 기준이 함께 본다)를 들고 있다가 끝나면 켠 것을 모두 치운다.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .. import registry, sandbox
from ..grading import Criterion, GradeFailed, Grader, Missing, Score
from .answers import answer_text
from ..korean import particle

MAX_ANSWER_CHARS = 60_000
"""답 하나의 최대 크기(글자). 연습 문제의 답은 몇 KB다: 이보다 크면 도구에 넘기지 않고 0점."""

LAB = "10_exercises"
"""노트북에서 채점할 때의 레슨 이름 (레이블 `course.lab=10_exercises`)."""


class Blocked(Missing):
    """앞 단계(빌드, 스택 올리기 등)가 실패해 이 기준을 검사하지 못했다. 메시지가 그대로 피드백이 된다."""


@dataclass
class Check(Criterion):
    """채점 기준 하나. `live=True`면 실제로 띄워 보는 기준이라 `--static` 채점에서는 빠진다."""

    live: bool = False
    key: str = ""
    """짧은 영어 이름 (테스트와 CSV가 기준을 가리킬 때 쓴다)."""


@dataclass
class Session:
    """문제 하나를 채점하는 동안의 상태: 답, 작업 폴더, 이름, 단계 결과 캐시, 정리할 것."""

    answer_name: str
    ns: Mapping[str, Any]
    lab: str
    live: bool
    workdir: Path
    slug: str
    _memo: dict[str, tuple[bool, Any]] = field(default_factory=dict)
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    def answer(self) -> str:
        """학생의 답(파일 내용). 답 셀을 아직 실행하지 않았으면 `Missing`. 너무 큰 답은 도구에 넘기지 않는다."""
        text = answer_text(self.ns, self.answer_name)
        if len(text) > MAX_ANSWER_CHARS:
            raise Blocked(f"답이 너무 크다 ({len(text)}자 > {MAX_ANSWER_CHARS}자): 채점하지 않았다.")
        return text

    def box(self, name: str, *, network: bool = False, limits: Any = None, readonly: Sequence[Path | str] = (),
            env: Mapping[str, str] | None = None, kit: bool = False) -> Any:
        """이 문제의 버림용 상자 폴더 `<작업 폴더>/box-<name>` (`labs.sandbox.Box`). 쓸 수 있는 곳은 그 폴더뿐이다."""
        from .. import sandbox

        root = self.workdir / f"box-{name}"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        home = root / "home"
        return sandbox.Box(workdir=root, readonly=readonly, network=network,
                           env=sandbox.base_env(home, env), limits=limits or sandbox.Limits(), kit=kit)

    def file(self, name: str, text: str) -> Path:
        """작업 폴더에 파일을 쓴다."""
        path = self.workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def memo(self, key: str, fn: Callable[[], Any]) -> Any:
        """`fn()`을 한 번만 실행한다. 실패했으면 같은 예외를 다시 낸다 (뒤 기준은 `Blocked`로 본다)."""
        if key not in self._memo:
            try:
                self._memo[key] = (True, fn())
            except Exception as exc:  # 학생 답이 무엇이든 채점은 끝까지 간다
                self._memo[key] = (False, exc)
        ok, value = self._memo[key]
        if not ok:
            raise value
        return value

    def need(self, key: str, fn: Callable[[], Any], what: str) -> Any:
        """`memo`와 같되, 실패하면 '앞 단계(`what`)가 실패해 검사하지 못했다'로 바꿔 낸다.

        단계를 처음 실행한 기준은 원래 오류를 보고, 그 뒤의 기준은 짧은 안내만 보인다."""
        first = key not in self._memo
        try:
            return self.memo(key, fn)
        except Missing:
            raise
        except Exception as exc:
            if first:
                raise
            raise Blocked(f"{what}{particle(what, '이')} 실패해 검사하지 못했다.") from exc

    def on_cleanup(self, fn: Callable[[], None]) -> None:
        self._cleanups.append(fn)

    def close(self) -> None:
        for fn in reversed(self._cleanups):
            try:
                fn()
            except Exception:  # 정리는 끝까지 간다
                pass
        self._cleanups.clear()


def slugify(text: str, limit: int = 24) -> str:
    """Docker 이름에 쓸 수 있는 짧은 이름 (소문자, 숫자, 하이픈)."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s or "x")[:limit].strip("-") or "x"


def workdir_for(lab: str, exercise: str) -> Path:
    """채점 작업 폴더 `<상태 폴더>/files/<lab>/<exercise>`: 지난 실행이 남긴 것은 지우고 새로 만든다."""
    path = registry.state_dir() / "files" / lab / "grading" / exercise
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# ---- 실행 ------------------------------------------------------------------

def grade(module: ModuleType, ns: Mapping[str, Any], *, live: bool | None = None, lab: str = LAB,
          slug: str = "10") -> Score:
    """문제 하나를 채점해 `Score`를 돌려준다 (표를 찍지 않는다). `live=None`이면 기계의 능력을 보고 정한다."""
    if live is None:
        live = live_available(module)
    session = Session(module.ANSWER, ns, lab, live, workdir_for(lab, module.__name__.rsplit(".", 1)[-1]), slug)
    try:
        checks = module.criteria(session)
        if not live:
            checks = [c for c in checks if not c.live]
        score = Grader(module.TITLE, checks).score(ns)
    finally:
        session.close()
        shutil.rmtree(session.workdir, ignore_errors=True)  # 빌드 컨텍스트 복사본 등: 채점이 끝나면 필요 없다
    score.live = live  # type: ignore[attr-defined]
    return score


def live_available(module: ModuleType) -> bool:
    """이 문제의 실제 상태 기준을 돌릴 능력(docker, nginx)이 이 기계에 있는지."""
    from ..doctor import capabilities

    caps = capabilities()
    return all(caps.get(name, False) for name in getattr(module, "REQUIRES", ()))


def run_in_notebook(module: ModuleType, ns: Mapping[str, Any], *, live: bool | None = None) -> None:
    """노트북의 채점 셀: 표를 출력하고, 만점이 아니면 `GradeFailed`를 낸다."""
    if live is None:
        live = live_available(module)
    if not live:
        need = ", ".join(getattr(module, "REQUIRES", ()))
        print(f"⏭️ 이 기계에 {need}{particle(need, '이')} 없어 정적 기준만 채점한다 (실제로 띄워 보는 기준은 빠진다).")
    score = grade(module, ns, live=live)
    print(str(score))
    if not score.full:
        raise GradeFailed(f"❌ {score.title}: {score.earned}/{score.total}점 — 위 표의 ❌ 항목을 고친다.")
    print(f"🎉 만점이다 ({score.total}/{score.total}).")


# ---- 학생 코드를 격리해 실행하기 ---------------------------------------------------

@dataclass
class Completed:
    """격리 실행의 결과."""

    returncode: int | None
    output: str
    seconds: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def tail(self, n: int = 12) -> str:
        lines = [line for line in self.output.splitlines() if line.strip()]
        return "\n".join(lines[-n:])


def sandbox_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """학생 코드에 줄 환경 변수: PATH와 로캘 정도만 물려주고, HOME·TMPDIR은 작업 폴더 안으로 돌린다."""
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / "tmp"
    tmp.mkdir(exist_ok=True)
    keep = ("PATH", "LANG", "LC_ALL", "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    if "DOCKER_CONFIG" not in env:  # docker CLI는 $HOME/.docker에서 플러그인(compose)을 찾는다: 원래 자리를 알려 준다
        original = Path(os.environ.get("HOME", "/root")) / ".docker"
        if original.is_dir():
            env["DOCKER_CONFIG"] = str(original)
    env.update({"HOME": str(home), "TMPDIR": str(tmp), "LC_ALL": env.get("LC_ALL", "C.UTF-8")})
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


def run_untrusted(argv: Sequence[str], *, cwd: Path, timeout: float, env: Mapping[str, str],
                  on_line: Callable[[str], None] | None = None, box: sandbox.Box | None = None) -> Completed:
    """학생이 쓴 프로그램(스크립트)을 제 프로세스 그룹에서, 타임아웃 안에서 실행한다.

    `box`를 주고 bubblewrap이 있으면 채점 상자 안에서 돈다 (`labs.sandbox`: 다른 uid, 새 pid 이름 공간, 작업 폴더 밖은
    읽기 전용이거나 보이지 않는다). 그러면 `kill -STOP $PPID`는 상자의 pid 1을 가리키고, `setsid`·이중 fork로 빠져나간
    자식도 상자를 끝낼 때 커널이 함께 죽인다.

    - 작업 폴더(`cwd`)는 채점기가 만든 버림용 폴더다. HOME·TMPDIR도 그 안을 가리킨다 (`sandbox_env`).
    - 타임아웃을 넘기면 프로세스 그룹 전체에 SIGTERM, 2초 뒤 SIGKILL을 보낸다: 무한 루프도 채점을 붙잡지 못한다.
    - 출력은 파일로 받는다 (파이프를 읽지 않아 막히는 일이 없다).
    """
    start = time.monotonic()
    log_path = cwd.parent / f".{cwd.name}-output.log"  # 작업 폴더 밖: 상자 안의 스크립트가 지우거나 바꿀 수 없다
    with open(log_path, "wb") as log:
        try:
            if box is not None and sandbox.available():
                proc = sandbox.spawn(box, list(argv), stdout=log, stderr=subprocess.STDOUT)
            else:
                proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        except (OSError, sandbox.SandboxUnavailable) as exc:
            return Completed(None, f"실행하지 못했다: {exc}", 0.0)
        registry.write_pidfile(LAB_UNTRUSTED, proc.pid, Path(argv[0]).name)
        timed_out = False
        seen = 0
        try:
            while True:
                try:
                    proc.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if on_line is not None:
                    seen = _pump(log_path, seen, on_line)
                if time.monotonic() - start > timeout:
                    timed_out = True
                    _kill_group(proc)
                    break
        finally:
            if proc.poll() is None:
                _kill_group(proc)
            # 스크립트가 배경으로 돌린 자식이 남았으면 그룹째 거둔다
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            registry.remove_pidfile(LAB_UNTRUSTED, proc.pid)
    if on_line is not None:
        _pump(log_path, seen, on_line)
    output = log_path.read_text(errors="replace")
    log_path.unlink(missing_ok=True)
    return Completed(None if timed_out else proc.returncode, output, time.monotonic() - start, timed_out)


LAB_UNTRUSTED = "10_exercises-untrusted"


def _pump(path: Path, seen: int, on_line: Callable[[str], None]) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return seen
    chunk = data[seen:]
    cut = chunk.rfind(b"\n")
    if cut < 0:
        return seen
    for line in chunk[: cut + 1].decode(errors="replace").splitlines():
        on_line(line)
    return seen + cut + 1


def _kill_group(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            continue


def run_tool(s: "Session", name: str, argv: Sequence[str], *, input: str | None = None, timeout: float = 60,
             memory_mb: int = 512, files: Mapping[str, str] | None = None, network: bool = False,
             readonly: Sequence[Path | str] = (), env: Mapping[str, str] | None = None, kit: bool = False) -> Any:
    """도구(hadolint, shellcheck, nginx -t, gixy, compose config, 학생 설정 로더)를 상자 안에서 실행한다.

    `files`는 상자 폴더에 먼저 써 둘 파일 {상대 경로: 내용}. 결과는 `labs.sandbox.Result`
    (출력은 앞부분만, 타임아웃을 넘기면 `timed_out`)."""
    from .. import sandbox

    box = s.box(name, network=network, readonly=readonly, env=env, kit=kit,
                limits=sandbox.Limits(memory_mb=memory_mb, cpu_s=int(timeout) + 5))
    for rel, text in (files or {}).items():
        path = Path(box.workdir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sandbox.run(box, argv, timeout=timeout, input=input, require_sandbox=strict_sandbox())


def strict_sandbox() -> bool:
    """상자(bwrap)가 꼭 있어야 하는지: 강사 일괄 채점(`COURSE_GRADING_STRICT=1`)은 요구하고, 학습자 노트북은 없으면
    rlimit과 타임아웃만으로 돈다 (자기 답을 자기 기계에서 채점한다)."""
    return os.environ.get("COURSE_GRADING_STRICT") == "1"


def tool(name: str) -> str | None:
    """가상 환경의 bin을 먼저, 그다음 PATH에서 도구(hadolint, shellcheck, gixy)를 찾는다."""
    from ..procs import find_binary

    return find_binary(name)


def short(text: str, width: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"

"""실습 자원 등록부: 켠 것은 모두 여기 적히고 `labs.cleanup()`이 치운다 (00 레슨).

두 겹으로 기록한다.
- 이 커널 안: 살아 있는 자원 객체(프로세스, 임시 폴더 등)의 목록.
- 디스크: 자식 프로세스마다 pid 파일(`<상태 폴더>/pids/<lab>/<pid>.json`).
  커널을 재시작해 메모리 목록이 사라져도 다음 실습이 pid 파일로 남은 프로세스를 찾아 정리한다.

Docker 객체는 `course.lab=<lab>` 레이블로 찾으므로 pid 파일이 필요 없다.
Docker 모듈은 `add_reaper()`로 정리 함수를 등록한다.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Callable, Protocol

import psutil

LABEL = "course.lab"
"""모든 실습 자원에 붙는 레이블 키 (`course.lab=<레슨 이름>`)."""

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Resource(Protocol):
    lab: str

    def stop(self) -> None: ...


_live: list[Resource] = []
_reapers: list[Callable[[str | None], list[str]]] = []
_lock = threading.Lock()


def state_dir() -> Path:
    """pid 파일과 로그를 두는 폴더. `COURSE_STATE_DIR`로 바꿀 수 있다."""
    path = Path(os.environ.get("COURSE_STATE_DIR") or PROJECT_ROOT / ".labs_state")
    path.mkdir(parents=True, exist_ok=True)
    return path


def register(resource: Resource) -> None:
    with _lock:
        _live.append(resource)


def unregister(resource: Resource) -> None:
    with _lock:
        if resource in _live:
            _live.remove(resource)


def live(lab: str | None = None) -> list[Resource]:
    with _lock:
        return [r for r in _live if lab is None or r.lab == lab]


def add_reaper(reaper: Callable[[str | None], list[str]]) -> None:
    """`cleanup()` 때 함께 부를 정리 함수를 등록한다 (예: Docker 레이블 정리).

    정리 함수는 레슨 이름(전체면 None)을 받아 치운 것의 설명 목록을 돌려준다.
    """
    if reaper not in _reapers:
        _reapers.append(reaper)


_REAPER_MODULES = ("labs.docker", "labs.dockerlab", "labs.pm2")
"""정리 함수를 등록하는 모듈들. 새 커널(`make clean-labs`)에서도 모두 불러 남은 것을 빠짐없이 찾는다."""


def _load_reapers() -> None:
    import importlib

    for name in _REAPER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # 선택 의존성이 없는 기계: 그 모듈이 만들 수 있는 자원도 없다
            pass


# ---- pid 파일 -------------------------------------------------------------

def _pid_dir(lab: str) -> Path:
    path = state_dir() / "pids" / lab
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_pidfile(lab: str, pid: int, name: str) -> Path:
    try:
        created = psutil.Process(pid).create_time()
    except psutil.Error:
        created = time.time()
    path = _pid_dir(lab) / f"{pid}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": pid, "name": name, "created": created}))
    tmp.replace(path)
    return path


def remove_pidfile(lab: str, pid: int) -> None:
    (state_dir() / "pids" / lab / f"{pid}.json").unlink(missing_ok=True)


def kill_tree(proc: psutil.Process, timeout: float = 5.0) -> None:
    """프로세스와 그 자손에게 SIGTERM, `timeout`초 뒤에도 남은 것은 SIGKILL."""
    try:
        family = proc.children(recursive=True) + [proc]
    except psutil.Error:
        return
    for p in family:
        try:
            p.send_signal(signal.SIGTERM)
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(family, timeout=timeout)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=timeout)


def reap_stale(lab: str | None = None) -> list[str]:
    """pid 파일로 기록된, 이 커널이 모르는 프로세스를 정리한다 (커널 재시작 뒤 남은 것)."""
    root = state_dir() / "pids"
    if not root.exists():
        return []
    known = {getattr(r, "pid", None) for r in live()}
    reaped: list[str] = []
    dirs = [root / lab] if lab else [d for d in root.iterdir() if d.is_dir()]
    for d in dirs:
        for f in d.glob("*.json"):
            try:
                info = json.loads(f.read_text())
            except (OSError, ValueError):
                f.unlink(missing_ok=True)
                continue
            pid = int(info.get("pid", 0))
            if pid in known:
                continue
            try:
                proc = psutil.Process(pid)
                # pid 재사용 방지: 기록한 시작 시각과 같은 프로세스만 건드린다.
                if abs(proc.create_time() - float(info.get("created", 0))) < 1.0:
                    kill_tree(proc)
                    reaped.append(f"프로세스 {info.get('name', '?')} (pid {pid})")
            except psutil.Error:
                pass
            f.unlink(missing_ok=True)
    return reaped


def cleanup(lab: str | None = None, quiet: bool = False) -> list[str]:
    """실습 자원을 모두 정리한다: 이 커널이 켠 것, 이전 커널이 남긴 것, Docker 객체.

    `lab`을 주면 그 레슨의 자원만 치운다. 치운 것의 목록을 돌려주고 한 줄로 요약해 출력한다.
    """
    done: list[str] = []
    for res in reversed(live(lab)):
        try:
            res.stop()
            done.append(str(res))
        except Exception as exc:  # noqa: BLE001  정리는 끝까지 간다: 하나가 실패해도 나머지는 치운다.
            done.append(f"{res} (정리 중 오류: {exc})")
        unregister(res)
    done += reap_stale(lab)
    _load_reapers()
    for reaper in list(_reapers):
        try:
            done += reaper(lab)
        except Exception as exc:  # noqa: BLE001  정리 함수 하나가 실패해도 나머지는 부른다
            done.append(f"정리 함수 오류: {exc}")
    if not quiet:
        target = f"'{lab}' 레슨의 " if lab else ""
        if done:
            print(f"🧹 {target}실습 자원 {len(done)}개를 정리했다.")
        else:
            print(f"🧹 {target}정리할 실습 자원이 없다.")
    return done

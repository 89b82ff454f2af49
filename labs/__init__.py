"""프로덕션 배포 실습 도구 모음 (`import labs`).

노트북은 여기 있는 함수만 부른다: 재사용할 로직은 노트북이 아니라 이 패키지에 둔다.
"""

from __future__ import annotations

# docker를 불러오면 레이블 정리 함수가 등록된다: 커널 재시작 뒤 cleanup()도 컨테이너를 찾는다.
from . import checkpoints, docker, grading, http, korean, plots, registry, tasks
from .doctor import capabilities, doctor
from .errors import LabError, explain, who_uses_port
from .grading import todo
from .load import LoadResult, ensure_quiet, load, start_load
from .procs import (
    Server,
    app_env,
    free_port,
    migrate,
    start_gunicorn,
    start_hypercorn,
    start_node,
    start_process,
    start_uvicorn,
)
from .registry import LABEL, cleanup
from .shell import run
from .tasks import predict

__all__ = [
    "LABEL", "LabError", "LoadResult", "Server", "app_env", "capabilities", "cleanup", "doctor", "ensure_quiet", "explain",
    "free_port", "load", "migrate", "need", "predict", "run", "start_gunicorn", "start_hypercorn", "start_load",
    "start_node", "start_process", "start_uvicorn", "todo", "who_uses_port",
    # 하위 모듈: `labs.docker`, `labs.checkpoints.<레슨>`처럼 노트북이 바로 쓴다
    "checkpoints", "docker", "grading", "http", "korean", "plots", "registry", "tasks",
]


def need(capability: str) -> None:
    """이 셀에 필요한 능력이 없으면 한국어 안내와 함께 멈춘다 (예: `labs.need("docker")`)."""
    if not capabilities().get(capability, False):
        raise LabError(f"⏭️ 이 기계에는 '{capability}' 실습 환경이 없어 이 셀을 건너뛴다. "
                       f"`labs.doctor()`의 해결 방법을 참고한다.")


def _install_ipython_handler() -> None:
    """노트북에서는 LabError를 긴 traceback 대신 한국어 메시지만으로 보여 준다."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        # 돌려준 줄이 traceback 대신 보인다. 커널은 여전히 '오류'로 보고하므로 nbval은 실패로 잡는다.
        stb = str(value).splitlines()
        shell._showtraceback(etype, value, stb)
        return stb

    ip.set_custom_exc((LabError,), handler)


_install_ipython_handler()
tasks.load()  # `%%lab_file` 셀 매직 (노트북 안에서만)

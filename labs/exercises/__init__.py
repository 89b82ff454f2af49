"""10 레슨(연습 문제): 다섯 문제의 채점기, 답 셀 매직, 일괄 채점이 쓰는 도구.

노트북의 첫 셀에서 `%load_ext labs.exercises`를 실행하면 `%%answer 이름` 셀 매직이 생긴다.

| 번호 | 모듈 | 답 파일 |
| --- | --- | --- |
| 1 | `dockerfile` | `Dockerfile` |
| 2 | `gunicorn` | `gunicorn.conf.py` |
| 3 | `compose_dev` | `docker-compose.dev.yml` |
| 4 | `deploy` | `deploy.sh` |
| 5 | `nginx_conf` | `nginx.conf` |
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .answers import ANSWERS_VAR, NAMES, answer_magic, extract
from .common import LAB, Check, grade, run_in_notebook
from ..korean import particle

EXERCISES = ("dockerfile", "gunicorn", "compose_dev", "deploy", "nginx_conf")
"""문제 번호 순서의 모듈 이름 (1번부터)."""


def module(number_or_name: int | str) -> ModuleType:
    """문제 번호(1~5)나 모듈 이름으로 채점 모듈을 불러온다."""
    name = EXERCISES[int(number_or_name) - 1] if str(number_or_name).isdigit() else str(number_or_name)
    if name not in EXERCISES:
        raise KeyError(f"연습 문제 {number_or_name!r}{particle(repr(number_or_name), '은')} 없다. 있는 것: {', '.join(EXERCISES)}")
    return importlib.import_module(f"{__name__}.{name}")


def show_criteria(number_or_name: int | str) -> None:
    """문제의 채점 기준을 배점과 함께 출력한다 (정적 기준 먼저, 실제로 띄워 보는 기준은 🚀)."""
    from pathlib import Path

    from .common import Session

    mod = module(number_or_name)
    checks = mod.criteria(Session(mod.ANSWER, {}, "none", True, Path("."), "none"))
    static = sum(c.points for c in checks if not c.live)
    live = sum(c.points for c in checks if c.live)
    print(f"{mod.TITLE}: 정적 기준 {static}점 + 실제 상태 기준 {live}점 = {static + live}점")
    for c in checks:
        print(f"  {'🚀' if c.live else '📄'} {c.description} ({c.points}점)")


def load_ipython_extension(ipython) -> None:  # noqa: ANN001 - IPython의 규칙
    """`%load_ext labs.exercises`: `%%answer` 셀 매직을 등록한다."""
    ipython.register_magic_function(answer_magic, "cell", "answer")


__all__ = ["ANSWERS_VAR", "EXERCISES", "LAB", "NAMES", "Check", "extract", "grade", "load_ipython_extension",
           "module", "run_in_notebook", "show_criteria"]

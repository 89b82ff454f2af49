"""10 레슨(연습 문제)의 채점기: 노트북의 채점 셀이 `labs.checkpoints.exercises.<문제>(globals())`로 부른다.

채점 기준은 `labs.exercises.<모듈>`에 있다. 여기 함수는 표를 출력하고 만점이 아니면 `GradeFailed`를 낸다.
`live=False`면 실제로 띄워 보는 기준을 빼고 정적 기준만 본다 (Docker·nginx가 없는 기계에서는 저절로 그렇게 된다).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exercises import module, run_in_notebook


def dockerfile(ns: Mapping[str, Any], live: bool | None = None) -> None:
    """연습 문제 1: Dockerfile 최적화."""
    run_in_notebook(module("dockerfile"), ns, live=live)


def gunicorn_config(ns: Mapping[str, Any], live: bool | None = None) -> None:
    """연습 문제 2: gunicorn 설정."""
    run_in_notebook(module("gunicorn"), ns, live=live)


def compose_dev(ns: Mapping[str, Any], live: bool | None = None) -> None:
    """연습 문제 3: Docker Compose 개발 환경."""
    run_in_notebook(module("compose_dev"), ns, live=live)


def deploy_script(ns: Mapping[str, Any], live: bool | None = None) -> None:
    """연습 문제 4: 무중단 배포 스크립트."""
    run_in_notebook(module("deploy"), ns, live=live)


def nginx_config(ns: Mapping[str, Any], live: bool | None = None) -> None:
    """연습 문제 5: 완전한 nginx 설정."""
    run_in_notebook(module("nginx_conf"), ns, live=live)

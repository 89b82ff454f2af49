"""테스트 공통 설정: `@pytest.mark.requires("docker")` 같은 능력 표시를 건너뛰기/실패로 바꾼다.

능력이 없으면 한국어 이유와 함께 건너뛰고, `COURSE_REQUIRE_ALL=1`(CI)에서는 실패로 처리한다.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "requires(name): 이 기계에 해당 실습 능력(docker, nginx, node, redis, postgres)이 필요하다")


def pytest_runtest_setup(item):
    names = [n for mark in item.iter_markers("requires") for n in mark.args]
    if not names:
        return
    from labs.doctor import capabilities

    missing = [n for n in names if not capabilities().get(n, False)]
    if not missing:
        return
    msg = f"이 기계에 없는 실습 능력: {', '.join(missing)}"
    if os.environ.get("COURSE_REQUIRE_ALL") == "1":
        pytest.fail(f"{msg} (COURSE_REQUIRE_ALL=1)", pytrace=False)
    pytest.skip(msg)

"""nbval 훅: 노트북 셀의 능력 태그(requires-docker 등)를 건너뛰기로 바꾼다.

`pytest --nbval solutions/`가 solutions/ 를 모으므로 이 파일은 저장소 맨 위에 있다
(tests/conftest.py 는 tests/ 아래에만 적용된다). 능력이 없으면 건너뛰고,
`COURSE_REQUIRE_ALL=1`(CI)에서는 실패로 처리한다: CI에서 조용히 건너뛴 실습은 검증된 것이 아니다.
"""

from __future__ import annotations

import os

import pytest

TAG_PREFIX = "requires-"


def _cell_tags(item) -> list[str]:
    cell = getattr(item, "cell", None)
    if cell is None:
        return []
    return list(cell.get("metadata", {}).get("tags", []))


def pytest_runtest_setup(item):
    needed = [t[len(TAG_PREFIX):] for t in _cell_tags(item) if t.startswith(TAG_PREFIX)]
    if not needed:
        return
    from labs.doctor import capabilities

    caps = capabilities()
    missing = [n for n in needed if not caps.get(n, False)]
    if not missing:
        return
    msg = f"이 기계에 없는 실습 환경: {', '.join(missing)}"
    if os.environ.get("COURSE_REQUIRE_ALL") == "1":
        pytest.fail(f"{msg} (COURSE_REQUIRE_ALL=1 이므로 실패로 처리한다)", pytrace=False)
    pytest.skip(msg)

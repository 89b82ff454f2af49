"""일부러 시간을 쓰는 작업. ASGI 앱(`routes/work.py`)과 WSGI 쌍둥이(`wsgi.py`)가 함께 쓴다.

표준 라이브러리만 쓴다: WSGI 쌍둥이가 FastAPI 없이 돌아야 하기 때문이다.
"""

from __future__ import annotations

import time

MAX_SECONDS = 30.0


def clamp(value: float, upper: float = MAX_SECONDS) -> float:
    """0 이상 `upper` 이하로 자른다. 실수로 준 큰 값이 워커를 오래 붙잡지 않게 한다."""
    return min(max(value, 0.0), upper)


def burn_cpu(duration: float) -> int:
    """`duration`초 동안 순수 파이썬 연산을 돌리고 반복 횟수를 돌려준다(GIL을 쥔 채로)."""
    deadline = time.perf_counter() + duration
    iterations = 0
    total = 0
    while time.perf_counter() < deadline:
        for i in range(1000):
            total += i * i
        iterations += 1000
    return iterations

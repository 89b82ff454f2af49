"""레슨마다 정답 노트북을 처음부터 끝까지 실행하는 데 걸린 시간을 잰다.

    .venv/bin/python benchmarks/bench_lessons.py            # 모든 레슨
    .venv/bin/python benchmarks/bench_lessons.py 01 04      # 고른 레슨만

노트북 파일은 바꾸지 않는다 (메모리에서 실행한다). 가장 오래 걸린 셀도 함께 보여 준다:
레슨은 4분, 셀은 60초 안에 끝나는 것이 목표다.
"""

from __future__ import annotations

import sys
import time

import nbformat
from nbclient import NotebookClient

from labs.notebooks import SOLUTIONS


class TimedClient(NotebookClient):
    """셀마다 걸린 시간을 기록하는 실행기."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cell_seconds: list[tuple[float, int]] = []

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        start = time.perf_counter()
        try:
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        finally:
            self.cell_seconds.append((time.perf_counter() - start, cell_index))


def main(selected: list[str]) -> None:
    paths = [p for p in sorted(SOLUTIONS.glob("*.ipynb")) if not selected or p.name[:2] in selected]
    print(f"{'레슨':<32} {'전체(초)':>9} {'가장 긴 셀(초)':>14}")
    total = 0.0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = TimedClient(nb, timeout=900, kernel_name="python3",
                             resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
        total += seconds
        longest, index = max(client.cell_seconds)
        flag = "" if seconds < 240 and longest < 60 else "  ⚠️ 목표 초과"
        print(f"{path.stem:<32} {seconds:9.1f} {longest:9.1f} (셀 {index}){flag}", flush=True)
    print(f"{'합계':<32} {total:9.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])

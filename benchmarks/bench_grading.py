"""일괄 채점(`python -m labs.grade`)에 걸리는 시간을 잰다 (10 레슨, 강사용).

    .venv/bin/python benchmarks/bench_grading.py                  # 정적 1개·20개, 실제 상태 1개·20개
    .venv/bin/python benchmarks/bench_grading.py --quick          # 실제 상태 20개는 건너뛴다
    .venv/bin/python benchmarks/bench_grading.py --jobs 4 --count 20

제출물은 정답 노트북(solutions/10_exercises.ipynb)의 복사본이다: 모든 기준을 끝까지 검사하므로 가장 오래 걸리는
경우다 (틀린 답은 앞 단계에서 멈춰 더 빨리 끝난다). 숫자를 출력만 한다.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from labs import grade
from labs.doctor import capabilities
from labs.registry import PROJECT_ROOT

SOLUTION = PROJECT_ROOT / "solutions" / "10_exercises.ipynb"


def submissions(root: Path, count: int) -> Path:
    folder = root / f"subs-{count}"
    folder.mkdir(parents=True)
    for i in range(1, count + 1):
        shutil.copy(SOLUTION, folder / f"student{i:02d}.ipynb")
    return folder


def timed(label: str, folder: Path, out: Path, *, live: bool, jobs: int) -> float:
    start = time.monotonic()
    results = grade.grade_many([str(folder)], out=out, jobs=jobs, live=live)
    seconds = time.monotonic() - start
    full = sum(1 for r in results if sum(e["earned"] for e in r["exercises"]) == sum(e["total"] for e in r["exercises"]))
    print(f"📊 {label}: {seconds:.1f}초 (제출물 {len(results)}개, 만점 {full}개, 제출물당 {seconds / len(results):.1f}초)",
          flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="실제 상태 채점 여러 개는 건너뛴다")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    report: list[str] = []
    try:
        one = submissions(tmp, 1)
        many = submissions(tmp, args.count)
        s1 = timed("정적 채점 1개", one, tmp / "out-s1", live=False, jobs=1)
        sn = timed(f"정적 채점 {args.count}개 (동시 {args.jobs})", many, tmp / "out-sn", live=False, jobs=args.jobs)
        report += [f"정적 1개: {s1:.1f}초", f"정적 {args.count}개: {sn:.1f}초 (제출물당 {sn / args.count:.1f}초)"]
        if capabilities().get("docker") and capabilities().get("nginx"):
            l1 = timed("실제 상태 채점 1개 (문제 1~5 전부)", one, tmp / "out-l1", live=True, jobs=1)
            report.append(f"실제 상태 1개: {l1:.1f}초")
            if not args.quick:
                ln = timed(f"실제 상태 채점 {args.count}개 (동시 {args.jobs})", many, tmp / "out-ln", live=True,
                           jobs=args.jobs)
                report.append(f"실제 상태 {args.count}개 (동시 {args.jobs}): {ln:.1f}초 "
                              f"(제출물당 {ln / args.count:.1f}초)")
        else:
            print("⏭️ Docker·nginx가 없어 실제 상태 채점은 재지 않았다.")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n== 요약 ==")
    print("\n".join(report))


if __name__ == "__main__":
    main()

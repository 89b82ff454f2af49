"""Docker 이미지 측정: 단순한 Dockerfile 대 다단계 빌드의 크기, 코드만 바꾼 재빌드 시간 (05 레슨).

    .venv/bin/python benchmarks/bench_docker.py

- 크기 비율 = 최적화 이미지 / 단순 이미지. 같은 계열의 기반 이미지를 쓴다
  (단순: python:3.13 full, 최적화: python:3.13-slim — 레지스트리가 없으면 둘 다 course-offline 대체 이미지).
  단순한 쪽은 연습 문제 1의 Dockerfile 그대로다 (단일 단계, `COPY . .`, .dockerignore 없음). 목표 ≤ 0.35.
- 재빌드 비율 = 소스 파일 하나만 바꾼 재빌드 시간 / 캐시 없는 처음 빌드 시간. 의존성 층이 소스보다 먼저라
  캐시를 쓰면 작아진다. 목표 ≤ 0.15.
원본 폴더는 건드리지 않는다: 임시 폴더에 복사해서 빌드한다.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

from labs import docker, dockerlab, images

LAB = "bench-docker"
NAIVE_TAG = "course-bench/sample-app:naive"
OPT_TAG = "course-bench/sample-app:optimized"
SIZE_TARGET = 0.35
REBUILD_TARGET = 0.15


def pad(text: str, width: int) -> str:
    """한글은 터미널에서 두 칸을 차지한다: 표가 어긋나지 않게 칸 수로 채운다."""
    return text + " " * max(0, width - dockerlab.text_width(text))


def verdict(value: float, target: float) -> str:
    return "✅" if value <= target else "❌"


def main() -> int:
    docker.require_docker()
    env = images.prepare(skip_dev=True, progress=False)
    full, slim = env["PYTHON_FULL_IMAGE"], env["PYTHON_IMAGE"]
    print(f"\n기반 이미지: 단순 {full} / 최적화 {slim}")
    with tempfile.TemporaryDirectory(prefix="bench-docker-") as tmp:
        tmp_path = Path(tmp)
        # 연습 문제 1의 "고칠 곳이 많은" Dockerfile: .dockerignore도 없이 빌드한다
        naive_ctx = dockerlab.copy_app(tmp_path / "naive" / "sample_app")
        (naive_ctx / ".dockerignore").unlink(missing_ok=True)
        naive_df = tmp_path / "naive" / "Dockerfile.naive"
        naive_df.write_text(dockerlab.NAIVE_DOCKERFILE)
        opt_ctx = dockerlab.copy_app(tmp_path / "optimized" / "sample_app")

        print("\n== 1. 단순한 Dockerfile (연습 문제 1) ==")
        naive = docker.build(naive_ctx, NAIVE_TAG, LAB, dockerfile=naive_df, nocache=True)
        print("\n== 2. 다단계 빌드 (sample_app/Dockerfile), 캐시 없이 ==")
        cold = docker.build(opt_ctx, OPT_TAG, LAB, nocache=True)

        print("\n== 3. 소스 파일 하나만 바꾸고 다시 빌드 ==")
        dockerlab.touch_code(opt_ctx)
        warm = docker.build(opt_ctx, OPT_TAG, LAB)

    size_ratio = cold.size / naive.size
    rebuild_ratio = warm.seconds / cold.seconds
    print("\n== 결과 ==")
    print(f"{pad('', 30)}{pad('크기', 10)}{pad('레이어', 8)}빌드 시간")
    for name, r in (("단순 (full, 단일 단계)", naive), ("최적화 (slim, 다단계)", cold),
                    ("최적화, 코드만 바꾼 재빌드", warm)):
        print(f"{pad(name, 30)}{pad(f'{r.size_mb:.0f}MB', 10)}{pad(str(r.layers), 8)}{r.seconds:.1f}초")
    print(f"(재빌드에서 캐시를 쓴 단계: {warm.cached}/{warm.steps})")
    print(f"\n크기 비율 (최적화/단순) {size_ratio:.2f} (목표 ≤ {SIZE_TARGET}) {verdict(size_ratio, SIZE_TARGET)}"
          f"  |  재빌드 비율 (재빌드/처음 빌드) {rebuild_ratio:.2f} (목표 ≤ {REBUILD_TARGET}) "
          f"{verdict(rebuild_ratio, REBUILD_TARGET)}")
    client = docker.require_docker()
    for tag in (NAIVE_TAG, OPT_TAG):
        with contextlib.suppress(Exception):  # 측정용 태그만 지운다 (층은 캐시로 남는다)
            client.images.remove(tag)
    return 0 if size_ratio <= SIZE_TARGET and rebuild_ratio <= REBUILD_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

"""한국어 라벨을 쓰는 그림 도우미 (00·01 레슨).

`koreanize-matplotlib`가 싣고 오는 나눔고딕을 쓴다: 시스템에 한글 글꼴이 없어도 글자가 깨지지 않는다.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

if not matplotlib.get_backend().lower().startswith(("module://matplotlib_inline", "module://ipykernel")):
    # 노트북 밖(테스트·벤치마크)에서는 화면 없이 그린다.
    matplotlib.use("Agg")

import koreanize_matplotlib  # noqa: E402,F401  (가져오기만 해도 한글 글꼴이 설정된다)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from .load import LoadResult  # noqa: E402


def korean_font() -> str | None:
    """지금 설정된 한글 글꼴 이름. 없으면 None (doctor가 쓴다)."""
    family = plt.rcParams.get("font.family", [])
    names = family if isinstance(family, list) else [family]
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in names:
        if name in installed and any(k in name for k in ("Nanum", "Noto Sans CJK", "Malgun", "Apple")):
            return name
    return None


def _finish(fig, save: str | Path | None) -> None:
    """저장할 곳이 있으면 PNG로 저장한다. 노트북에서는 셀이 끝날 때 그림이 한 번 보인다.

    그림 객체를 돌려주지 않는다: 셀의 마지막 값이 되면 같은 그림이 두 번 찍힌다."""
    fig.tight_layout()
    if save:
        fig.savefig(save, dpi=110)
    if "inline" not in matplotlib.get_backend():
        plt.close(fig)


def plot_load(result: LoadResult, title: str = "부하 실행 결과", save: str | Path | None = None) -> None:
    """왼쪽: 시간에 따른 요청별 지연 시간(실패는 빨간 ×), 오른쪽: 초당 처리량."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
    ok = [s for s in result.samples if s.status is not None and s.status < 500]
    bad = [s for s in result.samples if s.status is None or s.status >= 500]
    ax1.scatter([s.start for s in ok], [s.latency * 1000 for s in ok], s=4, alpha=0.4, label="성공")
    if bad:
        ax1.scatter([s.start for s in bad], [s.latency * 1000 for s in bad], s=18, c="red",
                    marker="x", label="실패")
    ax1.set_xlabel("경과 시간 (초)")
    ax1.set_ylabel("지연 시간 (ms)")
    ax1.set_title("요청별 지연 시간")
    ax1.legend(loc="upper right")
    # 짧은 실행도 모양이 보이도록 구간을 40개 안팎으로 나누고, 구간별 건수를 초당 값으로 바꾼다.
    width = max(0.1, round(result.seconds / 40, 1))
    bins = max(1, int(result.seconds / width + 0.999))
    counts = [0] * bins
    for s in result.samples:
        counts[min(int(s.start / width), bins - 1)] += 1
    ax2.bar([i * width for i in range(bins)], [n / width for n in counts], width=width * 0.9, align="edge")
    ax2.set_xlabel("경과 시간 (초)")
    ax2.set_ylabel("처리량 (req/s)")
    ax2.set_title("초당 처리량")
    fig.suptitle(title)
    _finish(fig, save)


def plot_bars(labels: Sequence[str], values: Sequence[float], *, title: str, ylabel: str,
              fmt: str = "{:.0f}", save: str | Path | None = None) -> None:
    """막대그래프, 막대 위에 값을 적는다 (예: 이미지 크기 비교)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    bars = ax.bar(list(labels), list(values))
    for bar, value in zip(bars, values):
        ax.annotate(fmt.format(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    _finish(fig, save)

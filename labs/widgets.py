"""노트북 위젯: 워커 수 계산기 (01 레슨).

계산은 `labs.sizing.recommend()`가 하고, 위젯은 입력을 받아 결과와 근거, 바로 쓸 수 있는 설정
(`gunicorn.conf.py`, 실행 명령)을 보여 줄 뿐이다. nbval은 위젯 출력을 비교하지 않으므로
노트북은 같은 함수를 한 번 더 불러 기본 입력의 결과를 글로도 출력한다.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from .sizing import MODELS, WORKLOADS, Recommendation, recommend


def render_html(rec: Recommendation) -> str:
    """권장 결과를 위젯에 넣을 HTML로 만든다."""
    limit = "메모리" if rec.limited_by == "memory" else "코어"
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in rec.reasons)
    return (
        f"<h4>권장 워커 수: {rec.workers}개 <small>({limit} 기준, 메모리 {rec.memory_mb} MB 사용)</small></h4>"
        f"<ul>{reasons}</ul>"
        f"<p><b>gunicorn.conf.py</b></p><pre>{html.escape(rec.gunicorn_conf())}</pre>"
        f"<p><b>실행 명령</b></p><pre>{html.escape(rec.command())}</pre>"
    )


class SizingCalculator(widgets.VBox):
    """코어 수, 메모리, 워커당 메모리, 작업 종류, 워커 모델을 받아 권장 워커 수를 보여 주는 위젯."""

    def __init__(self, cores: int = 2, ram_mb: int = 2048, worker_mb: int = 150,
                 workload: str = "io", model: str = "async") -> None:
        style = {"description_width": "150px"}
        self.cores = widgets.BoundedIntText(value=cores, min=1, max=256, description="코어 수", style=style)
        self.ram_mb = widgets.BoundedIntText(value=ram_mb, min=64, max=1_048_576, step=256,
                                             description="쓸 수 있는 메모리(MB)", style=style)
        self.worker_mb = widgets.BoundedIntText(value=worker_mb, min=10, max=16_384, step=10,
                                                description="워커당 메모리(MB)", style=style)
        self.workload = widgets.ToggleButtons(options=[(v, k) for k, v in WORKLOADS.items()], value=workload,
                                              description="작업 종류", style=style)
        self.model = widgets.ToggleButtons(options=[(v, k) for k, v in MODELS.items()], value=model,
                                           description="워커 모델", style=style)
        self.result = widgets.HTML()
        for control in (self.cores, self.ram_mb, self.worker_mb, self.workload, self.model):
            control.observe(self._update, names="value")
        super().__init__([self.cores, self.ram_mb, self.worker_mb, self.workload, self.model, self.result])
        self._update()

    def recommendation(self) -> Recommendation:
        """지금 입력값으로 계산한 권장 결과."""
        return recommend(self.cores.value, self.ram_mb.value, self.worker_mb.value,
                         self.workload.value, self.model.value)

    def _update(self, _change: object = None) -> None:
        try:
            self.result.value = render_html(self.recommendation())
        except ValueError as exc:
            self.result.value = f"<p>❌ {html.escape(str(exc))}</p>"


def sizing_calculator(**defaults: object) -> SizingCalculator:
    """워커 수 계산기 위젯을 만들어 돌려준다 (테스트와 재사용용)."""
    return SizingCalculator(**defaults)  # type: ignore[arg-type]


def show_sizing_calculator(**defaults: object) -> None:
    """워커 수 계산기를 노트북에 띄운다. 셀에 값이 두 번 찍히지 않도록 None을 돌려준다."""
    from IPython.display import display

    display(sizing_calculator(**defaults))

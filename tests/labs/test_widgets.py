"""워커 수 계산기 위젯: 입력을 바꾸면 결과와 설정 조각이 순수 함수와 같게 바뀐다."""

from labs import sizing, widgets


def test_calculator_shows_the_pure_recommendation():
    calc = widgets.sizing_calculator(cores=2, ram_mb=2048, worker_mb=150)
    rec = sizing.recommend(2, 2048, 150, "io", "async")
    assert calc.recommendation() == rec
    assert "권장 워커 수: 2개" in calc.result.value
    assert "gunicorn.conf.py" in calc.result.value and "uvicorn_worker.UvicornWorker" in calc.result.value


def test_calculator_updates_on_change():
    calc = widgets.sizing_calculator(cores=4, ram_mb=8192, worker_mb=100)
    calc.model.value = "sync"
    assert "권장 워커 수: 9개" in calc.result.value and "gunicorn sample_app.wsgi:application" in calc.result.value
    calc.ram_mb.value = 512
    assert "권장 워커 수: 5개" in calc.result.value and "메모리 기준" in calc.result.value
    calc.workload.value = "cpu"
    assert "권장 워커 수: 4개" in calc.result.value


def test_calculator_labels_are_korean():
    calc = widgets.sizing_calculator()
    assert [c.description for c in calc.children[:5]] == [
        "코어 수", "쓸 수 있는 메모리(MB)", "워커당 메모리(MB)", "작업 종류", "워커 모델"]
    assert [label for label, _ in calc.workload.options] == ["I/O 위주", "CPU 위주", "섞임"]

"""학습자 과제 도구(labs.tasks): 파일 셀, 예측, 제출된 노트북에서 예측 꺼내기. 측정 전 점검(labs.load.ensure_quiet)."""

import importlib
import json

import pytest

import labs
from labs import notebooks, tasks
from labs.grading import Missing, TodoError
from labs.procs import command_line

# `labs.load`는 패키지에서 함수 `load`로 가려진다: 모듈 자체를 가져온다
load_module = importlib.import_module("labs.load")

LAB = "t-tasks"


@pytest.fixture(autouse=True)
def fresh():
    tasks.reset()
    yield
    tasks.reset()


def test_file_cell_writes_verbatim_and_reports_diff(capsys):
    ns: dict = {}
    art = tasks.write(LAB, "app.conf.py", "workers = 2\nthreads = 1\n", ns)
    assert art.path.read_text() == "workers = 2\nthreads = 1\n"
    assert tasks.path("app.conf.py", LAB) == art.path and ns["LAB_FILES"]["app.conf.py"] == art.text
    first = capsys.readouterr().out
    assert f".labs_state/files/{LAB}/app.conf.py에 썼다 (2줄, 새 파일)" in first or "새 파일" in first
    tasks.write(LAB, "app.conf.py", "workers = 2\nthreads = 4\n", ns)
    out = capsys.readouterr().out
    assert "+1줄 −1줄" in out and "`threads = 4`" in out
    tasks.write(LAB, "app.conf.py", "workers = 2\nthreads = 4\n", ns)
    assert "앞 버전과 같다" in capsys.readouterr().out


def test_file_cell_refuses_stub_and_strips_solution_markers():
    student = notebooks.strip_solutions(
        "%%lab_file x.conf.py\nkeep = 1\n### BEGIN SOLUTION 고친다\nworkers = 4\n### STUB\nworker = 4\n### END SOLUTION\n",
        "code")
    body = student.split("\n", 1)[1]
    assert "worker = 4" in body and "workers = 4" not in body and tasks.STUB_COMMENT in body
    with pytest.raises(TodoError, match="아직 답을 쓰지 않았다: 고친다"):
        tasks.write(LAB, "x.conf.py", body)
    # 학습자가 labs.todo 줄만 지우면 안내 주석은 파일에 들어가지 않는다
    art = tasks.write(LAB, "x.conf.py", body.replace("labs.todo('고친다')\n", "").replace("worker =", "workers ="))
    assert art.text == "keep = 1\nworkers = 4\n"
    # 정답 노트북에서는 표식과 ### STUB 아래 줄(학생이 받을 글)이 빠진다
    solution = "keep = 1\n### BEGIN SOLUTION 고친다\nworkers = 4\n### STUB\nworker = 4\n### END SOLUTION\n"
    assert tasks.write(LAB, "y.conf.py", solution).text == "keep = 1\nworkers = 4\n"


def test_file_cell_missing_for_grader_and_apply_cell():
    with pytest.raises(Missing, match="아직 `a.conf.py`를 정하지 않았다"):
        tasks.text({}, "a.conf.py")
    with pytest.raises(TodoError, match="%%lab_file a.conf.py"):
        tasks.path("a.conf.py", LAB)
    with pytest.raises(TodoError):
        tasks.write(LAB, "../escape", "x")
    with pytest.raises(TodoError):
        tasks.write(LAB, "..", "x")
    # 점으로 시작하는 설정 파일(`.env`, `.dockerignore`)은 파일 셀로 쓴다
    assert tasks.write(LAB, ".env", "A=1\n", show=False).path.name == ".env"


def test_magic_registers_and_runs_in_ipython(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    assert tasks.load(shell)
    shell.user_ns["LAB"] = LAB
    shell.run_cell("%%lab_file m.conf.py\nworkers = 3\n")
    assert shell.user_ns["LAB_FILES"]["m.conf.py"] == "workers = 3\n"
    assert tasks.path("m.conf.py", LAB).read_text() == "workers = 3\n"
    shell.run_cell("%%lab_file --lab t-tasks-other n.conf.py\nthreads = 2\n")
    assert tasks.path("n.conf.py", "t-tasks-other").read_text() == "threads = 2\n"


def test_prediction_before_measurement_only(capsys):
    labs.predict("k", 40, "처리량은?", unit="req/s")
    out = capsys.readouterr().out
    assert out.startswith("🔮 예측 기록 [k] 처리량은? → 40 req/s (")
    tasks.measuring("k", "nobody")
    out = capsys.readouterr().out
    assert "[k]: 예측이 먼저 적혀 있다" in out and "[nobody]: 예측이 없다" in out
    with pytest.raises(labs.LabError, match="측정한 뒤에 적은 예측은 받지 않는다"):
        labs.predict("k", 50, "처리량은?")
    tasks.observe("k", 30.0, why="상한이 40이다")
    out = capsys.readouterr().out
    assert "예측 40 req/s" in out and "측정 30.0 req/s" in out and "↳ 예측과 측정: 측정이 예측보다 25% 적다." in out
    assert "왜: 상한이 40이다" in out
    tasks.observe("nobody", 3)
    assert "측정 전에 적은 예측이 없다" in capsys.readouterr().out
    with pytest.raises(TodoError):
        labs.predict("empty", None, "비었다")


def test_compare_sentences():
    assert tasks.compare(40, 41) == "측정이 예측과 거의 같다 (차이 10% 안)."
    assert tasks.compare(40, 160).startswith("측정이 예측의 4.0배다")
    assert tasks.compare(40, 30) == "측정이 예측보다 25% 적다."
    assert tasks.compare("v1", "v1") == "예측과 같다." and tasks.compare("v2", "v1") == "예측(v2)과 다르다."


def test_predictions_in_a_submitted_notebook(tmp_path):
    def cell(n, text):
        return {"cell_type": "code", "execution_count": n, "source": "", "metadata": {},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}
    nb = {"cells": [cell(1, "🔮 예측 기록 [a] 질문 → 40 req/s (2026-12-01 10:00:00)\n"),
                    cell(2, "📏 측정 시작 [a]: 예측이 먼저 적혀 있다.\n📏 측정 시작 [b]: 예측이 없다\n"),
                    cell(3, "🔮 예측 기록 [b] 나중 → v1 (2026-12-01 10:05:00)\n")]}
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    rows = tasks.predictions_in(path)
    assert [(r["키"], r["측정 전"]) for r in rows] == [("a", True), ("b", False)]
    assert rows[0]["예측"] == "질문 → 40 req/s"


def test_command_line_is_repo_relative_and_shows_env():
    path = str(labs.registry.PROJECT_ROOT / ".labs_state" / "files" / "x" / "g.conf.py")
    line = command_line(["gunicorn", "-c", path, "app:x"], {"GUNICORN_BIND": "127.0.0.1:9"})
    assert line == "GUNICORN_BIND=127.0.0.1:9 gunicorn -c .labs_state/files/x/g.conf.py app:x"
    assert command_line("echo hi") == "echo hi"


def test_run_echo_prints_the_command_first(capsys):
    labs.run(["echo", "hi"], echo=True)
    assert capsys.readouterr().out == "$ echo hi\nhi\n"
    labs.run("echo 둘")  # 기본은 그대로: 다른 레슨의 출력이 바뀌지 않는다
    assert capsys.readouterr().out == "둘\n"


def test_ensure_quiet_passes_when_load_is_below_cores(monkeypatch, capsys):
    monkeypatch.setattr("os.getloadavg", lambda: (0.1, 0.1, 0.1))
    q = labs.ensure_quiet()
    assert q.others is None and capsys.readouterr().out.startswith("✅ 측정 전 점검 통과 (")


def test_ensure_quiet_excludes_own_load_and_refuses_when_others_hog(monkeypatch, capsys):
    cores = load_module._cores()
    monkeypatch.setattr("os.getloadavg", lambda: (cores + 5.0, 1.0, 1.0))
    monkeypatch.setattr(load_module, "others_cpu", lambda window=1.0: 0.0)
    assert labs.ensure_quiet().others == 0.0  # 부하 평균이 높아도 남이 CPU를 쓰지 않으면 잰다
    monkeypatch.setattr(load_module, "others_cpu", lambda window=1.0: float(cores))
    with pytest.raises(labs.LabError, match="너무 바빠 측정하지 않는다"):
        labs.ensure_quiet(max_wait=0.1)


def test_others_cpu_does_not_count_this_process():
    import time

    end = time.monotonic() + 0.3
    while time.monotonic() < end:  # 이 프로세스가 CPU를 쓴다
        pass
    assert load_module.others_cpu(0.3) >= 0.0

"""노트북 파이프라인: notebooks/ 가 최신인지, 학생판에 정답·출력이 없는지, 스텁이 친절하게 멈추는지."""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from labs import notebooks
from labs.course import LESSONS

STUDENT = sorted(notebooks.NOTEBOOKS.glob("*.ipynb"))


def test_notebooks_are_generated_from_solutions():
    assert notebooks.build(check=True) == [], "`make notebooks`로 notebooks/ 를 다시 만든다"


def test_every_lesson_notebook_is_in_the_course_map():
    stems = {lesson.stem for lesson in LESSONS}
    assert {p.stem for p in notebooks.SOLUTIONS.glob("*.ipynb")} <= stems


def test_strip_solutions_code_and_markdown():
    code = "x = 1\n### BEGIN SOLUTION 워커 수를 정한다\nworkers = 4\n### END SOLUTION\nprint(workers)\n"
    out = notebooks.strip_solutions(code, "code")
    assert "workers = 4" not in out and "labs.todo('워커 수를 정한다')" in out and "print(workers)" in out
    md = "답:\n### BEGIN SOLUTION\n정답 문장\n### END SOLUTION\n"
    assert "정답 문장" not in notebooks.strip_solutions(md, "markdown")


def test_strip_keeps_indentation():
    code = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
    assert "    labs.todo(" in notebooks.strip_solutions(code, "code")


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.name)
def test_student_notebook_has_no_answers_or_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        assert "BEGIN SOLUTION" not in src and "END SOLUTION" not in src
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.name)
def test_student_notebook_stubs_stop_with_korean_guidance(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    stubs = 0
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if "labs.todo(" in cell.source:
            stubs += 1
            assert [e["ename"] for e in errors] == ["TodoError"], cell.source
            assert "아직 답을 쓰지 않았다" in errors[0]["evalue"]
        elif errors:
            # 스텁 뒤의 채점 셀만 실패할 수 있고, 그때도 한국어 안내로 끝난다.
            assert "grader" in cell.metadata.get("tags", []), cell.source
            assert [e["ename"] for e in errors] == ["GradeFailed"]
            assert "정하지 않았다" in "".join(o.get("text", "") for o in cell.outputs)
    assert stubs > 0

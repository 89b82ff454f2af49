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


LEFTOVERS = """\
import json as _json

import psutil as _psutil

import labs.pm2 as _pm2
from labs import docker as _docker
from labs import registry as _registry

_left = {"등록된 자원": [str(r) for r in _registry.live(LAB)], "PM2 데몬": _pm2.alive_daemons(LAB)}
_left["프로세스"] = []
for _f in (_registry.state_dir() / "pids").glob(LAB + "*/*.json"):
    _info = _json.loads(_f.read_text())
    try:
        if abs(_psutil.Process(_info["pid"]).create_time() - _info["created"]) < 1.0:
            _left["프로세스"].append(f"{_f.parent.name}: {_info['name']} (pid {_info['pid']})")
    except _psutil.Error:
        pass
try:
    _c = _docker.client(timeout=30)
    _left["컨테이너"] = [_x["Names"][0] for _x in _c.api.containers(all=True, filters={"label": _registry.LABEL})
                     if (_x.get("Labels") or {}).get(_registry.LABEL, "").startswith(LAB)]  # 목록 한 번: 다른 세션과 겨루지 않는다
except labs.LabError:
    _left["컨테이너"] = []  # 엔진이 없으면 컨테이너도 없다
print("LEFTOVERS " + _json.dumps(_left, ensure_ascii=False))
"""
"""학생판 검사의 마지막 셀: 이 레슨 이름(`LAB`, `LAB-…`)으로 남은 자원·프로세스·PM2 데몬·컨테이너."""


def _errors(cell) -> list[str]:
    return [o["ename"] for o in cell.get("outputs", []) if o["output_type"] == "error"]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.name)
def test_student_notebook_stubs_stop_with_korean_guidance(path):
    """학생판을 스텁·채점·정리에 필요한 셀만 골라 실행한다 (`notebooks.check_plan`, 긴 실습 셀은 nbval이 돌린다).

    - 스텁 셀은 모두 TodoError와 한국어 안내로 멈춘다.
    - 채점 셀은 모두 GradeFailed로 끝나고, 바로 앞 스텁이 정할 답 이름(정답 노트북의 정답 구간이 정의하는 이름,
      `%%answer` 이름)을 "아직 `이름`… 정하지 않았다"로 짚는다. 채점기는 `globals()`를 `need()`·`get()`으로만
      읽으므로 건너뛴 실습 셀의 이름이 없어도 0점 항목이 될 뿐 멈추지 않는다: 학생이 보는 것과 같은 끝이다.
    - 그 밖의 고른 셀(준비, 이름을 정의하는 앞 셀, 정리)은 오류 없이 돈다 (고른 셀이 모자라면 NameError로 드러난다).
    - 정리 셀 뒤에 이 레슨 이름으로 남은 프로세스·컨테이너가 없다.
    """
    full = nbformat.read(path, as_version=4)
    solution = nbformat.read(notebooks.SOLUTIONS / path.name, as_version=4)
    plan = notebooks.check_plan(full)
    nb = nbformat.v4.new_notebook(metadata=full.metadata)
    nb.cells = [full.cells[i] for i in plan] + [nbformat.v4.new_code_cell(LEFTOVERS)]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    stubs, pending = 0, set()
    for cell in nb.cells:
        errors = _errors(cell)
        if notebooks.STUB_CALL in cell.source:
            stubs += 1
            assert errors == ["TodoError"], cell.source
            assert "아직 답을 쓰지 않았다" in next(o["evalue"] for o in cell.outputs if o["output_type"] == "error")
            # 짝이 되는 정답 셀: 스텁으로 바꾸면 이 셀이 되는 셀 (번호는 notebooks/가 오래되면 어긋난다)
            source = next((c.source for c in solution.cells if c.cell_type == "code"
                           and notebooks.strip_solutions(c.source, "code") == cell.source), None)
            assert source is not None, f"정답 노트북에 이 스텁의 짝이 없다 (`make notebooks`): {cell.source}"
            pending |= notebooks.answer_names(source)
        elif "grader" in cell.metadata.get("tags", []):
            # 스텁 뒤의 채점 셀은 실패하되, 한국어로 무엇을 정해야 하는지 알려 준다.
            assert pending, f"앞에 스텁이 없는 채점 셀은 이 검사로 볼 수 없다: {cell.source}"
            assert errors == ["GradeFailed"], cell.source + _text(cell)
            text = _text(cell)
            assert "정하지 않았다" in text and any(f"아직 `{name}`" in text for name in pending), (pending, text)
            pending = set()
        else:
            assert errors == [], cell.source + "\n" + "".join(o.get("evalue", "") for o in cell.outputs)
    assert stubs > 0
    line = next(t for t in _text(nb.cells[-1]).splitlines() if t.startswith("LEFTOVERS "))
    left = json.loads(line.removeprefix("LEFTOVERS "))
    assert not any(left.values()), f"정리 셀 뒤에 남은 것: {left}"


def test_check_plan_runs_only_what_stubs_graders_and_cleanup_need():
    cells = [
        nbformat.v4.new_code_cell("import labs\nLAB = 'x'"),
        nbformat.v4.new_code_cell("app = labs.start_uvicorn(LAB)"),
        nbformat.v4.new_code_cell("result = labs.load(app.url)  # 긴 실습"),
        nbformat.v4.new_code_cell("labs.plots.plot_load(result)"),
        nbformat.v4.new_markdown_cell("## 체크포인트"),
        nbformat.v4.new_code_cell("# 여기에 답을 쓴다.\nlabs.todo('in_flight')"),
        nbformat.v4.new_code_cell("labs.checkpoints.start_here.littles_law(globals())",
                                  metadata={"tags": ["grader"]}),
        nbformat.v4.new_code_cell("late = [a.alive() for a in [app]]"),
        nbformat.v4.new_code_cell("labs.cleanup(LAB)"),
        nbformat.v4.new_code_cell("print(app.alive())"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    assert notebooks.check_plan(nb) == [0, 1, 5, 6, 8, 9]


def test_cell_names_follow_python_scopes():
    defs, free = notebooks.cell_names("def f(a, b=c):\n    z = a + g\n    return z\nxs = [x for x in ys]\nn += 1\n")
    assert set(defs) == {"f", "xs", "n"} and free == {"c", "g", "ys", "n"}
    assert notebooks.cell_names("%%answer Dockerfile\nFROM python") == ({}, set())
    defs, free = notebooks.cell_names("%load_ext labs.exercises\nimport os.path as p\nprint(p, LAB)")
    assert set(defs) == {"p"} and free == {"LAB"}


def test_answer_names_come_from_the_solution_block():
    cell = "x = 1\n### BEGIN SOLUTION 힌트\nmy_server = start(x)\ndef check_redis(url):\n    y = 2\n### END SOLUTION\n"
    assert notebooks.answer_names(cell) == {"my_server", "check_redis"}
    assert notebooks.answer_names("%%answer nginx.conf\n### BEGIN SOLUTION\nserver {}\n") == {"nginx.conf"}


# ---- 손으로 하는 레슨(이슈 13): 과제 수, 채점 수, 시간 ------------------------------------------------

HANDS_ON = [p for p in STUDENT if nbformat.read(p, as_version=4).metadata.get("course", {}).get("hands_on")]
"""노트북 메타데이터에 `"course": {"hands_on": true, "minutes": N}`을 단 레슨 (solutions/에서 notebooks/로 옮겨진다)."""

MIN_TASKS, MIN_GRADED, MAX_MINUTES, MAX_CELLS = 6, 4, 45, 60


def learner_tasks(nb) -> dict[str, int]:
    """학생판의 과제: 스텁 셀(`labs.todo(`) 가운데 파일 셀(`%%lab_file`), 예측 셀(`labs.predict(`), 그 밖의 코드 빈칸과
    `grader` 태그 셀(체크포인트) 수."""
    counts = {"파일 셀": 0, "예측": 0, "코드 빈칸": 0, "체크포인트": 0}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "grader" in cell.metadata.get("tags", []):
            counts["체크포인트"] += 1
        if notebooks.STUB_CALL not in cell.source:
            continue
        if cell.source.lstrip().startswith("%%lab_file"):
            counts["파일 셀"] += 1
        elif "labs.predict(" in cell.source:
            counts["예측"] += 1
        else:
            counts["코드 빈칸"] += 1
    return counts


@pytest.mark.parametrize("path", HANDS_ON, ids=lambda p: p.name)
def test_hands_on_lesson_has_enough_tasks_and_a_time_budget(path):
    nb = nbformat.read(path, as_version=4)
    counts = learner_tasks(nb)
    tasks = counts["파일 셀"] + counts["예측"] + counts["코드 빈칸"]
    assert tasks >= MIN_TASKS, f"과제 {tasks}개 (최소 {MIN_TASKS}): {counts}"
    assert counts["체크포인트"] >= MIN_GRADED, f"체크포인트 {counts['체크포인트']}개 (최소 {MIN_GRADED})"
    assert counts["파일 셀"] >= 1, "레슨이 가르치는 설정 파일을 학습자가 고치는 파일 셀(`%%lab_file`)이 하나는 있어야 한다"
    assert counts["예측"] >= 1
    minutes = nb.metadata["course"].get("minutes")
    assert isinstance(minutes, int) and 0 < minutes <= MAX_MINUTES, f"예상 시간 {minutes}분 (최대 {MAX_MINUTES}분)"
    top = nb.cells[0].source
    assert f"예상 시간: 약 {minutes}분" in top, "첫 셀에 메타데이터와 같은 예상 시간을 적는다"
    assert len(nb.cells) <= MAX_CELLS, f"셀 {len(nb.cells)}개 (최대 {MAX_CELLS}): 레슨을 나눈다 (예: 05a/05b)"
    assert any("쉬는 지점" in c.source for c in nb.cells if c.cell_type == "markdown"), "워크숍 쉬는 지점을 표시한다"


HANDS_ON_STEMS = {"00_start_here", "01_asgi_servers", "02_wsgi_gunicorn", "03_pm2_nodejs", "07_health_and_shutdown",
                  "08_twelve_factor_config", "09_tls_termination"}
"""과제형으로 바뀐 레슨 (README 코스 지도의 "00~03과 07~09"). 04·05·06은 나누면서 과제형으로 바꾼다."""


def test_hands_on_lessons_are_declared():
    assert {p.stem for p in HANDS_ON} == HANDS_ON_STEMS


def test_learner_tasks_counts_kinds():
    cells = [
        nbformat.v4.new_code_cell("%%lab_file a.conf\n# ✍️ …\nlabs.todo('x')\n"),
        nbformat.v4.new_code_cell("labs.todo('y')\nlabs.predict('k', v, 'q')"),
        nbformat.v4.new_code_cell("labs.todo('z')"),
        nbformat.v4.new_code_cell("labs.checkpoints.x.y(globals())", metadata={"tags": ["grader"]}),
        nbformat.v4.new_code_cell("%%lab_file given.conf\nworkers = 2\n"),
    ]
    assert learner_tasks(nbformat.v4.new_notebook(cells=cells)) == {"파일 셀": 1, "예측": 1, "코드 빈칸": 1, "체크포인트": 1}

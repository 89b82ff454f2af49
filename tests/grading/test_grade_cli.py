"""강사용 일괄 채점(`python -m labs.grade`)을 정상·망가진 제출물로 검증한다."""

import csv
import shutil
import subprocess
import sys

import nbformat
import pytest

from grading_corpus import SOLUTION, cases
from labs import grade
from labs.registry import PROJECT_ROOT

STUDENT_NOTEBOOK = PROJECT_ROOT / "notebooks" / "10_exercises.ipynb"


def _case(number, name):
    return next(c for c in cases(number) if c.path.name == name)


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nbformat.write(nb, path)
    return path


def _rows(out):
    with open(out / "grades.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_bulk_static_grading_of_good_and_malformed_submissions(tmp_path):
    subs = tmp_path / "subs"
    (subs / "kim").mkdir(parents=True)
    shutil.copy(SOLUTION, subs / "kim" / "10_exercises.ipynb")
    shutil.copy(STUDENT_NOTEBOOK, subs / "stub.ipynb")
    (subs / "broken.ipynb").write_text("{ 이건 JSON이 아니다", encoding="utf-8")
    (subs / "empty.ipynb").write_bytes(b"")
    yaml_case, ngx_case, loop_case, typo_case = (_case(3, "broken_yaml.yml"), _case(5, "missing_semicolon.conf"),
                                                 _case(4, "loop_forever.sh"), _case(2, "typo.py.txt"))
    _notebook(subs / "mixed.ipynb", [
        "import labs\n%load_ext labs.exercises",
        "%%writefile answers/docker-compose.dev.yml\n" + yaml_case.text,
        "%%answer nginx.conf\n" + ngx_case.text,
        "%%answer deploy.sh\n" + loop_case.text,
        "%%answer gunicorn.conf.py\n" + typo_case.text,
    ])
    out = tmp_path / "out"
    results = grade.grade_many([str(subs)], out=out, jobs=3, live=False)
    by = {r["student"]: r for r in results}
    assert set(by) == {"kim", "stub", "broken", "empty", "mixed"}

    def score(name):
        return sum(e["earned"] for e in by[name]["exercises"]), sum(e["total"] for e in by[name]["exercises"])

    earned, total = score("kim")
    assert earned == total > 0 and by["kim"]["verdict"] is None
    assert score("stub")[0] == 0 and by["stub"]["verdict"] is None
    assert "JSON" in by["broken"]["verdict"] and score("broken")[0] == 0
    assert "비어 있다" in by["empty"]["verdict"]
    rows = [r for r in _rows(out) if r["student"] == "mixed"]
    for number, case in ((2, typo_case), (3, yaml_case), (4, loop_case), (5, ngx_case)):
        failed = {r["key"] for r in rows if r["exercise"] == str(number) and r["passed"] == "0"}
        assert failed == set(case.fail), (number, failed)
    assert all(r["passed"] == "0" and "찾지 못했다" in r["feedback"] for r in rows if r["exercise"] == "1")
    stub_rows = [r for r in _rows(out) if r["student"] == "stub"]
    assert stub_rows and all("빈칸" in r["feedback"] for r in stub_rows)
    for name in by:
        text = (out / "feedback" / f"{name}.md").read_text(encoding="utf-8")
        assert text.startswith(f"# 연습 문제 채점 결과: {name}")
    summary = list(csv.DictReader(open(out / "summary.csv", encoding="utf-8")))
    assert {r["student"] for r in summary} == set(by)


def test_command_line_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "labs.grade", str(SOLUTION), "--static", "--exercises", "2",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=180,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = _rows(tmp_path / "out")
    assert rows and {r["exercise"] for r in rows} == {"2"} and all(r["passed"] == "1" for r in rows)
    assert "10_exercises" in done.stdout or "solutions" in done.stdout


def test_nothing_to_grade(tmp_path):
    with pytest.raises(SystemExit):
        grade.grade_many([str(tmp_path)], out=tmp_path / "out", live=False)


@pytest.mark.requires("docker")
def test_timeout_stops_one_submission_without_touching_the_other(tmp_path):
    """끝나지 않는 배포 스크립트의 학생은 타임아웃에 멈추고 그 학생의 컨테이너만 치운다. 옆 학생은 만점."""
    from labs.docker import client

    subs = tmp_path / "subs"
    (subs / "good").mkdir(parents=True)
    shutil.copy(SOLUTION, subs / "good" / "10_exercises.ipynb")
    _notebook(subs / "looper.ipynb", ["%%answer deploy.sh\n" + _case(4, "loop_forever.sh").text])
    # 학생 하나의 채점 한도는 배포 스크립트 자체의 한도(SCRIPT_TIMEOUT 150초)보다 짧아야 일괄 채점의 타임아웃이
    # 먼저 걸린다. 정상 학생은 조용한 기계에서 70초 안팎이다.
    from labs.exercises.deploy import SCRIPT_TIMEOUT
    assert 130 < SCRIPT_TIMEOUT
    results = grade.grade_many([str(subs)], out=tmp_path / "out", jobs=2, live=True, numbers=[4], timeout=130,
                               warm=False)
    by = {r["student"]: r for r in results}
    assert "타임아웃" in (by["looper"]["verdict"] or "")
    good = by["good"]["exercises"][0]
    assert good["earned"] == good["total"], good
    looper = next(s for s in grade.collect([str(subs)]) if s.student == "looper")
    names = [c.name for c in client().containers.list(all=True)]
    assert not [n for n in names if n.startswith(f"course-10-{looper.slug}")]

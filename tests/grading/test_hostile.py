"""적대적 제출물(hostile/)을 정답과 한 배치로 `--static` 일괄 채점해 채점기가 안전한지 증명한다 (이슈 14).

증명하는 것: 상자 밖의 파일을 만들거나 바꾸지 못한다, 시크릿·정답이 피드백·보고서에 나오지 않는다, 프로세스가 남지 않는다,
채점 프로세스 트리의 메모리가 한도 안이다, 배치가 끝까지 가고 다른 학생의 점수는 그대로다, 위조한 결과는 검증에 걸린다.
"""

import csv
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from grading_corpus import SOLUTION
from labs import grade, sandbox
from labs.exercises import NAMES
from labs.registry import PROJECT_ROOT

HOSTILE = Path(__file__).parent / "hostile"
CANARY = "HOSTILE-CANARY"
MEMORY_BOUND_MB = 1024
"""채점 프로세스 트리에서 가장 큰 프로세스의 최대 RSS 상한 (상자의 메모리 한도: 도구 256~768MB, 자식 1.5GB 데이터)."""
ANSWER_KEY_MARKERS = ("api_per_ip", "dev-only-password", "forwarded_allow_ips", "FORWARDED_ALLOW_IPS")

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap이 없다")


def _hostile_cases():
    for f in sorted(HOSTILE.iterdir()):
        if f.name.startswith("ex") and f.name[2].isdigit():
            yield int(f.name[2]), f


def _notebook(path: Path, number: int, text: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext labs.exercises"),
                nbformat.v4.new_code_cell(f"%%answer {NAMES[number - 1]}\n{text}")]
    nbformat.write(nb, path)
    return path


def _targets() -> list[Path]:
    return [PROJECT_ROOT / "labs" / "yaml.py", PROJECT_ROOT / "HOSTILE-WROTE-HERE", Path("/tmp/HOSTILE-WROTE-HERE"),
            Path("/tmp/HOSTILE-nginx-access.log"), Path("/tmp/HOSTILE-nginx-temp")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    subs = tmp / "subs"
    (subs / "kim").mkdir(parents=True)
    shutil.copy(SOLUTION, subs / "kim" / "10_exercises.ipynb")
    cases = list(_hostile_cases())
    for number, f in cases:
        _notebook(subs / f"h_{f.stem.replace('.', '_')}.ipynb", number, f.read_text(encoding="utf-8"))
    secret = tmp / "secret.txt"
    secret.write_text(f"{CANARY}-file\n")
    secret.chmod(0o600)
    for t in _targets():
        assert not t.exists(), t
    marker = tmp / "marker"
    marker.write_text("")
    env = {**os.environ, "HOSTILE_SECRET": f"{CANARY}-env", "HOSTILE_SECRET_FILE": str(secret)}
    out = tmp / "out"
    before = {p.pid for p in psutil.process_iter()}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "labs.grade", str(subs), "--static", "--jobs", "2", "--out", str(out),
                           "--timeout", "120"], capture_output=True, text=True, timeout=900, env=env, cwd=tmp)
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\n📏 적대적 제출물 {len(cases)}개 + 정답 1개 --static 일괄 채점: {seconds:.1f}초, "
          f"채점 프로세스 트리의 최대 RSS {peak_mb:.0f}MB (상한 {MEMORY_BOUND_MB}MB)")
    time.sleep(0.5)
    leftover = [p for p in psutil.process_iter(["pid", "uids", "cmdline"]) if p.pid not in before]
    return {"done": done, "out": out, "seconds": seconds, "peak_mb": peak_mb, "cases": cases, "marker": marker,
            "leftover": leftover, "tmp": tmp}


def _rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_corpus_covers_the_attack_classes():
    text = "\n".join(f.read_text(encoding="utf-8") for _n, f in _hostile_cases())
    assert len(list(_hostile_cases())) >= 8
    for cls in ("종류 1", "종류 2", "종류 3", "종류 4", "종류 5", "종류 6"):
        assert cls in text, cls


def test_batch_completes_and_good_student_keeps_full_marks(batch):
    assert batch["done"].returncode == 0, batch["done"].stdout[-2000:] + batch["done"].stderr[-2000:]
    with open(batch["out"] / "summary.csv", encoding="utf-8") as f:
        summary = {r["student"]: r for r in csv.DictReader(f)}
    assert len(summary) == len(batch["cases"]) + 1
    assert summary["kim"]["total"] == summary["kim"]["max_total"] and not summary["kim"]["verdict"]


def test_static_grading_of_hostile_corpus_is_fast(batch):
    # 측정값은 위의 📏 줄에 찍힌다. 이슈의 기준은 60초다 (바쁜 공유 기계를 생각해 여유를 둔다).
    assert batch["seconds"] < 180


def test_no_file_outside_the_sandbox_is_created_or_changed(batch):
    for t in _targets():
        assert not t.exists(), t
    newer = subprocess.run(["find", "/tmp", str(PROJECT_ROOT), "-xdev", "-newer", str(batch["marker"]),
                            "-name", "*HOSTILE*", "-not", "-path", f"{PROJECT_ROOT}/tests/*"],
                           capture_output=True, text=True, timeout=120).stdout.split()
    assert newer == []


def test_no_secret_or_answer_key_in_feedback_or_reports(batch):
    out = batch["out"]
    for f in [out / "grades.csv", out / "summary.csv", *(out / "feedback").glob("*.md")]:
        text = f.read_text(encoding="utf-8")
        assert CANARY not in text, f
        assert "root:" not in text and "LOOT" not in text, f
        if f.name.startswith("h_"):
            for m in ANSWER_KEY_MARKERS:
                assert m not in text, (f, m)
    for f in (out / "logs").glob("h_*.log"):
        assert CANARY not in f.read_text(errors="replace"), f


def test_no_process_left_and_memory_bounded(batch):
    left = [p for p in batch["leftover"] if p.is_running()
            and (p.info["uids"] and sandbox.UID_BASE <= p.info["uids"].real < sandbox.UID_BASE + sandbox.UID_SPAN
                 or "sleep 3600" in " ".join(p.info["cmdline"] or []))]
    assert left == []
    assert batch["peak_mb"] < MEMORY_BOUND_MB


def test_hostile_answers_get_no_forged_points_and_clear_feedback(batch):
    rows = [r for r in _rows(batch["out"]) if r["student"].startswith("h_")]
    assert rows
    for r in rows:
        assert int(r["points"]) in (0, int(r["max_points"])) and len(r["feedback"]) <= grade.MAX_FEEDBACK
    def failed(student, number):
        return {r["key"] for r in rows if r["student"] == student and r["exercise"] == str(number) and r["passed"] == "0"}
    assert "nginx_t" in failed("h_ex5_include_zero", 5)
    assert "nginx_t" in failed("h_ex5_write_outside", 5)
    assert "nginx_t" in failed("h_ex5_alias_secret", 5)
    assert "accepted" in failed("h_ex3_host_escape", 3)
    assert "accepted" in failed("h_ex3_billion_laughs", 3)
    fb = {r["key"]: r["feedback"] for r in rows if r["student"] == "h_ex5_write_outside"}
    assert "넘기지 않았다" in fb["nginx_t"]


def _sub(tmp_path):
    return grade.Submission("x", tmp_path / "x.ipynb", "x-1", "10g-x-1")


def test_forged_and_malformed_results_are_validated(tmp_path):
    forged = {"verdict": "\x1b[2J" + "가" * 5000, "exercises": [
        {"number": 2, "rows": [{"key": "accepted", "criterion": "가짜", "points": 999, "passed": True},
                               {"key": "workers", "points": -5, "passed": True},
                               {"key": "extra", "criterion": "더한 기준", "points": 50, "passed": True}]}]}
    res = grade.validate_result(forged, _sub(tmp_path), [2], live=False)
    e = res["exercises"][0]
    assert e["earned"] == 0 and {r["key"] for r in e["rows"]} >= {"accepted", "workers"}
    assert "extra" not in {r["key"] for r in e["rows"]} and len(res["verdict"]) <= 400 and "\x1b" not in res["verdict"]
    good = grade._rows_for(grade.ex.module(2), False, "")
    ok = {"exercises": [{"number": 2, "rows": [{**r, "points": r["max_points"], "passed": True} for r in good]}]}
    assert grade.validate_result(ok, _sub(tmp_path), [2], live=False)["exercises"][0]["earned"] == sum(
        r["max_points"] for r in good)
    for bad in ([], "x", {"exercises": "x"}, {"exercises": [{"number": "2"}]}):
        try:
            res = grade.validate_result(bad, _sub(tmp_path), [2], live=False)
            assert res["exercises"][0]["earned"] == 0
        except ValueError:
            pass

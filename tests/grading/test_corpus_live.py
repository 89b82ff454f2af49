"""10 레슨 채점기의 실제 상태 기준을 틀린 답 몇 개로 검증한다 (빌드하고, 띄우고, 부하를 건다).

`# expect-fail-live:` 줄이 있는 답만 실제로 띄운다. 정답의 실제 상태 만점은 정답 노트북(nbval)이 증명한다;
여기서는 빨리 끝나는 문제 2·5의 정답만 한 번 더 본다.
"""

from pathlib import Path

import psutil
import pytest

import labs
from grading_corpus import answer_key, cases, explain, failing, grade
from labs import sandbox
from labs.exercises import NAMES, deploy
from labs.exercises.common import slugify

LAB = "t-grading-live"
NEEDS = {1: "docker", 3: "docker", 4: "docker", 5: "nginx"}


def _param(case):
    marks = [pytest.mark.requires(NEEDS[case.number])] if case.number in NEEDS else []
    return pytest.param(case, marks=marks, id=case.id)


@pytest.fixture(autouse=True)
def _cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


@pytest.mark.parametrize("case", [_param(c) for c in cases() if c.fail_live is not None])
def test_wrong_answer_fails_exactly_the_expected_live_criteria(case, monkeypatch):
    if case.path.name == "loop_forever.sh":
        monkeypatch.setattr(deploy, "SCRIPT_TIMEOUT", 8.0)  # 끝나지 않는 스크립트: 타임아웃만 짧게
    score = grade(case.number, case.text, live=True, lab=LAB, slug=slugify(f"{case.number}-{case.path.stem}", 20))
    assert failing(score) == set(case.fail | case.fail_live), explain(score)


@pytest.mark.parametrize("number", [2, pytest.param(5, marks=pytest.mark.requires("nginx"))])
def test_answer_key_gets_full_live_marks(number):
    score = grade(number, answer_key()[NAMES[number - 1]], live=True, lab=LAB, slug=f"key{number}")
    assert score.full, explain(score)


@pytest.mark.requires("docker")
def test_looping_deploy_script_is_stopped_with_its_children(monkeypatch):
    """끝나지 않는 스크립트는 타임아웃에 프로세스 그룹째 멈추고, 망가진 릴리스 단계는 건너뛴다."""
    monkeypatch.setattr(deploy, "SCRIPT_TIMEOUT", 6.0)
    text = next(c for c in cases(4) if c.path.name == "loop_forever.sh").text
    score = grade(4, text, live=True, lab=LAB, slug="loop2")
    notes = {o.criterion.key: o.note for o in score.outcomes}
    assert "6초 안에 끝나지 않아 멈췄다" in notes["good_exit"]
    assert "시험하지 않았다" in notes["rolled_back"]
    assert not [p for p in labs.registry.live() if p.lab == deploy.common.LAB_UNTRUSTED]


@pytest.mark.requires("docker")
@pytest.mark.skipif(not sandbox.available(), reason="bubblewrap이 없다")
def test_hostile_deploy_script_runs_boxed_and_leaves_nothing(monkeypatch):
    """종류 5를 실제로: 채점기를 얼리려 하고(`kill -STOP $PPID`), setsid로 빠져나가고, 레이블 없는 `--restart=always`
    컨테이너를 남기고, 정답 노트북을 찾아 읽으려는 배포 스크립트. 채점은 끝까지 가고, 아무것도 남지 않는다."""
    from labs.docker import client

    monkeypatch.setattr(deploy, "SCRIPT_TIMEOUT", 30.0)
    text = (Path(__file__).parent / "hostile" / "ex4_escape.sh").read_text(encoding="utf-8")
    score = grade(4, text, live=True, lab=LAB, slug="hostile4")
    feedback = explain(score)
    assert "BEGIN SOLUTION" not in feedback and "api_per_ip" not in feedback
    assert not [c.name for c in client().containers.list(all=True) if c.name == "hostile-leftover"]
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline", "uids"])
            if p.info["uids"] and sandbox.UID_BASE <= p.info["uids"].real < sandbox.UID_BASE + sandbox.UID_SPAN]
    assert not left, left

"""10 레슨 채점기의 정적 기준을 정답과 틀린 답 모음으로 검증한다 (빠르다: 아무것도 띄우지 않는다).

틀린 답마다 실패해야 하는 기준의 집합이 정확히 맞아야 한다: 더 실패해도, 덜 실패해도 안 된다.
"""

import pytest

from grading_corpus import answer_key, cases, explain, failing, grade
from labs.exercises import NAMES


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_answer_key_gets_full_static_marks(number):
    score = grade(number, answer_key()[NAMES[number - 1]], live=False)
    assert score.full, explain(score)


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_wrong_answer_fails_exactly_the_expected_static_criteria(case):
    # 문제 2는 채점 기계의 코어 수와 상관없이 8코어 서버에서 읽은 것처럼 채점한다: 기계에 따른 예외가 없다.
    expected = set(case.fail)
    score = grade(case.number, case.text, live=False)
    assert failing(score) == expected, explain(score)


def test_every_static_criterion_is_exercised_by_some_wrong_answer():
    """틀린 답 모음이 모든 정적 기준을 한 번 이상 떨어뜨린다 (검증되지 않은 기준이 없다)."""
    from labs.exercises import module
    from labs.exercises.common import Session

    covered = {(c.number, key) for c in cases() for key in c.fail}
    for n in range(1, 6):
        mod = module(n)
        keys = {c.key for c in mod.criteria(Session(mod.ANSWER, {}, "none", False, __import__("pathlib").Path("."), "x"))
                if not c.live}
        missing = {k for k in keys if (n, k) not in covered}
        assert not missing, f"연습 문제 {n}: 틀린 답이 없는 정적 기준 {sorted(missing)}"


def test_missing_answer_says_what_to_do():
    from labs.exercises import common, module

    score = common.grade(module(2), {}, live=False, lab="t-grading", slug="t")
    assert score.earned == 0
    assert all("정하지 않았다" in o.note for o in score.outcomes)

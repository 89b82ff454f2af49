import pytest

from labs.grading import Criterion, Grader, TodoError, todo


def crit(points, result):
    return Criterion("기준", points, lambda ns: result)


def test_partial_credit_and_assertion():
    g = Grader("t", [crit(2, (True, "")), crit(3, (False, "틀림"))])
    score = g.score({})
    assert (score.earned, score.total, score.full) == (2, 5, False)
    with pytest.raises(AssertionError, match="2/5점"):
        g({}, show=False)


def test_missing_answer_is_friendly():
    from labs.grading import need

    g = Grader("t", [Criterion("x", 1, lambda ns: (need(ns, "answer") == 1, ""))])
    score = g.score({})
    assert "아직 `answer`를 정하지 않았다" in score.outcomes[0].note


def test_crashing_check_never_crashes_grader():
    def boom(ns):
        raise ZeroDivisionError("x")

    score = Grader("t", [Criterion("x", 1, boom)]).score({})
    assert "ZeroDivisionError" in score.outcomes[0].note


def test_full_marks_returns_score(capsys):
    assert Grader("t", [crit(1, (True, "좋다"))])({}) is None
    assert "만점" in capsys.readouterr().out


def test_todo_is_korean():
    with pytest.raises(TodoError, match="아직 답을 쓰지 않았다"):
        todo("워커 수를 정한다")

"""02 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (설정 파일은 실제 gunicorn으로 채점된다)."""

import pytest

import labs
from labs.checkpoints import wsgi_gunicorn as cp

LAB = "t-checkpoint-02"

GOOD = """\
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 20
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
"""

# 기준 순서: 받아들임, 모르는 이름 없음, gthread·스레드 4, WEB_CONCURRENCY, 타임아웃, 워커 교체, 접근 로그, 실제 실행


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def failed(grader, ns):
    return [i for i, o in enumerate(grader.score({**ns, "LAB": LAB}).outcomes) if not o.passed]


def test_config_right_answer_gets_full_marks():
    score = cp.config_file.score({"my_config": GOOD, "LAB": LAB})
    assert score.full, str(score)
    assert not labs.registry.live(LAB), "채점이 끝나면 띄운 gunicorn은 멈춰 있어야 한다"


@pytest.mark.parametrize("text, expected", [
    # 오타: gunicorn은 받아들이지만 threads가 기본값 1로 남는다
    (GOOD.replace("threads = 4", "thread = 4"), [1, 2]),
    # 워커 수를 못 박으면 WEB_CONCURRENCY도, 실제 워커 수(2)도 틀린다
    (GOOD.replace('int(os.environ.get("WEB_CONCURRENCY", "2"))', "4"), [3, 7]),
    (GOOD.replace("graceful_timeout = 20", "graceful_timeout = 30"), [4]),
    (GOOD.replace("max_requests_jitter = 100", "max_requests_jitter = 0"), [5]),
    (GOOD.replace('accesslog = "-"', 'accesslog = None'), [6]),
    # sync라고 적어도 threads가 1보다 크면 gunicorn이 gthread 워커로 바꿔 띄운다: 설정 기준만 잃는다
    (GOOD.replace('"gthread"', '"sync"'), [2]),
])
def test_config_wrong_answers_fail_exactly_their_criteria(text, expected):
    assert failed(cp.config_file, {"my_config": text}) == expected


def test_config_rejected_by_gunicorn_fails_everything():
    assert failed(cp.config_file, {"my_config": "workers = (\n"}) == list(range(8))
    score = cp.config_file.score({"my_config": "workers = 'many'\n", "LAB": LAB})
    assert "gunicorn이 거부했다" in score.outcomes[0].note


def test_config_missing_or_not_a_string():
    assert cp.config_file.score({}).earned == 0
    assert "정하지 않았다" in cp.config_file.score({}).outcomes[0].note
    assert cp.config_file.score({"my_config": 42}).earned == 0


def test_config_grader_raises_for_notebook():
    with pytest.raises(AssertionError):
        cp.config_file({"my_config": GOOD.replace("threads = 4", "thread = 4"), "LAB": LAB}, show=False)


RIGHT = {"A": "gevent", "B": "sync", "C": "uvicorn_worker.UvicornWorker", "D": "gthread"}


def test_worker_choice_right_and_alternatives():
    assert cp.worker_choice.score({"worker_choice": RIGHT}).full
    assert cp.worker_choice.score({"worker_choice": {**RIGHT, "C": "asgi", "A": "-k gevent"}}).full


def test_worker_choice_wrong_answers():
    wrong = {"A": "eventlet", "B": "gevent", "C": "uvicorn.workers.UvicornWorker", "D": "tornadox"}
    score = cp.worker_choice.score({"worker_choice": wrong})
    assert score.earned == 0
    notes = [o.note for o in score.outcomes]
    assert "제거됐다" in notes[0] and "맞지 않는다" in notes[1] and "폐기 예정" in notes[2]
    assert "불러올 수 없는" in notes[3]
    partial = cp.worker_choice.score({"worker_choice": {**RIGHT, "B": "gthread"}})
    assert [o.passed for o in partial.outcomes] == [True, False, True, True]
    missing = cp.worker_choice.score({"worker_choice": {"A": "gevent"}})
    assert missing.earned == 1 and "답이 없다" in missing.outcomes[1].note
    assert cp.worker_choice.score({"worker_choice": ["gevent"]}).earned == 0

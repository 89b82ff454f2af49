"""02 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (설정 파일은 실제 gunicorn으로 채점된다)."""

import time

import pytest

import labs
from labs.checkpoints import wsgi_gunicorn as cp

LAB = "t-checkpoint-02"

GOOD = """\
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 20
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
"""

# 2-3 기준 순서: 받아들임, 모르는 이름 없음, gthread·스레드 4, WEB_CONCURRENCY, GUNICORN_BIND, 타임아웃, 워커 교체,
# 접근 로그, 실제 실행


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def files(name, text):
    return {"LAB_FILES": {name: text}, "LAB": LAB}


def failed(grader, name, text):
    return [i for i, o in enumerate(grader.score(files(name, text)).outcomes) if not o.passed]


def test_config_right_answer_gets_full_marks():
    started = time.monotonic()
    score = cp.config_file.score(files("gunicorn.conf.py", GOOD))
    assert score.full, str(score)
    assert time.monotonic() - started < 60
    assert not labs.registry.live(LAB), "채점이 끝나면 띄운 gunicorn은 멈춰 있어야 한다"


@pytest.mark.parametrize("text, expected", [
    # 오타: gunicorn은 받아들이지만 threads가 기본값 1로 남는다
    (GOOD.replace("threads = 4", "thread = 4"), [1, 2]),
    # 워커 수를 못 박으면 WEB_CONCURRENCY도, 실제 워커 수(2)도 틀린다
    (GOOD.replace('int(os.environ.get("WEB_CONCURRENCY", "2"))', "4"), [3, 8]),
    # 바인드를 못 박으면 채점기가 준 포트에서 듣지 않는다 (실제 실행도 실패)
    (GOOD.replace('os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")', '"127.0.0.1:8000"'), [4, 8]),
    (GOOD.replace("graceful_timeout = 20", "graceful_timeout = 30"), [5]),
    (GOOD.replace("max_requests_jitter = 100", "max_requests_jitter = 0"), [6]),
    (GOOD.replace('accesslog = "-"', 'accesslog = None'), [7]),
    # sync라고 적어도 threads가 1보다 크면 gunicorn이 gthread 워커로 바꿔 띄운다: 설정 기준만 잃는다
    (GOOD.replace('"gthread"', '"sync"'), [2]),
])
def test_config_wrong_answers_fail_exactly_their_criteria(text, expected):
    assert failed(cp.config_file, "gunicorn.conf.py", text) == expected


def test_config_rejected_by_gunicorn_fails_everything():
    assert failed(cp.config_file, "gunicorn.conf.py", "workers = (\n") == list(range(9))
    score = cp.config_file.score(files("gunicorn.conf.py", "workers = 'many'\n"))
    assert "gunicorn이 거부했다" in score.outcomes[0].note


def test_config_missing():
    score = cp.config_file.score({})
    assert score.earned == 0 and "아직 `gunicorn.conf.py`를 정하지 않았다" in score.outcomes[0].note


def test_config_grader_raises_for_notebook():
    with pytest.raises(AssertionError):
        cp.config_file(files("gunicorn.conf.py", GOOD.replace("threads = 4", "thread = 4")), show=False)


TYPO = 'worker_class = "gthread"\nworker = 4\nthread = 4\n'


def test_typo_fixed_and_broken():
    fixed = TYPO.replace("worker =", "workers =").replace("thread =", "threads =")
    started = time.monotonic()
    assert cp.typo_fixed.score(files("typo.conf.py", fixed)).full
    assert time.monotonic() - started < 60
    assert failed(cp.typo_fixed, "typo.conf.py", TYPO) == [1, 2, 3]
    # 한 이름만 고치면: 워커는 4개지만 스레드는 1개 (gthread의 스레드 풀은 그대로라 실제 실행 기준은 통과한다)
    half = TYPO.replace("worker =", "workers =")
    assert failed(cp.typo_fixed, "typo.conf.py", half) == [1, 2]
    assert "아직 `typo.conf.py`" in cp.typo_fixed.score({}).outcomes[0].note


SLOW = "workers = 2\ntimeout = 2\n"


def test_timeout_fixed_and_broken():
    started = time.monotonic()
    assert cp.timeout_fixed.score(files("slow.conf.py", SLOW.replace("timeout = 2", "timeout = 30"))).full
    assert time.monotonic() - started < 60
    broken = cp.timeout_fixed.score(files("slow.conf.py", SLOW))
    assert [o.passed for o in broken.outcomes] == [True, False, False]
    assert "WORKER TIMEOUT" in broken.outcomes[2].note
    # 타임아웃을 끄면 요청은 끝나지만 답이 아니다
    off = cp.timeout_fixed.score(files("slow.conf.py", SLOW.replace("timeout = 2", "timeout = 0")))
    assert [o.passed for o in off.outcomes] == [True, False, True] and "끈다" in off.outcomes[1].note


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

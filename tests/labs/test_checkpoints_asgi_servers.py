"""01 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (1-1~1-3은 실제 uvicorn·gunicorn·hypercorn으로 채점된다).

틀린 답은 해당 기준만 잃어야 한다. 고장 내고 고치기의 망가진 파일(노트북이 건네는 글 그대로)도 채점해 본다."""

import time

import pytest

import labs
from labs.checkpoints import asgi_servers as cp

LAB = "t-checkpoint-01"


@pytest.fixture(scope="module", autouse=True)
def migrated():
    labs.migrate(LAB)
    yield
    labs.cleanup(LAB, quiet=True)


def files(name, text):
    return {"LAB_FILES": {name: text}, "LAB": LAB}


def failed(grader, name, text):
    score = grader.score(files(name, text))
    return [i for i, o in enumerate(score.outcomes) if not o.passed], score


# ---- 1-1 이벤트 루프를 막는 호출 -------------------------------------------------------------

REPORT_BROKEN = '''\
"""보고서 API: /report는 외부 보고서 서비스의 응답을 0.5초 기다린다."""
import asyncio
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.get("/report")
async def report():
    time.sleep(0.5)  # 보고서 서비스를 기다린다 (막히는 클라이언트 라이브러리)
    return {"report": "ready"}
'''
"""노트북이 건네는 망가진 `report_app.py` 그대로."""

REPORT_AWAIT = REPORT_BROKEN.replace("    time.sleep(0.5)", "    await asyncio.sleep(0.5)")
REPORT_THREAD = REPORT_BROKEN.replace("    time.sleep(0.5)", "    await asyncio.to_thread(time.sleep, 0.5)")
REPORT_SYNC_DEF = REPORT_BROKEN.replace("async def report", "def report")


@pytest.mark.parametrize("text", [REPORT_AWAIT, REPORT_THREAD, REPORT_SYNC_DEF], ids=["await", "to_thread", "def"])
def test_blocking_fixed_right_answers(text):
    started = time.monotonic()
    score = cp.blocking_fixed.score(files("report_app.py", text))
    assert score.full, str(score)
    assert time.monotonic() - started < 60
    assert not labs.registry.live(LAB), "채점이 끝나면 띄운 uvicorn은 멈춰 있어야 한다"


def test_blocking_broken_file_fails_concurrency_and_health():
    bad, score = failed(cp.blocking_fixed, "report_app.py", REPORT_BROKEN)
    assert bad == [1, 2], str(score)
    assert "차례로" in score.outcomes[1].note


def test_blocking_deleting_the_wait_is_not_a_fix():
    text = REPORT_BROKEN.replace("    time.sleep(0.5)  # 보고서 서비스를 기다린다 (막히는 클라이언트 라이브러리)\n", "")
    bad, score = failed(cp.blocking_fixed, "report_app.py", text)
    assert bad == [3], str(score)


def test_blocking_syntax_error_and_missing():
    bad, score = failed(cp.blocking_fixed, "report_app.py", REPORT_BROKEN.replace("async def report():", "async def report("))
    assert bad == [0, 1, 2, 3] and "문법 오류" in score.outcomes[0].note
    score = cp.blocking_fixed.score({})
    assert score.earned == 0 and "아직 `report_app.py`를 정하지 않았다" in score.outcomes[0].note


# ---- 1-2 시드의 플래그를 gunicorn.conf.py로 ---------------------------------------------------

GOOD = """\
workers = 3
worker_class = "uvicorn_worker.UvicornWorker"
timeout = 3
max_requests = 100
max_requests_jitter = 20
accesslog = "-"
errorlog = "-"
"""
# 기준 순서: 받아들임, 모르는 이름 없음, 워커 3개, 워커 클래스, 접근 로그, 지터, 교체 관찰, 타임아웃 관찰


def test_config_right_answer_gets_full_marks():
    started = time.monotonic()
    score = cp.config_file.score(files("gunicorn.conf.py", GOOD))
    assert score.full, str(score)
    assert time.monotonic() - started < 60
    assert not labs.registry.live(LAB)


def test_config_deprecated_class_and_two_workers():
    text = GOOD.replace("workers = 3", "workers = 2").replace("uvicorn_worker.UvicornWorker", "uvicorn.workers.UvicornWorker")
    bad, score = failed(cp.config_file, "gunicorn.conf.py", text)
    assert bad == [2, 3], str(score)
    assert "폐기 예정" in score.outcomes[3].note


def test_config_no_access_log_and_default_timeout():
    text = GOOD.replace("timeout = 3\n", "").replace('accesslog = "-"\n', "")
    bad, score = failed(cp.config_file, "gunicorn.conf.py", text)
    assert bad == [4, 7], str(score)
    assert "timeout = 3" in score.outcomes[7].note


def test_config_typo_is_silently_ignored_and_no_worker_recycles():
    bad, score = failed(cp.config_file, "gunicorn.conf.py", GOOD.replace("max_requests = 100", "max_request = 100"))
    assert bad == [1, 6], str(score)
    assert "max_request" in score.outcomes[1].note


def test_config_rejected_and_missing():
    bad, score = failed(cp.config_file, "gunicorn.conf.py", "workers = (\n")
    assert bad == list(range(8))
    assert "gunicorn이 거부했다" in score.outcomes[0].note
    score = cp.config_file.score({})
    assert score.earned == 0 and "아직 `gunicorn.conf.py`를 정하지 않았다" in score.outcomes[0].note


# ---- 1-3 hypercorn.toml ------------------------------------------------------------------

TOML_BROKEN = """\
# 시드의 명령을 옮겼다: hypercorn app.main:app --workers 4 --bind 0.0.0.0:8000 --access-logfile - --error-logfile -
bind = "0.0.0.0:8000"
workers = 2
access_logfile = "-"
error_logfile = "-"
"""
"""노트북이 건네는 망가진 `hypercorn.toml` (명령행 플래그 이름을 키로 썼다)."""

TOML_GOOD = TOML_BROKEN.replace("access_logfile", "accesslog").replace("error_logfile", "errorlog")


def test_hypercorn_right_answer():
    started = time.monotonic()
    score = cp.hypercorn_config.score(files("hypercorn.toml", TOML_GOOD))
    assert score.full, str(score)
    assert time.monotonic() - started < 60
    assert not labs.registry.live(LAB)


def test_hypercorn_broken_file_runs_but_loses_the_access_log():
    bad, score = failed(cp.hypercorn_config, "hypercorn.toml", TOML_BROKEN)
    assert bad == [1, 3], str(score)
    assert "access_logfile" in score.outcomes[1].note


def test_hypercorn_one_worker_and_bad_toml():
    bad, score = failed(cp.hypercorn_config, "hypercorn.toml", TOML_GOOD.replace("workers = 2", "workers = 1"))
    assert bad == [2], str(score)
    bad, score = failed(cp.hypercorn_config, "hypercorn.toml", "accesslog = -\n")
    assert bad == [0, 1, 2, 3] and "TOML" in score.outcomes[0].note
    score = cp.hypercorn_config.score({})
    assert score.earned == 0 and "아직 `hypercorn.toml`을 정하지 않았다" in score.outcomes[0].note


# ---- 1-4 워커 수 --------------------------------------------------------------------------

def names(grader, *indices):
    return [grader.criteria[i].description for i in indices]


def failed_names(score):
    return [o.criterion.description for o in score.outcomes if not o.passed]


def test_worker_count_right():
    assert cp.worker_count.score({"workers_sync_io": 5, "workers_async_io": 4}).full


def test_worker_count_forgot_memory():
    score = cp.worker_count.score({"workers_sync_io": 9, "workers_async_io": 4})
    assert failed_names(score) == names(cp.worker_count, 1)
    assert "메모리" in score.outcomes[1].note


def test_worker_count_used_sync_rule_for_async():
    score = cp.worker_count.score({"workers_sync_io": 5, "workers_async_io": 9})
    assert failed_names(score) == names(cp.worker_count, 2)
    assert "동기 워커의 규칙" in score.outcomes[2].note


def test_worker_count_not_integers_or_missing():
    score = cp.worker_count.score({"workers_sync_io": "5", "workers_async_io": 4})
    assert failed_names(score) == names(cp.worker_count, 0, 1)
    assert cp.worker_count.score({}).earned == 0
    score = cp.worker_count.score({"workers_sync_io": 0, "workers_async_io": 4})
    assert failed_names(score) == names(cp.worker_count, 0, 1)


def test_graders_raise_for_the_notebook():
    with pytest.raises(AssertionError):
        cp.worker_count({"workers_sync_io": 9, "workers_async_io": 4})

"""01 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다. 틀린 답은 해당 기준만 잃어야 한다."""

import pytest

import labs
from labs.checkpoints import asgi_servers

LAB = "t-checkpoint-01"
RIGHT = {"workers": 3, "worker_class": "uvicorn_worker.UvicornWorker",
         "args": ["--timeout", "3", "--max-requests", "100", "--max-requests-jitter", "20", "--access-logfile", "-"]}


def failed(score):
    return [o.criterion.description for o in score.outcomes if not o.passed]


def names(grader, *indices):
    return [grader.criteria[i].description for i in indices]


# ---- 1-1 워커 수 ---------------------------------------------------------------------

def test_worker_count_right():
    assert asgi_servers.worker_count.score({"workers_sync_io": 5, "workers_async_io": 4}).full


def test_worker_count_forgot_memory():
    score = asgi_servers.worker_count.score({"workers_sync_io": 9, "workers_async_io": 4})
    assert failed(score) == names(asgi_servers.worker_count, 1)
    assert "메모리" in score.outcomes[1].note


def test_worker_count_used_sync_rule_for_async():
    score = asgi_servers.worker_count.score({"workers_sync_io": 5, "workers_async_io": 9})
    assert failed(score) == names(asgi_servers.worker_count, 2)
    assert "동기 워커의 규칙" in score.outcomes[2].note


def test_worker_count_not_integers_or_missing():
    score = asgi_servers.worker_count.score({"workers_sync_io": "5", "workers_async_io": 4})
    assert failed(score) == names(asgi_servers.worker_count, 0, 1)
    assert asgi_servers.worker_count.score({}).earned == 0
    score = asgi_servers.worker_count.score({"workers_sync_io": 0, "workers_async_io": 4})
    assert failed(score) == names(asgi_servers.worker_count, 0, 1)


# ---- 1-2 플래그대로 띄운 gunicorn -------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def migrated():
    labs.migrate(LAB)
    yield
    labs.cleanup(LAB, quiet=True)


def grade(**spec):
    with labs.start_gunicorn(LAB, workers=spec["workers"], worker_class=spec["worker_class"],
                             args=spec["args"]) as srv:
        return asgi_servers.live_gunicorn.score({"my_gunicorn": srv}), srv


def test_live_gunicorn_right():
    score, _ = grade(**RIGHT)
    assert score.full, str(score)


def test_live_gunicorn_deprecated_class_and_two_workers():
    score, _ = grade(**{**RIGHT, "workers": 2, "worker_class": "uvicorn.workers.UvicornWorker"})
    assert failed(score) == names(asgi_servers.live_gunicorn, 1, 2), str(score)
    assert "폐기 예정" in score.outcomes[2].note


def test_live_gunicorn_no_access_log_and_default_timeout():
    args = ["--max-requests", "100", "--max-requests-jitter", "20"]
    score, _ = grade(**{**RIGHT, "args": args})
    assert failed(score) == names(asgi_servers.live_gunicorn, 3, 6), str(score)
    assert "--timeout 3" in score.outcomes[6].note


def test_live_gunicorn_without_recycling():
    score, _ = grade(**{**RIGHT, "args": ["--timeout", "3", "--access-logfile", "-"]})
    assert failed(score) == names(asgi_servers.live_gunicorn, 4, 5), str(score)


def test_live_gunicorn_stopped_server_and_wrong_object():
    score, srv = grade(**RIGHT)
    assert score.full
    stopped = asgi_servers.live_gunicorn.score({"my_gunicorn": srv})
    # 꺼진 서버: 명령줄 설정(지터)만 남고 나머지 관찰은 모두 0점
    assert failed(stopped) == names(asgi_servers.live_gunicorn, 0, 1, 2, 3, 5, 6)
    assert asgi_servers.live_gunicorn.score({"my_gunicorn": "http://127.0.0.1:8000"}).earned == 0
    with labs.start_uvicorn(LAB, workers=3) as uv:
        score = asgi_servers.live_gunicorn.score({"my_gunicorn": uv})
    assert score.earned == 0

"""00 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다."""

import pytest

import labs
from labs.checkpoints import start_here

LAB = "t-checkpoint-00"


def test_littles_law_right_and_wrong():
    assert start_here.littles_law.score({"in_flight": 10}).full
    wrong = start_here.littles_law.score({"in_flight": 4})
    assert (wrong.earned, wrong.total) == (1, 3)
    assert start_here.littles_law.score({"in_flight": "10"}).earned == 0
    assert start_here.littles_law.score({}).earned == 0


@pytest.fixture(scope="module")
def migrated():
    labs.migrate(LAB)


def test_live_server_graded_on_real_state(migrated):
    with labs.start_uvicorn(LAB, workers=2) as srv:
        assert start_here.live_server.score({"my_server": srv}).full
    # 멈춘 서버는 살아 있음·헬스·워커 기준을 모두 잃는다
    score = start_here.live_server.score({"my_server": srv})
    assert [o.passed for o in score.outcomes] == [True, False, False, False, False]


def test_live_server_with_one_worker_loses_worker_points(migrated):
    with labs.start_uvicorn(LAB, workers=1) as srv:
        score = start_here.live_server.score({"my_server": srv})
    # 워커 없이 혼자 도는 uvicorn: 워커 기준(2점)과 워커가 답했는지(1점)를 잃는다
    assert score.earned == score.total - 3
    assert "워커가 0개다" in score.outcomes[3].note


def test_not_a_server():
    score = start_here.live_server.score({"my_server": "http://127.0.0.1:8000"})
    assert score.earned == 0

"""00 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (실제 uvicorn, 흉내 없음)."""

import time

import pytest

import labs
from labs import launch
from labs.checkpoints import start_here

LAB = "t-checkpoint-00"

DB = "DATABASE_URL=sqlite:///.labs_state/data/t-checkpoint-00.db\n"

APP_ENV_OK = DB + "SECRET_KEY=test-only-secret\nENVIRONMENT=development\nAPP_NAME=hello-api\n"
PROD_BROKEN = "SECRET_KEY=test-only-secret\n" + DB + "ENVIRONMENT=prod\nLOG_LEVEL=warn\n"
PROD_FIXED = "SECRET_KEY=test-only-secret\n" + DB + "ENVIRONMENT=production\nLOG_LEVEL=WARNING\n"
RUN_OK = '#!/bin/sh\nexec uvicorn sample_app.main:app --host 127.0.0.1 --port "$PORT" --env-file "$(dirname "$0")/app.env"\n'
RUN_BROKEN = RUN_OK.replace('"$PORT"', "8000")


def ns(**files):
    return {"LAB": LAB, "LAB_FILES": {name.replace("_", "."): text for name, text in files.items()}}


@pytest.fixture(scope="module")
def migrated():
    labs.migrate(LAB)
    yield
    labs.cleanup(LAB)


def test_littles_law_right_and_wrong():
    assert start_here.littles_law.score({"in_flight": 10}).full
    wrong = start_here.littles_law.score({"in_flight": 4})
    assert (wrong.earned, wrong.total) == (1, 3)
    assert start_here.littles_law.score({"in_flight": "10"}).earned == 0
    assert start_here.littles_law.score({}).earned == 0


def test_env_file_right(migrated):
    score = start_here.env_file.score(ns(app_env=APP_ENV_OK))
    assert score.full, str(score)


def test_env_file_without_secret_is_refused_by_the_app(migrated):
    score = start_here.env_file.score(ns(app_env=APP_ENV_OK.replace("SECRET_KEY=test-only-secret\n", "")))
    passed = [o.passed for o in score.outcomes]
    assert passed == [False, True, False, False, False], str(score)
    assert "SECRET_KEY" in score.outcomes[2].note  # 앱이 남긴 오류 줄이 피드백이 된다


def test_env_file_wrong_name_loses_name_points(migrated):
    score = start_here.env_file.score(ns(app_env=APP_ENV_OK.replace("hello-api", "hello_api")))
    assert [o.passed for o in score.outcomes] == [True, False, True, False, True], str(score)


def test_env_file_missing_asks_for_the_file():
    score = start_here.env_file.score({"LAB": LAB})
    assert score.earned == 0 and "아직 `app.env`" in str(score)


def test_prod_env_broken_and_fixed(migrated):
    broken = start_here.prod_env_fixed.score(ns(prod_env=PROD_BROKEN))
    assert broken.earned == 0, str(broken)
    assert "ENVIRONMENT 설정 값이 잘못되었다" in broken.outcomes[1].note
    fixed = start_here.prod_env_fixed.score(ns(prod_env=PROD_FIXED))
    assert fixed.full, str(fixed)


def test_prod_env_info_level_is_seen_in_the_logs(migrated):
    score = start_here.prod_env_fixed.score(ns(prod_env=PROD_FIXED.replace("WARNING", "INFO")))
    assert [o.passed for o in score.outcomes] == [False, True, True, False], str(score)


def test_run_script_broken_and_fixed(migrated):
    started = time.monotonic()
    broken = start_here.run_script_fixed.score(ns(run_sh=RUN_BROKEN))
    assert broken.earned == 0, str(broken)
    assert "8000" in broken.outcomes[0].note
    assert time.monotonic() - started < 60
    fixed = start_here.run_script_fixed.score(ns(run_sh=RUN_OK))
    assert fixed.full, str(fixed)


def test_run_script_on_all_interfaces_without_exec(migrated):
    text = RUN_OK.replace("127.0.0.1", "0.0.0.0").replace("exec uvicorn", "uvicorn")
    score = start_here.run_script_fixed.score(ns(run_sh=text))
    assert [o.passed for o in score.outcomes] == [True, False, False, True], str(score)


def test_live_server_graded_on_real_state(migrated, tmp_path):
    (tmp_path / "app.env").write_text(APP_ENV_OK)
    (tmp_path / "run.sh").write_text(RUN_OK)
    with launch.start_script(LAB, tmp_path / "run.sh", env={"WEB_CONCURRENCY": "2"}, echo=False) as srv:
        assert start_here.live_server.score({"my_server": srv}).full
    # 멈춘 서버는 살아 있음·헬스·워커 기준을 모두 잃는다
    score = start_here.live_server.score({"my_server": srv})
    assert [o.passed for o in score.outcomes] == [True, False, False, False, False]


def test_live_server_with_one_worker_loses_worker_points(migrated, tmp_path):
    (tmp_path / "app.env").write_text(APP_ENV_OK)
    (tmp_path / "run.sh").write_text(RUN_OK)
    with launch.start_script(LAB, tmp_path / "run.sh", echo=False) as srv:
        score = start_here.live_server.score({"my_server": srv})
    # 워커 없이 혼자 도는 uvicorn: 워커 기준(2점)과 워커가 답했는지(1점)를 잃는다
    assert score.earned == score.total - 3
    assert "워커가 0개다" in score.outcomes[3].note


def test_not_a_server():
    score = start_here.live_server.score({"my_server": "http://127.0.0.1:8000"})
    assert score.earned == 0

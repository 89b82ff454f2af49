"""03 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (ecosystem 파일은 실제 PM2로 채점된다)."""

import pytest

import labs
from labs import pm2 as pm2_lab
from labs.checkpoints import pm2_nodejs as cp

LAB = "t-checkpoint-03"

BROKEN = cp.BROKEN_ECOSYSTEM
FIXED = (BROKEN.replace("instances: 1", "instances: 2")
         .replace('exec_mode: "fork"', 'exec_mode: "cluster"')
         .replace("kill_timeout: 1000", "kill_timeout: 5000")
         .replace("wait_ready: false", "wait_ready: true,\n      listen_timeout: 10000"))

# 기준 순서: 시작·헬스, 클러스터 모드, online 2개, wait_ready·listen_timeout, kill_timeout > SHUTDOWN_TIMEOUT_MS


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def failed(ns):
    return [i for i, o in enumerate(cp.fixed_ecosystem.score({**ns, "LAB": LAB}).outcomes) if not o.passed]


@pytest.mark.requires("node")
def test_fixed_ecosystem_gets_full_marks_and_leaves_nothing_running():
    score = cp.fixed_ecosystem.score({"fixed_ecosystem": FIXED, "LAB": LAB})
    assert score.full, str(score)
    assert pm2_lab.alive_daemons(LAB) == [] and not labs.registry.live(LAB)


@pytest.mark.requires("node")
@pytest.mark.parametrize("text, expected", [
    (BROKEN, [1, 2, 3, 4]),                                               # 고치지 않은 파일: 뜨기는 한다
    (FIXED.replace("instances: 2", "instances: 1"), [2]),
    (FIXED.replace("wait_ready: true", "wait_ready: false"), [3]),
    (FIXED.replace("listen_timeout: 10000", "listen_timeout: 1000"), [3]),
    (FIXED.replace("kill_timeout: 5000", "kill_timeout: 3000"), [4]),
    (FIXED.replace("SHUTDOWN_TIMEOUT_MS: 4000", "SHUTDOWN_TIMEOUT_MS: 6000"), [4]),
])
def test_wrong_ecosystems_fail_exactly_their_criteria(text, expected):
    assert failed({"fixed_ecosystem": text}) == expected


@pytest.mark.requires("node")
def test_ecosystem_that_pm2_cannot_start():
    score = cp.fixed_ecosystem.score({"fixed_ecosystem": "module.exports = {apps: [ {name: 'x',, }]}", "LAB": LAB})
    assert score.earned == 0 and "SyntaxError" in score.outcomes[0].note
    wrong_script = FIXED.replace('"./server.js"', '"./없는-파일.js"')
    assert failed({"fixed_ecosystem": wrong_script})[0] == 0
    assert pm2_lab.alive_daemons(LAB) == []


def test_not_an_ecosystem_file():
    assert cp.fixed_ecosystem.score({"fixed_ecosystem": "apps: []"}).earned == 0
    assert "정하지 않았다" in cp.fixed_ecosystem.score({}).outcomes[0].note


RIGHT = {"shutdown_timeout_ms": 10000, "kill_timeout_ms": 12000, "stop_signal": "SIGINT",
         "deploy_command": "pm2 reload sample-node"}


def test_shutdown_plan_right_answer():
    assert cp.shutdown_plan.score(RIGHT).full
    assert cp.shutdown_plan.score({**RIGHT, "stop_signal": "int", "deploy_command": "reload"}).full


@pytest.mark.parametrize("change, expected", [
    ({"shutdown_timeout_ms": 5000}, [0]),                        # 8초 요청을 끝내기 전에 스스로 끊는다
    ({"kill_timeout_ms": 9000}, [1]),                            # SIGKILL이 정리보다 먼저 온다
    ({"shutdown_timeout_ms": 5000, "kill_timeout_ms": 1600}, [0, 1]),
    ({"stop_signal": "SIGTERM"}, [2]),
    ({"deploy_command": "pm2 restart sample-node"}, [3]),
    ({"kill_timeout_ms": "12000"}, [1]),                         # 숫자가 아니다
])
def test_shutdown_plan_wrong_answers(change, expected):
    score = cp.shutdown_plan.score({**RIGHT, **change})
    assert [i for i, o in enumerate(score.outcomes) if not o.passed] == expected

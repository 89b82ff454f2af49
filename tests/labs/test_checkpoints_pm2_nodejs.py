"""03 레슨 체크포인트 채점기를 맞는 파일과 망가진 파일로 검증한다 (모두 실제 PM2 데몬으로 채점된다)."""

import pytest

import labs
from labs import pm2 as pm2_lab
from labs.checkpoints import pm2_nodejs as cp

LAB = "t-checkpoint-03"

pytestmark = pytest.mark.requires("node")

ECOSYSTEM = """\
const logs = process.env.PM2_LOG_DIR ?? "./logs";

module.exports = {
  apps: [{
    name: "api-server",
    script: "sample_app/node/server.js",
    instances: 2,
    exec_mode: "cluster",
    max_memory_restart: "500M",
    env: {
      NODE_ENV: "production",
      PORT: process.env.PORT ?? 3000,
      SHUTDOWN_TIMEOUT_MS: 4000,
    },
    log_date_format: "YYYY-MM-DD HH:mm:ss Z",
    error_file: `${logs}/error.log`,
    out_file: `${logs}/output.log`,
    merge_logs: true,
    kill_timeout: 5000,
    listen_timeout: 10000,
    wait_ready: true,
    max_restarts: 10,
    restart_delay: 1000,
  }],
};
"""

TYPO_BROKEN = """\
module.exports = {
  apps: [{
    name: "typo-api",
    script: "sample_app/node/server.js",
    exec_mode: "cluster",
    instance: 2,
    kill_timout: 5000,
    env: { PORT: process.env.PORT ?? 3000 },
  }],
};
"""
TYPO_FIXED = TYPO_BROKEN.replace("instance: 2", "instances: 2").replace("kill_timout", "kill_timeout")

CRASH_BROKEN = """\
module.exports = {
  apps: [{
    name: "crashy",
    script: "crash.js",
    cwd: __dirname,
  }],
};
"""
CRASH_FIXED = CRASH_BROKEN.replace('    cwd: __dirname,\n', '    cwd: __dirname,\n    max_restarts: 3,\n'
                                   '    min_uptime: 5000,\n    restart_delay: 1000,\n')

RELOAD_BROKEN = """\
module.exports = {
  apps: [{
    name: "report-api",
    script: "sample_app/node/server.js",
    exec_mode: "cluster",
    instances: 2,
    env: { PORT: process.env.PORT ?? 3000, SHUTDOWN_TIMEOUT_MS: 8000 },
    wait_ready: false,
    listen_timeout: 1000,
    kill_timeout: 1000,
  }],
};
"""
RELOAD_FIXED = (RELOAD_BROKEN.replace("wait_ready: false", "wait_ready: true")
                .replace("listen_timeout: 1000", "listen_timeout: 10000").replace("kill_timeout: 1000", "kill_timeout: 10000"))


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def ns(name, text):
    return {"LAB": LAB, "LAB_FILES": {name: text}}


def failed(grader, name, text):
    score = grader.score(ns(name, text))
    return [i for i, o in enumerate(score.outcomes) if not o.passed], score


def nothing_left():
    return pm2_lab.alive_daemons(LAB) == [] and not labs.registry.live(LAB)


# ---- 3-1 ----

def test_seed_ecosystem_gets_full_marks_and_leaves_nothing_running():
    score = cp.ecosystem_file.score(ns(cp.ECOSYSTEM, ECOSYSTEM))
    assert score.full, str(score)
    assert nothing_left()


@pytest.mark.parametrize("change, expected", [
    (("instances: 2", "instances: 1"), [1, 2]),
    (('exec_mode: "cluster"', 'exec_mode: "fork"'), [1, 2]),    # 포크 모드 2개는 같은 포트를 두고 다툰다
    (('max_memory_restart: "500M"', 'max_memory_restart: "150M"'), [3]),
    (("wait_ready: true", "wait_ready: false"), [4]),
    (("restart_delay: 1000", "restart_delay: 0"), [5]),
])
def test_wrong_ecosystems_fail_their_criteria(change, expected):
    wrong, score = failed(cp.ecosystem_file, cp.ECOSYSTEM, ECOSYSTEM.replace(*change))
    assert wrong == expected, str(score)


def test_ecosystem_that_pm2_cannot_start():
    wrong, score = failed(cp.ecosystem_file, cp.ECOSYSTEM, ECOSYSTEM.replace("instances: 2,", "instances: 2,,"))
    assert score.earned == 0 and "SyntaxError" in score.outcomes[0].note
    assert nothing_left()


def test_missing_file_says_what_to_do():
    score = cp.ecosystem_file.score({"LAB": LAB})
    assert score.earned == 0 and "정하지 않았다" in score.outcomes[0].note and "ecosystem.config.js" in score.outcomes[0].note


# ---- 3-2 ----

def test_typo_fixed_full_and_broken_fails():
    assert cp.typo_fixed.score(ns(cp.TYPO, TYPO_FIXED)).full
    wrong, score = failed(cp.typo_fixed, cp.TYPO, TYPO_BROKEN)
    assert wrong == [1, 2, 3], str(score)
    assert "instances=1" in score.outcomes[1].note and "kill_timeout=None" in score.outcomes[1].note
    assert nothing_left()


# ---- 3-3 ----

def test_crash_loop_fixed_full_marks():
    score = cp.crash_loop_fixed.score(ns(cp.CRASH, CRASH_FIXED))
    assert score.full, str(score)
    assert nothing_left()


def test_crash_loop_broken_keeps_restarting():
    wrong, score = failed(cp.crash_loop_fixed, cp.CRASH, CRASH_BROKEN)
    assert wrong == [1, 2, 3, 4], str(score)
    assert "멈추지 않았다" in score.outcomes[1].note


def test_crash_loop_short_min_uptime_never_counts_unstable():
    # max_restarts와 restart_delay만 주고 min_uptime을 기본(1초)으로 두면 1.5초 산 재시작은 안정된 것으로 센다
    text = CRASH_FIXED.replace("    min_uptime: 5000,\n", "")
    wrong, score = failed(cp.crash_loop_fixed, cp.CRASH, text)
    assert wrong == [1, 2, 3], str(score)


# ---- 3-4 ----

def test_reload_fixed_loses_nothing():
    score = cp.reload_fixed.score(ns(cp.RELOAD, RELOAD_FIXED))
    assert score.full, str(score)
    assert nothing_left()


def test_reload_broken_cuts_in_flight_requests():
    wrong, score = failed(cp.reload_fixed, cp.RELOAD, RELOAD_BROKEN)
    assert wrong == [1, 2, 3, 4], str(score)
    assert "응답 도중 끊김" in score.outcomes[1].note


def test_reload_only_kill_timeout_fixed_still_fails_readiness():
    text = RELOAD_BROKEN.replace("kill_timeout: 1000", "kill_timeout: 10000")
    wrong, score = failed(cp.reload_fixed, cp.RELOAD, text)
    assert wrong == [4], str(score)

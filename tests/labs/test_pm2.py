"""PM2 실습 도구(labs.pm2)를 진짜 PM2 데몬과 Express 쌍둥이로 검증한다."""

import os
import subprocess
import sys
import time

import psutil
import pytest

import labs
from labs import pm2 as pm2_lab
from labs import registry
from labs.procs import port_is_free, wait_for

LAB = "t-pm2"

pytestmark = pytest.mark.requires("node")


@pytest.fixture(scope="module")
def pm2():
    daemon = pm2_lab.daemon(LAB)
    yield daemon
    labs.cleanup(LAB, quiet=True)


def test_daemon_uses_its_own_pm2_home(pm2):
    assert pm2.home == pm2_lab.home_for(LAB)
    assert registry.state_dir() in pm2.home.parents
    assert pm2.home != os.path.expanduser("~/.pm2")
    proc = psutil.Process(pm2.pid)
    assert "PM2" in " ".join(proc.cmdline()) and str(pm2.home) in " ".join(proc.cmdline())
    assert (registry.state_dir() / "pids" / LAB / f"{pm2.pid}.json").exists()
    assert pm2 in registry.live(LAB)
    # 처음 실행할 때의 배너를 끄고, 명령 출력의 PM2_HOME 경로는 줄여 보인다
    out = pm2.run("ping").output
    assert "Runtime Edition" not in out and str(pm2.home) not in out


def test_start_jlist_settings_and_table(pm2):
    port = labs.free_port()
    url = pm2.start(port=port, instances=2)
    pm2.wait_online(2)
    rows = pm2.processes()
    assert [r["모드"] for r in rows] == ["cluster", "cluster"] and {r["상태"] for r in rows} == {"online"}
    settings = pm2.settings()
    assert settings["exec_mode"] == "cluster_mode" and settings["wait_ready"] is True
    assert settings["kill_timeout"] == 5000 and settings["listen_timeout"] == 10000
    table = pm2.table()
    assert list(table.index) == [0, 1] and "재시작(↺)" in table.columns
    who = {labs.http.get(url + "/whoami").json()["instance"] for _ in range(6)}
    assert who == {"0", "1"}
    assert "[server] 시작" in pm2.output()
    logs = pm2.logs(lines=5)
    assert "$PM2_HOME/logs/output.log" in logs
    pm2.delete()
    assert pm2.processes() == []
    assert port_is_free(port)


def test_reload_under_load_loses_nothing_in_cluster_mode(pm2):
    url = pm2.start(instances=2)
    run = labs.start_load(url + "/work/io?duration=0.02", concurrency=8, requests=600, rate=300)
    time.sleep(0.4)
    pm2.reload()
    result = run.result()
    assert result.failed == 0 and result.total == 600
    assert [p["재시작(↺)"] for p in pm2.processes()] == [1, 1]
    pm2.delete()


def test_fork_mode_reload_refuses_connections(pm2):
    port = labs.free_port()
    config = pm2.evaluate(port=port, instances=1)
    app = config["apps"][0]
    assert app["instances"] == 1 and app["env"]["PORT"] == str(port)
    assert app["out_file"].startswith(str(pm2.home))
    app["exec_mode"] = "fork"
    path = pm2_lab.write_ecosystem(LAB, "fork", config)
    # PM2는 `.config.cjs`로 끝나는 이름만 설정 파일로 알아본다: 이름을 고쳐 쓴다
    assert path.name == "fork.config.cjs" and "module.exports" in path.read_text()
    url = pm2.start(path, port=port, instances=None)
    assert pm2.settings()["exec_mode"] == "fork_mode"
    run = labs.start_load(url + "/work/io?duration=0.02", concurrency=8, requests=600, rate=300)
    time.sleep(0.4)
    pm2.reload()
    result = run.result()
    # 듣는 프로세스가 없는 순간: 새 연결은 거부되고, 그 순간 keep-alive 연결은 끊긴다
    assert result.failed > 0 and set(result.errors) <= {"연결 거부", "연결 끊김"}
    pm2.delete()


def test_short_kill_timeout_cuts_in_flight_requests(pm2):
    port = labs.free_port()
    config = pm2.evaluate(port=port, instances=1)
    config["apps"][0]["kill_timeout"] = 500
    url = pm2.start(pm2_lab.write_ecosystem(LAB, "short.config.cjs", config), port=port, instances=None)
    mark = len(pm2.output())
    slow = labs.start_load(url + "/slow?duration=3", concurrency=2, requests=2, timeout=20)
    pm2.wait(lambda: pm2.output()[mark:].count("[slow] 시작") >= 2, 10, "느린 요청 시작")
    pm2.reload()
    result = slow.result()
    assert result.failed == 2 and set(result.errors) == {"응답 도중 끊김"}
    assert "sending SIGKILL" in pm2.daemon_log(None)
    pm2.delete()


def test_max_memory_restart_reloads_the_hog(pm2):
    url = pm2.start(instances=1, env={"PM2_MAX_MEMORY": "120M"})
    assert pm2.settings()["max_memory_restart"] == 120 * 2**20
    labs.http.get(url + "/hog?mb=100")
    pm2.wait_restarts(1, timeout=20)
    assert pm2.restarts() == 1 and pm2.online() == 1
    assert "max-memory-restart" in pm2.daemon_log(None)
    pm2.delete()


def test_broken_ecosystem_is_a_korean_error(pm2):
    path = pm2_lab.write_ecosystem(LAB, "broken.config.cjs", "module.exports = {apps: [ {name: 'x',, }]}")
    with pytest.raises(labs.LabError) as err:
        pm2.start(path, timeout=10)
    assert "실패했다" in str(err.value) and "SyntaxError" in str(err.value)
    with pytest.raises(labs.LabError, match="불러오지 못했다"):
        pm2_lab.ecosystem_config(path)


def test_stop_kills_daemon_and_apps():
    daemon = pm2_lab.daemon(LAB, "stop")
    url = daemon.start(instances=2)
    apps = [p["pid"] for p in daemon.processes()]
    port = int(url.rsplit(":", 1)[1])
    daemon.stop()
    assert not daemon.alive() and daemon not in registry.live(LAB)
    assert not any(running(p) for p in apps)
    assert port_is_free(port)
    assert not (registry.state_dir() / "pids" / LAB / f"{daemon.pid}.json").exists()


def test_daemon_left_by_a_dead_kernel_is_reaped():
    # 다른 파이썬 프로세스(=커널)가 PM2 데몬과 앱을 띄우고 정리 없이 죽는다.
    code = ("import os, labs.pm2; d = labs.pm2.daemon('t-pm2-orphan'); d.start(instances=1); "
            "print(d.pid, flush=True); os._exit(0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=90,
                         cwd=registry.PROJECT_ROOT)
    pid = int(out.stdout.split()[-1])
    assert psutil.pid_exists(pid)
    assert pm2_lab.alive_daemons("t-pm2-orphan") == [pid]
    # `make clean-labs`처럼 labs.pm2를 불러오지 않은 새 프로세스도 pid 파일로 데몬을 거둔다
    code = "import labs; print(labs.cleanup('t-pm2-orphan', quiet=True))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=registry.PROJECT_ROOT)
    assert f"프로세스 PM2 (pid {pid})" in done.stdout
    assert pm2_lab.alive_daemons("t-pm2-orphan") == []


def running(pid):
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_daemon_without_pidfile_is_found_by_its_home():
    lab = "t-pm2-lost"
    daemon = pm2_lab.daemon(lab)
    registry.remove_pidfile(lab, daemon.pid)
    registry.unregister(daemon)      # 커널이 기억을 잃은 상황
    assert pm2_lab.alive_daemons(lab) == [daemon.pid]
    done = labs.cleanup(lab, quiet=True)
    assert done == [f"PM2 데몬 (pid {daemon.pid})"]
    # 신호를 받은 프로세스가 사라지는 데는 (바쁜 기계에서) 잠깐 걸린다.
    wait_for(lambda: not running(daemon.pid), 10, "PM2 데몬 종료")
    assert pm2_lab.alive_daemons(lab) == []


def test_new_daemon_replaces_the_previous_one_of_the_same_lab():
    first = pm2_lab.daemon(LAB, "again")
    second = pm2_lab.daemon(LAB, "again")
    assert first.pid != second.pid and not running(first.pid) and running(second.pid)
    assert first not in registry.live(LAB)
    second.stop()
    wait_for(lambda: not running(second.pid), 10, "PM2 데몬 종료")

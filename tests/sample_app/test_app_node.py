"""Express 쌍둥이(sample_app/node): 진짜 `node server.js`로 띄우고 그레이스풀 셧다운을 확인한다."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from app_processes import PROJECT_ROOT, AppServer, free_port, http_ok, wait_until
from conftest import skip_or_fail

NODE_DIR = PROJECT_ROOT / "sample_app" / "node"

SEED_PM2_KEYS = {
    "name", "script", "instances", "exec_mode", "max_memory_restart", "env", "log_date_format", "error_file",
    "out_file", "merge_logs", "kill_timeout", "listen_timeout", "wait_ready", "max_restarts", "restart_delay",
}


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if not found:
        skip_or_fail("node를 찾지 못했다. Node.js 18 이상을 설치한다.")
    return found


@pytest.fixture(scope="module")
def installed(node: str) -> Path:
    """의존성(express, 개발용 pm2)을 잠금 파일 그대로 설치한다(`npm ci`). 이미 있으면 그대로 쓴다."""
    modules = NODE_DIR / "node_modules"
    if not ((modules / "express").is_dir() and (modules / ".bin" / "pm2").exists()):
        npm = shutil.which("npm")
        if not npm:
            skip_or_fail("npm을 찾지 못했다.")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0:
            skip_or_fail(f"`npm ci`가 실패했다(레지스트리에 닿지 못했을 수 있다):\n{done.stderr[-2000:]}")
    return NODE_DIR


def test_package_files() -> None:
    package = json.loads((NODE_DIR / "package.json").read_text(encoding="utf-8"))
    assert package["engines"]["node"] == ">=18"
    assert package["dependencies"]["express"].startswith("^5")
    lock = json.loads((NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    assert "node_modules/express" in lock["packages"]
    assert "node_modules/" in (NODE_DIR / ".gitignore").read_text(encoding="utf-8")


def test_ecosystem_file_mirrors_the_seed(node: str) -> None:
    script = "console.log(JSON.stringify(require('./ecosystem.config.cjs')))"
    done = subprocess.run([node, "-e", script], cwd=NODE_DIR, capture_output=True, text=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin", "PM2_INSTANCES": "2"})
    app = json.loads(done.stdout)["apps"][0]
    assert SEED_PM2_KEYS <= app.keys()
    assert app["exec_mode"] == "cluster"
    assert app["instances"] == 2
    assert app["wait_ready"] is True
    # 앱이 스스로 끝낼 시간(SHUTDOWN_TIMEOUT_MS)이 PM2가 SIGKILL을 보내기 전(kill_timeout)에 들어가야 한다
    assert app["env"]["SHUTDOWN_TIMEOUT_MS"] < app["kill_timeout"]
    assert Path(app["out_file"]).is_absolute()


def test_express_twin_serves_and_drains_on_sigterm(node: str, installed: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "PORT": str(port), "HOST": "127.0.0.1"}
    server = AppServer([node, "server.js"], env, port, tmp_path / "node.log", cwd=installed)
    with server:
        me = httpx.get(server.url + "/whoami").json()
        assert me["pid"] == server.proc.pid
        assert me["instance"] is None  # PM2 밖에서는 NODE_APP_INSTANCE가 없다
        assert httpx.get(server.url + "/work/io?duration=0.05").json()["duration"] == 0.05

        hog = httpx.get(server.url + "/hog?mb=64").json()
        assert hog["retained_mb"] == 64
        assert hog["rss_mb"] >= me["rss_mb"] + 50, "잡아 둔 메모리가 RSS에 잡히지 않았다"

        answers: list[httpx.Response] = []
        slow = threading.Thread(target=lambda: answers.append(httpx.get(server.url + "/slow?duration=1", timeout=10)))
        slow.start()
        wait_until(lambda: "[slow] 시작" in server.output(), 5, "/slow 요청 시작")
        assert server.stop(signal.SIGTERM) == 0
        slow.join(5)

    assert answers and answers[0].json()["status"] == "done"
    out = server.output()
    assert "SIGTERM 받음" in out
    assert out.index("[slow] 완료") < out.index("정리 완료")


def test_express_twin_forces_exit_after_shutdown_timeout(node: str, installed: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "PORT": str(port), "SHUTDOWN_TIMEOUT_MS": "300"}
    server = AppServer([node, "server.js"], env, port, tmp_path / "node.log", cwd=installed)
    errors: list[Exception] = []

    def request_slow() -> None:
        try:
            httpx.get(server.url + "/slow?duration=5", timeout=10)
        except httpx.HTTPError as exc:
            errors.append(exc)

    with server:
        slow = threading.Thread(target=request_slow)
        slow.start()
        wait_until(lambda: "[slow] 시작" in server.output(), 5, "/slow 요청 시작")
        assert server.stop(signal.SIGINT, timeout=5) == 1  # PM2가 보내는 신호도 같은 길로 처리한다
        slow.join(5)
    assert "강제로 끝낸다" in server.output()
    assert errors, "강제 종료로 끊긴 요청이 오류를 받지 않았다"


def test_pm2_cluster_with_the_ecosystem_file(node: str, installed: Path, tmp_path: Path) -> None:
    """ecosystem 파일 그대로 PM2 클러스터 모드로 띄운다: 인스턴스 둘이 한 포트를 나눠 받고, 리로드하면 pid가 바뀐다."""
    pm2 = installed / "node_modules" / ".bin" / "pm2"
    if not pm2.exists():
        skip_or_fail("PM2가 설치되지 않았다(`npm ci`로 devDependencies까지 설치한다).")
    port = free_port()
    # PM2 데몬의 상태 폴더를 테스트 전용으로 둔다: 사용자의 ~/.pm2와 섞이지 않게 한다
    env = {"PATH": f"{Path(node).parent}:/usr/bin:/bin", "PM2_HOME": str(tmp_path / "pm2home"), "PORT": str(port),
           "PM2_INSTANCES": "2", "PM2_LOG_DIR": str(tmp_path / "logs")}

    def run_pm2(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(pm2), *args], cwd=installed, env=env, capture_output=True, text=True, timeout=60)

    url = f"http://127.0.0.1:{port}"
    try:
        started = run_pm2("start", "ecosystem.config.cjs")
        assert started.returncode == 0, started.stderr
        wait_until(lambda: http_ok(url + "/health"), 20, "PM2 인스턴스")
        seen = {httpx.get(url + "/whoami").json()["instance"] for _ in range(8)}
        assert seen == {"0", "1"}, f"두 인스턴스가 요청을 나눠 받지 않았다: {seen}"
        before = {httpx.get(url + "/whoami").json()["pid"] for _ in range(8)}

        reloaded = run_pm2("reload", "sample-node")
        assert reloaded.returncode == 0, reloaded.stderr
        after = {httpx.get(url + "/whoami").json()["pid"] for _ in range(8)}
        assert before.isdisjoint(after), "리로드 뒤에도 옛 pid가 응답했다"
    finally:
        run_pm2("kill")
    assert "SIGINT 받음" in (tmp_path / "logs" / "output.log").read_text(encoding="utf-8")

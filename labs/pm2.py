"""PM2를 실습용으로 다룬다: 레슨마다 따로 쓰는 PM2 데몬, 시작·리로드·멈춤·목록·로그 (03 레슨).

PM2는 명령(`pm2 start` 등)을 받으면 배경의 데몬("God Daemon")에게 일을 시키고, 데몬이 앱 프로세스를 띄운다.
데몬과 상태 파일은 `PM2_HOME`(기본 `~/.pm2`)에 산다. 실습은 `PM2_HOME`을 실습 상태 폴더 아래로 돌려서
학습자가 평소에 쓰는 PM2 데몬과 앱을 절대 건드리지 않는다.

- `labs.pm2.daemon(LAB)`: 이 레슨 전용 PM2 데몬을 띄우고 정리 등록부에 올린다. 이전 커널이 남긴 데몬은 먼저 거둔다.
- `pm2.start(ecosystem)`, `pm2.reload(name)`, `pm2.stop_app(name)`, `pm2.delete(name)`: PM2 명령 그대로.
- `pm2.jlist()`/`pm2.table()`: `pm2 jlist`의 JSON을 읽어 표로.
- `pm2.stop()`(= `labs.cleanup(LAB)`): `pm2 kill`로 앱과 데몬을 모두 끝낸다.

명령은 저장소 루트에서 실행한다 (ecosystem 파일의 상대 경로 `script: "sample_app/node/server.js"`가 루트 기준으로
풀린다). `echo=True`면 실행하는 명령 줄을 `$ PM2_HOME=… sample_app/node/node_modules/.bin/pm2 …`로 먼저 보여 준다:
저장소 루트의 터미널에 그대로 붙여 넣으면 같은 데몬에게 같은 일을 시킨다.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from . import registry
from .errors import LabError
from .procs import command_line, display_path, find_binary, free_port
from .shell import Result, run
from .korean import particle

NODE_DIR = registry.PROJECT_ROOT / "sample_app" / "node"
ECOSYSTEM = NODE_DIR / "ecosystem.config.cjs"
"""코스의 PM2 설정 파일 (시드의 `ecosystem.config.js`와 같은 항목, 확장자만 `.cjs`)."""

APP_NAME = "sample-node"

WORKER_INTERVAL_MS = 1000
"""PM2 데몬이 메모리 한도(`max_memory_restart`)를 점검하는 간격. PM2 기본은 30초라 실습에서는 1초로 줄인다."""


def version() -> str | None:
    """설치된 PM2의 버전 (`node_modules/pm2/package.json`). 데몬을 띄우지 않고 읽는다."""
    try:
        return json.loads((NODE_DIR / "node_modules" / "pm2" / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def pm2_binary() -> Path | None:
    """`sample_app/node`에 설치된 PM2 실행 파일 (`npm ci`가 설치한다). 없으면 None."""
    path = NODE_DIR / "node_modules" / ".bin" / "pm2"
    return path if path.exists() else None


def _files_dir(lab: str) -> Path:
    path = registry.state_dir() / "files" / lab
    path.mkdir(parents=True, exist_ok=True)
    return path


def home_for(lab: str, name: str = "") -> Path:
    """레슨 전용 `PM2_HOME`. 유닉스 소켓 경로 길이 제한(약 107바이트) 때문에 길면 임시 폴더로 옮긴다."""
    tag = f"{lab}-{name}" if name else lab
    home = registry.state_dir() / "pm2" / tag
    if len(str(home / "interactor.sock")) > 100:
        digest = hashlib.sha1(str(home).encode()).hexdigest()[:10]
        home = Path(tempfile.gettempdir()) / f"labs-pm2-{digest}"
    return home


def _alive_daemon(home: Path) -> psutil.Process | None:
    """`home`의 pm2.pid가 가리키는 살아 있는 PM2 데몬 (pid 재사용에 속지 않도록 이름도 본다)."""
    try:
        pid = int((home / "pm2.pid").read_text().strip())
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        if "PM2" in " ".join(proc.cmdline()) or "PM2" in proc.name():
            return proc
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def process_row(proc: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """`pm2 jlist`의 프로세스 하나를 표의 한 행으로 (`pm2 ls`와 같은 열)."""
    env = proc.get("pm2_env", {})
    monit = proc.get("monit", {})
    now = now if now is not None else time.time()
    uptime = env.get("pm_uptime")
    return {
        "id": env.get("pm_id"),
        "이름": proc.get("name"),
        "모드": str(env.get("exec_mode", "")).replace("_mode", ""),
        "pid": proc.get("pid"),
        "상태": env.get("status"),
        "재시작(↺)": env.get("restart_time", 0),
        "가동(초)": round(now - uptime / 1000, 1) if uptime and env.get("status") == "online" else 0.0,
        "메모리(MB)": round(monit.get("memory", 0) / 2**20, 1),
        "CPU(%)": monit.get("cpu", 0),
    }


CRASH_SCRIPT = """\
// 크래시 루프 실습 (03 레슨): 시작하고 1.5초 뒤에 "DB 연결 실패"로 끝난다. min_uptime(기본 1초)보다 오래 산다.
console.log(`[crash] 시작: DB에 연결한다 (pid ${process.pid})`);
setTimeout(() => {
  console.error("[crash] DB 연결 실패: 종료 코드 1로 끝낸다");
  process.exit(1);
}, 1500);
"""
"""크래시 루프 실습의 앱 스크립트: `write_script(LAB, "crash.js", CRASH_SCRIPT)`로 쓰고 ecosystem 파일이 부른다."""

SETTING_KEYS = ("exec_mode", "instances", "wait_ready", "listen_timeout", "kill_timeout", "max_memory_restart",
                "max_restarts", "restart_delay", "merge_logs", "min_uptime")


@dataclass
class PM2:
    """레슨 하나가 쓰는 PM2 데몬. `labs.pm2.daemon(LAB)`으로 만든다."""

    lab: str
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    pid: int | None = None

    # ---- 명령 ------------------------------------------------------------------

    def command(self, *args: str, env: dict[str, str] | None = None) -> str:
        """터미널에 붙여 넣을 수 있는 `pm2 <args>` 명령 줄 (저장소 루트 기준 경로, 명령이 읽는 환경 변수 포함)."""
        binary = pm2_binary() or NODE_DIR / "node_modules" / ".bin" / "pm2"
        shown = {**(env or {}), "PM2_HOME": str(self.home)}
        shown = {k: display_path(v) if os.sep in v else v for k, v in shown.items()}
        return command_line([str(binary), *args], shown)

    def run(self, *args: str, check: bool = True, timeout: float = 60.0, show: bool = False,
            env: dict[str, str] | None = None, echo: bool = False) -> Result:
        """`pm2 <args>`를 이 레슨의 `PM2_HOME`으로, 저장소 루트에서 실행한다. 출력 속 `PM2_HOME` 경로는 `$PM2_HOME`으로 줄인다.

        `echo=True`면 실행하는 명령 줄을 먼저 보여 준다 (`env`로 준 환경 변수도 앞에 붙는다).
        """
        binary = pm2_binary()
        if binary is None:
            raise LabError("❌ PM2가 설치되지 않았다.\n"
                           "   원인: `sample_app/node`의 npm 의존성이 없다.\n"
                           "   해결: `make lab`(또는 `cd sample_app/node && npm ci`)으로 설치한다.")
        if echo:
            print(f"$ {self.command(*args, env=env)}", flush=True)
        full_env = {**self.env, **(env or {})}
        result = run([str(binary), *args, "--no-color"], check=False, timeout=timeout, cwd=registry.PROJECT_ROOT,
                     env=full_env, show=False)
        result.output = result.output.replace(str(self.home), "$PM2_HOME")
        if show:
            print(result.output)
        if check and not result.ok:
            tail = "\n".join(f"   {line}" for line in result.lines()[-12:])
            raise LabError(f"❌ `pm2 {' '.join(args)}`{particle(' '.join(args), '이')} 실패했다 (종료 코드 {result.returncode}).\n"
                           f"   원인: ecosystem 파일 오류, 앱이 시작하자마자 죽음, 또는 준비 신호를 기다리다 시간 초과.\n"
                           f"   해결: 아래 출력과 `pm2.logs()`를 확인한다.\n   --- 출력 ---\n{tail}")
        return result

    def ping(self) -> None:
        """데몬을 띄운다(이미 떠 있으면 그대로). 데몬의 pid를 기록해 커널이 죽어도 거둘 수 있게 한다."""
        self.run("ping", timeout=30)
        proc = _alive_daemon(self.home)
        if proc is None:
            raise LabError("❌ PM2 데몬이 뜨지 않았다: `$PM2_HOME/pm2.log`를 확인한다.")
        if self.pid != proc.pid:
            if self.pid is not None:
                registry.remove_pidfile(self.lab, self.pid)
            self.pid = proc.pid
            registry.write_pidfile(self.lab, proc.pid, "PM2")

    def _app_env(self, port: int, instances: int | None, env: dict[str, str] | None) -> dict[str, str]:
        extra = {"PORT": str(port), "PM2_LOG_DIR": str(self.home / "logs"), **(env or {})}
        if instances is not None:
            extra["PM2_INSTANCES"] = str(instances)
        return extra

    def evaluate(self, ecosystem: str | Path = ECOSYSTEM, *, port: int, instances: int | None = 2,
                 env: dict[str, str] | None = None) -> dict[str, Any]:
        """`start()`와 같은 환경 변수로 ecosystem 파일을 평가해, PM2가 볼 설정을 사전으로 돌려준다.

        값을 고쳐 `write_ecosystem()`으로 쓰면 한 가지만 바꾼 설정 파일을 만들 수 있다.
        """
        return ecosystem_config(ecosystem, {**self.env, **self._app_env(port, instances, env)})

    def start(self, ecosystem: str | Path = ECOSYSTEM, *, port: int | None = None, instances: int | None = 2,
              env: dict[str, str] | None = None, timeout: float = 40.0, echo: bool = False) -> str:
        """ecosystem 파일로 앱을 시작하고 `/health`가 답할 때까지 기다린다. 앱 주소를 돌려준다.

        코스의 ecosystem 파일은 환경 변수 `PORT`, `PM2_INSTANCES`, `PM2_LOG_DIR`, `PM2_MAX_MEMORY`를 읽는다.
        `echo=True`면 `$ PORT=… PM2_LOG_DIR=… PM2_HOME=… pm2 start <파일>`을 먼저 보여 준다.
        """
        port = port or free_port()
        extra = self._app_env(port, instances, env)
        self.ping()
        self.run("start", str(ecosystem), timeout=timeout, env=extra, echo=echo)
        url = f"http://127.0.0.1:{port}"
        self.wait(lambda: _healthy(url), timeout, f"{url}/health 응답")
        return url

    def reload(self, name: str = APP_NAME, timeout: float = 60.0, echo: bool = False) -> Result:
        """`pm2 reload`: 클러스터 모드에서 인스턴스를 하나씩 새로 띄우고 준비되면 옛 것을 멈춘다."""
        return self.run("reload", name, timeout=timeout, echo=echo)

    def restart(self, name: str = APP_NAME, timeout: float = 60.0, echo: bool = False) -> Result:
        """`pm2 restart`: 모두 멈춘 뒤 다시 띄운다 (그사이 요청은 실패한다)."""
        return self.run("restart", name, timeout=timeout, echo=echo)

    def stop_app(self, name: str = APP_NAME, timeout: float = 60.0, echo: bool = False) -> Result:
        """`pm2 stop`: 앱을 멈추되 목록에는 남긴다."""
        return self.run("stop", name, timeout=timeout, echo=echo)

    def delete(self, name: str = APP_NAME, timeout: float = 60.0, echo: bool = False) -> Result:
        """`pm2 delete`: 앱을 멈추고 목록에서 지운다."""
        return self.run("delete", name, timeout=timeout, echo=echo)

    # ---- 관찰 ------------------------------------------------------------------

    def jlist(self) -> list[dict[str, Any]]:
        """`pm2 jlist`: 프로세스 목록의 JSON."""
        out = self.run("jlist", timeout=30).output
        start = out.find("[")
        try:
            return json.loads(out[start:]) if start >= 0 else []
        except ValueError as exc:
            raise LabError(f"❌ `pm2 jlist` 출력을 JSON으로 읽지 못했다: {out[:200]}") from exc

    def processes(self, name: str | None = APP_NAME) -> list[dict[str, Any]]:
        """프로세스마다 한 행 (`pm2 ls`와 같은 정보)."""
        now = time.time()
        return [process_row(p, now) for p in self.jlist() if name is None or p.get("name") == name]

    def table(self, name: str | None = APP_NAME):
        """`processes()`를 pandas 표로."""
        import pandas as pd

        return pd.DataFrame(self.processes(name)).set_index("id")

    def settings(self, name: str = APP_NAME) -> dict[str, Any]:
        """PM2가 실제로 받아들인 앱 설정 (첫 인스턴스 기준): exec_mode, instances, wait_ready, kill_timeout …"""
        for proc in self.jlist():
            if proc.get("name") == name:
                env = proc.get("pm2_env", {})
                return {key: env.get(key) for key in SETTING_KEYS}
        raise LabError(f"❌ PM2 목록에 '{name}' 앱이 없다.")

    def online(self, name: str = APP_NAME) -> int:
        return sum(1 for p in self.processes(name) if p["상태"] == "online")

    def restarts(self, name: str = APP_NAME) -> int:
        return sum(p["재시작(↺)"] for p in self.processes(name))

    def logs(self, name: str = APP_NAME, lines: int = 20, echo: bool = False) -> str:
        """`pm2 logs <name> --lines N --nostream`: 앱의 최근 로그 (stdout과 stderr 파일)."""
        return self.run("logs", name, "--lines", str(lines), "--nostream", timeout=30, echo=echo).output

    def output(self) -> str:
        """앱의 표준 출력 로그 파일(`$PM2_HOME/logs/output.log`) 전체. 코스 ecosystem 파일은 인스턴스의 로그를 합쳐 쓴다."""
        path = self.home / "logs" / "output.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def app_logs(self) -> str:
        """`$PM2_HOME/logs`의 표준 출력 로그 파일 전부를 이어 붙인 것. ecosystem 파일이 로그 경로를 정하지 않으면 PM2는
        인스턴스마다 `<이름>-out-<번호>.log`를 따로 쓴다: 위치 대신 줄 수를 세어 새 줄을 찾는다."""
        folder = self.home / "logs"
        return "".join(p.read_text(errors="replace") for p in sorted(folder.glob("*out*.log"))) if folder.exists() else ""

    def daemon_log(self, lines: int | None = 20) -> str:
        """데몬 자신의 로그(`$PM2_HOME/pm2.log`)의 마지막 `lines`줄 (None이면 전부): 시작·종료·재시작·SIGKILL이 남는다."""
        path = self.home / "pm2.log"
        if not path.exists():
            return ""
        text = path.read_text(errors="replace")
        return text if lines is None else "\n".join(text.splitlines()[-lines:])

    def launch(self, ecosystem: str | Path, timeout: float = 60.0, env: dict[str, str] | None = None) -> Result:
        """`pm2 start <파일>`을 실행하고 그 명령을 그대로 보인다 (앱이 준비되기를 기다리지 않는다: 실패를 볼 때)."""
        self.ping()
        return self.run("start", str(ecosystem), timeout=timeout, env=env, echo=True)

    def wait_status(self, name: str, status: str = "online", timeout: float = 30.0) -> float:
        """앱 `name`의 인스턴스가 모두 `status`가 될 때까지 기다리고, 걸린 초를 돌려준다."""
        start = time.monotonic()

        def reached() -> bool:
            procs = self.processes(name)
            return bool(procs) and all(p["상태"] == status for p in procs)

        self.wait(reached, timeout, f"{name}{particle(name, '이')} {status} 상태가 되기")
        return time.monotonic() - start

    def app_events(self, name: str) -> list[tuple[float, str]]:
        """데몬 로그에서 앱 `name`에 대한 줄을 (첫 줄부터 지난 초, 내용)으로. 파일 경로는 이름만 남긴다."""
        events: list[tuple[float, str]] = []
        folder = str(_files_dir(self.lab)) + "/"
        for line in self.daemon_log(None).splitlines():
            stamp, _, rest = line.partition(": PM2 ")
            message = rest.split(": ", 1)[-1].replace(folder, "")
            if f"[{name}:" not in message and f"app={name} " not in message and not message.startswith("Script "):
                continue
            try:
                when = time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
            except ValueError:
                continue
            events.append((when, message))
        first = events[0][0] if events else 0.0
        return [(when - first, message) for when, message in events]

    def starts(self, name: str) -> int:
        """데몬 로그에서 앱 `name`을 띄운 횟수 (`starting in` 줄: 처음 시작과 재시작을 모두 센다)."""
        return sum("starting in" in message for _, message in self.app_events(name))

    def wait(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        """`check()`가 참이 될 때까지 기다린다. 시간이 지나면 데몬 로그와 함께 한국어 오류."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.1)
        raise LabError(f"❌ {what}: {timeout:g}초 안에 이뤄지지 않았다.\n   --- PM2 데몬 로그 ---\n"
                       + "\n".join(f"   {line}" for line in self.daemon_log(8).splitlines()))

    def wait_online(self, count: int, name: str = APP_NAME, timeout: float = 30.0) -> None:
        self.wait(lambda: self.online(name) >= count, timeout, f"'{name}' 인스턴스 {count}개 online")

    def wait_restarts(self, at_least: int, name: str = APP_NAME, timeout: float = 30.0) -> None:
        """재시작 횟수(↺)의 합이 `at_least` 이상이 되고 인스턴스가 모두 다시 online이 될 때까지 기다린다."""
        def done() -> bool:
            rows = self.processes(name)
            return sum(r["재시작(↺)"] for r in rows) >= at_least and all(r["상태"] == "online" for r in rows)

        self.wait(done, timeout, f"'{name}'의 재시작 {at_least}회")

    # ---- 정리 ------------------------------------------------------------------

    def alive(self) -> bool:
        return _alive_daemon(self.home) is not None

    def stop(self) -> None:
        """`pm2 kill`: 앱을 모두 멈추고 데몬을 끝낸다. 그래도 남은 프로세스는 신호로 거둔다."""
        if self.alive():
            try:
                self.run("kill", check=False, timeout=30)
            except LabError:
                pass
        proc = _alive_daemon(self.home)
        if proc is not None:
            registry.kill_tree(proc)
        if self.pid is not None:
            registry.remove_pidfile(self.lab, self.pid)
        registry.unregister(self)

    kill = stop

    def __enter__(self) -> "PM2":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __str__(self) -> str:
        return f"PM2 데몬 ({self.lab})"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as r:
            return r.status == 200
    except (OSError, ValueError):
        return False


def _reap_home(home: Path) -> list[str]:
    """`home`의 PM2 데몬이 살아 있으면 `pm2 kill`로, 그래도 남으면 신호로 끝낸다."""
    proc = _alive_daemon(home)
    if proc is None:
        return []
    pid = proc.pid
    binary = pm2_binary()
    if binary is not None:
        try:
            subprocess.run([str(binary), "kill", "--no-color"], cwd=NODE_DIR, capture_output=True, timeout=30,
                           env={**os.environ, "PM2_HOME": str(home), "PM2_DISCRETE_MODE": "true"})
        except (OSError, subprocess.TimeoutExpired):
            pass
    proc = _alive_daemon(home)
    if proc is not None:
        registry.kill_tree(proc)
    return [f"PM2 데몬 (pid {pid})"]


def reap(lab: str, name: str = "") -> list[str]:
    """이전 커널이 남긴 이 레슨의 PM2 데몬을 끝낸다 (pid 파일을 잃었어도 `PM2_HOME`으로 찾는다)."""
    home = home_for(lab, name)
    proc = _alive_daemon(home)
    done = _reap_home(home)
    if proc is not None:
        registry.remove_pidfile(lab, proc.pid)
    return done


def daemon(lab: str, name: str = "", *, fresh: bool = True) -> PM2:
    """이 레슨 전용 PM2 데몬을 띄운다. 남아 있던 데몬은 먼저 끝내고, `fresh=True`면 `PM2_HOME`을 비운다.

    `name`을 주면 같은 레슨 안에서 따로 노는 데몬을 하나 더 만든다 (채점기가 쓴다).
    """
    if pm2_binary() is None or find_binary("node") is None:
        raise LabError("❌ PM2 실습에 필요한 Node.js 또는 PM2가 없다.\n"
                       "   해결: Node.js 18 이상을 설치하고 `make lab`으로 `sample_app/node`의 의존성을 설치한다.")
    home = home_for(lab, name)
    for live in registry.live(lab):
        if isinstance(live, PM2) and live.home == home:
            live.stop()
    reap(lab, name)
    if fresh and home.exists():
        shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PM2_HOME": str(home),
        # 처음 실행할 때의 배너와 설치 통계 전송을 끈다
        "PM2_DISCRETE_MODE": "true",
        "PM2_WORKER_INTERVAL": str(WORKER_INTERVAL_MS),
    }
    pm2 = PM2(lab=lab, home=home, env=env)
    registry.register(pm2)
    try:
        pm2.ping()
    except BaseException:
        pm2.stop()
        raise
    return pm2


def ecosystem_config(path: str | Path = ECOSYSTEM, env: dict[str, str] | None = None) -> dict[str, Any]:
    """ecosystem 파일을 node로 불러와(`require`) PM2가 볼 객체를 JSON으로 돌려준다 (환경 변수를 넣어 평가)."""
    node = find_binary("node")
    if node is None:
        raise LabError("❌ `node`를 찾을 수 없다: Node.js 18 이상을 설치한다.")
    script = f"console.log(JSON.stringify(require({json.dumps(str(Path(path).resolve()))})))"
    done = subprocess.run([node, "-e", script], cwd=NODE_DIR, capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise LabError("❌ ecosystem 파일을 불러오지 못했다.\n"
                       + "\n".join(f"   {line}" for line in done.stderr.strip().splitlines()[-6:]))
    return json.loads(done.stdout)


def write_ecosystem(lab: str, filename: str, config: dict[str, Any] | str) -> Path:
    """ecosystem 파일을 레슨 폴더에 쓴다. 사전이면 `module.exports = {...}`로, 문자열이면 그대로 쓴다.

    PM2는 파일 이름이 `.config.js`·`.config.cjs`·`.json`으로 끝나야 설정 파일로 알아본다. 그렇지 않은
    `fork.cjs`는 앱 스크립트로 실행해 버리므로, 이름이 맞지 않으면 `.config.cjs`를 붙인다.
    """
    if not filename.endswith((".config.cjs", ".config.js", ".config.mjs", ".json")):
        filename = filename.removesuffix(".cjs").removesuffix(".js") + ".config.cjs"
    text = config if isinstance(config, str) else (
        "// labs.pm2.write_ecosystem()이 만든 파일 (03 레슨)\n"
        f"module.exports = {json.dumps(config, ensure_ascii=False, indent=2)};\n")
    path = _files_dir(lab) / filename
    path.write_text(text, encoding="utf-8")
    return path


def write_script(lab: str, filename: str, text: str) -> Path:
    """앱 스크립트(작은 Node 파일)를 레슨 폴더에 쓴다: ecosystem 파일의 `script: "./이름"`과 `cwd: __dirname`으로 부른다."""
    path = _files_dir(lab) / filename
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


def alive_daemons(lab: str | None = None) -> list[int]:
    """상태 폴더 아래에 살아 있는 실습용 PM2 데몬의 pid (`lab`을 주면 그 레슨 것만). 정리 확인용."""
    root = registry.state_dir() / "pm2"
    if not root.exists():
        return []
    pids = []
    for home in sorted(p for p in root.iterdir() if p.is_dir()):
        if lab is not None and home.name != lab and not home.name.startswith(f"{lab}-"):
            continue
        proc = _alive_daemon(home)
        if proc is not None:
            pids.append(proc.pid)
    return pids


def _reaper(lab: str | None) -> list[str]:
    """`labs.cleanup()`이 부른다: 이 커널이 모르는, 상태 폴더에 남은 PM2 데몬을 거둔다."""
    root = registry.state_dir() / "pm2"
    if not root.exists():
        return []
    live_homes = {r.home for r in registry.live() if isinstance(r, PM2)}
    done: list[str] = []
    for home in sorted(p for p in root.iterdir() if p.is_dir()):
        if lab is not None and home.name != lab and not home.name.startswith(f"{lab}-"):
            continue
        if home not in live_homes:
            done += _reap_home(home)
    return done


registry.add_reaper(_reaper)

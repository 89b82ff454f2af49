"""03 레슨(Node.js를 위한 PM2)의 체크포인트 채점기. 모두 실제 PM2로 채점한다 (각 60초 안).

학습자는 ecosystem 파일을 `%%lab_file 이름` 셀(`labs.tasks`)에 쓰고, 채점기는 노트북 이름 공간의 `LAB_FILES[이름]`을
읽는다. 채점기는 파일을 **따로 띄운 PM2 데몬**(`PM2_HOME`이 레슨의 `-grader` 폴더)으로 저장소 루트에서 실제로 시작해 보고,
PM2가 받아들인 설정(`pm2 jlist`)과 살아 있는 인스턴스, HTTP 응답, 데몬 로그를 본 뒤 데몬을 끝낸다.

- 3-1 `ecosystem_file`: 시드의 설정으로 쓴 `ecosystem.config.js`.
- 3-2 `typo_fixed`: PM2가 조용히 버린 설정 이름(`instance`, `kill_timout`)을 고친다.
- 3-3 `crash_loop_fixed`: 끝없이 도는 크래시 루프를 `max_restarts`·`min_uptime`·`restart_delay`로 멈춘다.
- 3-4 `reload_fixed`: 리로드할 때 처리 중인 요청을 끊는 `kill_timeout`·`wait_ready`·`listen_timeout`을 고친다.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .. import pm2 as pm2_lab
from .. import tasks
from ..errors import LabError
from ..grading import Criterion, Grader
from ..korean import particle
from ..load import start_load
from ..procs import free_port

LAB = "03_pm2_nodejs"

ECOSYSTEM = "ecosystem.config.js"
TYPO = "typo.config.js"
CRASH = "crashloop.config.js"
RELOAD = "reload.config.js"

SEED = {"kill_timeout": 5000, "listen_timeout": 10000, "max_restarts": 10, "restart_delay": 1000,
        "max_memory_restart": 500 * 2**20}
"""시드 ecosystem 파일의 값 (PM2는 `"500M"`을 바이트로 바꿔 받아들인다)."""

CRASH_AFTER_MS = 1500
"""크래시 루프 실습의 앱(`labs.pm2.CRASH_SCRIPT`)이 시작하고 죽기까지의 시간."""

SLOW_SECONDS = 3
"""3-4에서 리로드하는 동안 처리 중인 느린 요청의 길이(초)."""


def _lab(ns: Mapping[str, Any]) -> str:
    return str(ns.get("LAB", LAB))


def _first_reason(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if any(word in line for word in ("Error", "error", "not found", "Unexpected")) and not line.startswith("❌"):
            return line[:160]
    return lines[0][:160] if lines else "알 수 없는 오류"


def _app(daemon: pm2_lab.PM2) -> dict[str, Any] | None:
    """데몬이 띄운 첫 앱의 `pm2_env`와 이름 (채점하는 파일에는 앱이 하나다)."""
    procs = daemon.jlist()
    return procs[0] if procs else None


def _settings(proc: dict[str, Any]) -> dict[str, Any]:
    env = proc.get("pm2_env", {})
    out = {key: env.get(key) for key in pm2_lab.SETTING_KEYS}
    out["exp_backoff_restart_delay"] = env.get("exp_backoff_restart_delay")
    app_env = env.get("env", {}) or {}
    raw = app_env.get("SHUTDOWN_TIMEOUT_MS", env.get("SHUTDOWN_TIMEOUT_MS"))
    out["SHUTDOWN_TIMEOUT_MS"] = int(raw) if raw is not None and str(raw).isdigit() else None
    return out


def _instances_answering(url: str, tries: int = 12) -> set[str]:
    seen = set()
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url + "/whoami", timeout=3) as r:
                seen.add(str(json.loads(r.read()).get("instance")))
        except (OSError, ValueError):
            pass
    return seen


# ---- 공통: 파일을 채점용 데몬으로 시작 --------------------------------------------------------

@lru_cache(maxsize=16)
def _started(text: str, lab: str, name: str) -> dict[str, Any]:
    """ecosystem 파일을 채점용 PM2 데몬으로 시작해 `/health`를 기다리고, 설정·online 수·응답한 인스턴스를 모은다."""
    path = pm2_lab.write_ecosystem(lab, f"checkpoint-{name}", text)
    out: dict[str, Any] = {"error": None, "settings": {}, "online": 0, "answered": set()}
    daemon = pm2_lab.daemon(lab, "grader")
    try:
        try:
            url = daemon.start(path, port=free_port(), instances=None, timeout=20)
        except LabError as exc:
            out["error"] = _first_reason(str(exc))
            url = None
        proc = _app(daemon)
        if proc is not None:
            out["settings"] = _settings(proc)
            wanted = out["settings"].get("instances")
            if url and isinstance(wanted, int) and wanted > 1:
                try:  # wait_ready가 꺼져 있으면 첫 인스턴스가 답할 때 나머지는 아직 뜨는 중일 수 있다
                    daemon.wait_online(min(wanted, 4), proc["name"], timeout=10)
                except LabError:
                    pass
            out["online"] = daemon.online(proc["name"])
            out["mode"] = out["settings"].get("exec_mode")
        if url:
            out["answered"] = _instances_answering(url)
    finally:
        daemon.stop()
    return out


def _run(ns: Mapping[str, Any], name: str) -> dict[str, Any]:
    return _started(tasks.text(ns, name), _lab(ns), name)


def _starts(name: str):
    def check(ns):
        r = _run(ns, name)
        if r["error"] is None:
            return True, "`pm2 start`가 파일을 받아들였고 /health가 200으로 답했다"
        return False, f"시작하지 못했다: {r['error']}"
    return check


def _cluster_two(name: str):
    def check(ns):
        r = _run(ns, name)
        mode, online = r["settings"].get("exec_mode"), r["online"]
        ok = mode == "cluster_mode" and online == 2
        return ok, f"exec_mode {mode}, online 인스턴스 {online}개"
    return check


def _two_answer(name: str):
    def check(ns):
        seen = sorted(_run(ns, name)["answered"])
        ok = len(seen) == 2
        return ok, f"/whoami 12번에 답한 인스턴스: {', '.join(seen) or '없음'}"
    return check


# ---- 3-1: 시드의 ecosystem 파일 ---------------------------------------------------------------

def _seed_values(*keys: str):
    def check(ns):
        s = _run(ns, ECOSYSTEM)["settings"]
        wrong = [f"{k}={s.get(k)} (시드 {SEED[k]})" for k in keys if s.get(k) != SEED[k]]
        return not wrong, "PM2가 받아들인 값이 시드와 같다" if not wrong else "; ".join(wrong)
    return check


def _waits_ready(ns):
    s = _run(ns, ECOSYSTEM)["settings"]
    ok = s.get("wait_ready") is True and s.get("listen_timeout") == SEED["listen_timeout"]
    return ok, f"wait_ready={s.get('wait_ready')}, listen_timeout={s.get('listen_timeout')}"


ecosystem_file = Grader("체크포인트 3-1: 시드의 ecosystem 파일", [
    Criterion("PM2가 파일로 앱을 시작하고 /health가 답한다", 2, _starts(ECOSYSTEM),
              "`script: \"sample_app/node/server.js\"`와 `env.PORT`는 그대로 두고 문법 오류(쉼표, 괄호)가 없는지 본다."),
    Criterion("클러스터 모드, 인스턴스 2개가 online이다", 2, _cluster_two(ECOSYSTEM),
              '`exec_mode: "cluster"`, `instances: 2` (시드의 "max"는 코어 수만큼이다)'),
    Criterion("두 인스턴스가 요청에 나눠 답한다", 1, _two_answer(ECOSYSTEM)),
    Criterion("메모리 한도 500M", 1, _seed_values("max_memory_restart"), '`max_memory_restart: "500M"`'),
    Criterion("준비 신호를 기다린다 (wait_ready, listen_timeout 10000)", 1, _waits_ready,
              "`wait_ready: true`, `listen_timeout: 10000`"),
    Criterion("kill_timeout 5000, max_restarts 10, restart_delay 1000", 1,
              _seed_values("kill_timeout", "max_restarts", "restart_delay")),
])


# ---- 3-2: 조용히 버려진 이름 -----------------------------------------------------------------

def _typo_values(ns):
    s = _run(ns, TYPO)["settings"]
    ok = s.get("instances") == 2 and s.get("kill_timeout") == 5000
    return ok, f"PM2가 받아들인 값: instances={s.get('instances')}, kill_timeout={s.get('kill_timeout')}"


typo_fixed = Grader("체크포인트 3-2: 조용히 버려진 설정 고치기", [
    Criterion("PM2가 파일로 앱을 시작하고 /health가 답한다", 1, _starts(TYPO), "문법 오류가 없는지 본다."),
    Criterion("PM2가 받아들인 값: instances 2, kill_timeout 5000", 2, _typo_values,
              "설정 이름은 PM2 문서 그대로: `instances`, `kill_timeout`."),
    Criterion("실제로 인스턴스 2개가 클러스터 모드로 online이다", 1, _cluster_two(TYPO)),
    Criterion("두 인스턴스가 요청에 나눠 답한다", 1, _two_answer(TYPO)),
])


# ---- 3-3: 크래시 루프 ------------------------------------------------------------------------

CRASH_WATCH = 35.0
"""3-3에서 PM2가 재시작을 멈추기(`too many unstable restarts`)를 기다리는 최대 시간(초)."""


@lru_cache(maxsize=8)
def _crash_run(text: str, lab: str) -> dict[str, Any]:
    """크래시하는 앱을 학습자의 파일로 띄우고, PM2가 재시작을 멈추는지(그리고 멈춘 뒤 조용한지) 본다."""
    pm2_lab.write_script(lab, "crash.js", pm2_lab.CRASH_SCRIPT)
    path = pm2_lab.write_ecosystem(lab, f"checkpoint-{CRASH}", text)
    out: dict[str, Any] = {"error": None, "settings": {}, "stopped": False, "starts": 0, "later": 0, "seconds": None}
    daemon = pm2_lab.daemon(lab, "grader")
    try:
        try:
            daemon.run("start", str(path), timeout=20)
        except LabError as exc:
            out["error"] = _first_reason(str(exc))
            return out
        proc = _app(daemon)
        if proc is None:
            out["error"] = "PM2 목록에 앱이 없다"
            return out
        name = proc["name"]
        out["settings"] = _settings(proc)
        began = time.monotonic()
        deadline = began + CRASH_WATCH
        while time.monotonic() < deadline:
            if "too many unstable restarts" in daemon.daemon_log(None):
                out["stopped"] = True
                out["seconds"] = time.monotonic() - began
                break
            time.sleep(0.2)
        out["starts"] = daemon.starts(name)
        time.sleep(3.0)  # 정말 멈췄는지 3초 더 지켜본다
        out["later"] = daemon.starts(name)
    finally:
        daemon.stop()
    return out


def _crash(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _crash_run(tasks.text(ns, CRASH), _lab(ns))


def _crash_started(ns):
    r = _crash(ns)
    return (r["error"] is None, "`pm2 start`가 파일을 받아들였다" if r["error"] is None
            else f"시작하지 못했다: {r['error']}")


def _crash_stops(ns):
    r = _crash(ns)
    ok = r["stopped"] and r["later"] == r["starts"]
    if ok:
        return True, f"{r['starts']}번 띄우고 {r['seconds']:.0f}초 만에 멈췄다 (3초 뒤에도 {r['later']}번)"
    return False, (f"{CRASH_WATCH:.0f}초 동안 멈추지 않았다: {r['later']}번 띄웠다" if not r["stopped"]
                   else f"멈춘 뒤에도 다시 띄웠다 ({r['starts']} → {r['later']}번)")


def _crash_few(ns):
    r = _crash(ns)
    ok = r["stopped"] and r["starts"] <= 6
    return ok, f"띄운 횟수 {r['starts']}번 (처음 시작 포함, 6번 이하)"


def _crash_uptime(ns):
    value = _crash(ns)["settings"].get("min_uptime")
    ok = isinstance(value, (int, float)) and value > CRASH_AFTER_MS
    return ok, (f"min_uptime {value} ms > 앱이 죽기까지 {CRASH_AFTER_MS} ms" if ok
                else f"min_uptime={value}: 1.5초를 산 재시작은 '안정된' 재시작으로 세어 max_restarts에 닿지 않는다")


def _crash_delay(ns):
    s = _crash(ns)["settings"]
    delay, backoff = s.get("restart_delay"), s.get("exp_backoff_restart_delay")
    ok = (isinstance(delay, (int, float)) and delay >= 500) or (isinstance(backoff, (int, float)) and backoff > 0)
    return ok, f"restart_delay={delay}, exp_backoff_restart_delay={backoff}"


crash_loop_fixed = Grader("체크포인트 3-3: 크래시 루프 멈추기", [
    Criterion("PM2가 파일을 받아들인다", 1, _crash_started, "문법 오류가 없는지, `script`와 `cwd`를 그대로 뒀는지 본다."),
    Criterion("PM2가 재시작을 멈추고(errored) 그 뒤로 다시 띄우지 않는다", 2, _crash_stops,
              "`min_uptime`보다 짧게 산 재시작만 불안정한 재시작으로 센다: 앱은 1.5초 산다."),
    Criterion("불안정한 재시작을 몇 번 안에서 멈춘다 (띄운 횟수 6번 이하)", 1, _crash_few, "`max_restarts: 3`"),
    Criterion("min_uptime이 앱이 죽기까지의 시간(1.5초)보다 길다", 1, _crash_uptime, "`min_uptime: 5000`"),
    Criterion("재시작 사이를 벌린다 (restart_delay 500 ms 이상 또는 exp_backoff_restart_delay)", 1, _crash_delay,
              "`restart_delay: 1000`"),
])


# ---- 3-4: 리로드가 처리 중인 요청을 끊는다 ---------------------------------------------------------

@lru_cache(maxsize=8)
def _reload_run(text: str, lab: str) -> dict[str, Any]:
    """파일로 띄운 클러스터 앱에 느린 요청 4건을 보내 두고 `pm2 reload`: 실패 수와 SIGKILL을 본다."""
    path = pm2_lab.write_ecosystem(lab, f"checkpoint-{RELOAD}", text)
    out: dict[str, Any] = {"error": None, "settings": {}, "failed": None, "errors": {}, "sigkill": None}
    daemon = pm2_lab.daemon(lab, "grader")
    try:
        try:
            url = daemon.start(path, port=free_port(), instances=None, timeout=20)
        except LabError as exc:
            out["error"] = _first_reason(str(exc))
            return out
        proc = _app(daemon)
        if proc is None:
            out["error"] = "PM2 목록에 앱이 없다"
            return out
        name = proc["name"]
        out["settings"] = _settings(proc)
        try:
            daemon.wait_online(2, name, timeout=10)
        except LabError:
            pass
        before = daemon.app_logs().count("[slow] 시작")  # 인스턴스마다 로그 파일이 따로다: 위치가 아니라 줄 수를 센다
        slow = start_load(url + f"/slow?duration={SLOW_SECONDS}", concurrency=4, requests=4, timeout=20)
        try:
            daemon.wait(lambda: daemon.app_logs().count("[slow] 시작") >= before + 4, 10, "느린 요청 4건 시작")
        except LabError:
            time.sleep(1.0)
        try:
            daemon.reload(name, timeout=40)
        except LabError as exc:
            out["error"] = _first_reason(str(exc))
        result = slow.result()
        out["failed"], out["errors"] = result.failed, dict(result.errors)
        out["sigkill"] = "sending SIGKILL" in daemon.daemon_log(None)
    finally:
        daemon.stop()
    return out


def _reload(ns: Mapping[str, Any]) -> dict[str, Any]:
    return _reload_run(tasks.text(ns, RELOAD), _lab(ns))


def _reload_starts(ns):
    r = _reload(ns)
    return (r["error"] is None, "클러스터 앱이 뜨고 리로드가 끝났다" if r["error"] is None
            else f"실패했다: {r['error']}")


def _reload_no_failures(ns):
    r = _reload(ns)
    if r["failed"] is None:
        return False, "앱이 뜨지 않아 재지 못했다"
    ok = r["failed"] == 0
    return ok, (f"{SLOW_SECONDS}초 요청 4건이 리로드 중에도 모두 200" if ok
                else f"4건 중 {r['failed']}건 실패: {r['errors']}")


def _reload_no_sigkill(ns):
    r = _reload(ns)
    ok = r["sigkill"] is False
    return ok, "데몬 로그에 SIGKILL이 없다" if ok else "데몬 로그에 `sending SIGKILL`이 있다"


def _reload_ready(ns):
    s = _reload(ns)["settings"]
    ok = s.get("wait_ready") is True and (s.get("listen_timeout") or 0) >= 3000
    return ok, f"wait_ready={s.get('wait_ready')}, listen_timeout={s.get('listen_timeout')}"


def _reload_kill_after_shutdown(ns):
    s = _reload(ns)["settings"]
    kill, shutdown = s.get("kill_timeout"), s.get("SHUTDOWN_TIMEOUT_MS")
    if kill is None or shutdown is None:
        return False, f"kill_timeout={kill}, SHUTDOWN_TIMEOUT_MS={shutdown}"
    ok = kill > shutdown
    return ok, (f"kill_timeout {kill} ms > SHUTDOWN_TIMEOUT_MS {shutdown} ms" if ok
                else f"kill_timeout {kill} ms{particle(str(kill) + ' ms', '이')} 앱의 종료 시간 {shutdown} ms보다 짧다: "
                     "정리 중에 SIGKILL을 맞는다")


reload_fixed = Grader("체크포인트 3-4: 요청을 끊지 않는 리로드", [
    Criterion("PM2가 파일로 클러스터 앱을 띄우고 리로드한다", 1, _reload_starts, "문법 오류가 없는지 본다."),
    Criterion(f"리로드하는 동안 처리 중인 {SLOW_SECONDS}초 요청 4건이 모두 200으로 끝난다", 2, _reload_no_failures,
              "옛 인스턴스가 요청을 마칠 때까지 PM2가 기다려야 한다."),
    Criterion("PM2가 옛 인스턴스를 SIGKILL로 죽이지 않았다", 1, _reload_no_sigkill),
    Criterion("kill_timeout이 앱의 종료 시간(SHUTDOWN_TIMEOUT_MS)보다 길다", 1, _reload_kill_after_shutdown,
              "`kill_timeout: 10000` (앱은 8000 ms 동안 정리한다)"),
    Criterion("준비 신호를 기다린다 (wait_ready, listen_timeout 3000 이상)", 1, _reload_ready,
              "`wait_ready: true`, `listen_timeout: 10000`"),
])

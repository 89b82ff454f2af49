"""03 레슨(Node.js를 위한 PM2)의 체크포인트 채점기.

- 3-1 `fixed_ecosystem`: 고장 난 ecosystem 파일을 고친다. 채점기가 그 파일을 **따로 띄운 PM2 데몬**으로 실제로
  시작해 보고, PM2가 받아들인 설정(`pm2 jlist`)과 살아 있는 인스턴스, `/health` 응답을 본 뒤 데몬을 끝낸다.
- 3-2 `shutdown_plan`: 느린 요청이 있는 앱의 종료 시간, 신호, 배포 명령을 정한다.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .. import pm2 as pm2_lab
from ..errors import LabError
from ..grading import Criterion, Grader, need
from ..korean import particle
from ..procs import free_port

LAB = "03_pm2_nodejs"

BROKEN_ECOSYSTEM = """\
// 고장 난 ecosystem 파일: 무중단 리로드도, 그레이스풀 셧다운도 되지 않는다.
module.exports = {
  apps: [
    {
      name: "checkpoint-api",
      script: "./server.js",
      cwd: process.env.APP_DIR,          // 채점기가 sample_app/node 경로를 넣어 준다
      instances: 1,
      exec_mode: "fork",
      env: {
        PORT: process.env.PORT,          // 채점기가 빈 포트를 넣어 준다
        SHUTDOWN_TIMEOUT_MS: 4000,       // 앱이 스스로 정리하고 끝내는 데 주는 시간
      },
      kill_timeout: 1000,
      wait_ready: false,
    },
  ],
};
"""
"""체크포인트 3-1의 출발점. 노트북이 보여 주고, 학생이 고친다."""

APP = "checkpoint-api"

# ---- 3-1: 고장 난 ecosystem 파일 -------------------------------------------------


@lru_cache(maxsize=8)
def _try_ecosystem(text: str, lab: str) -> dict[str, Any]:
    """ecosystem 파일을 채점용 PM2 데몬으로 시작해 보고 결과를 모은다. 데몬은 끝에 반드시 끝낸다."""
    path = pm2_lab.write_ecosystem(lab, "checkpoint_3_1.config.cjs", text)
    out: dict[str, Any] = {"error": None, "settings": {}, "online": 0, "healthy": False, "shutdown_ms": None}
    port = free_port()
    daemon = pm2_lab.daemon(lab, "grader")
    try:
        try:
            daemon.start(path, port=port, instances=None,
                         env={"APP_DIR": str(pm2_lab.NODE_DIR)}, timeout=15)
            out["healthy"] = True
        except LabError as exc:
            out["error"] = _first_reason(str(exc))
        procs = [p for p in daemon.jlist() if p.get("name") == APP]
        if procs:
            env = procs[0].get("pm2_env", {})
            out["settings"] = {key: env.get(key) for key in pm2_lab.SETTING_KEYS}
            app_env = env.get("env", {}) or {}
            raw = app_env.get("SHUTDOWN_TIMEOUT_MS", env.get("SHUTDOWN_TIMEOUT_MS"))
            out["shutdown_ms"] = int(raw) if raw is not None and str(raw).isdigit() else None
            wanted = out["settings"].get("instances")
            if out["healthy"] and isinstance(wanted, int) and wanted > 0:
                # wait_ready가 꺼져 있으면 첫 인스턴스가 답할 때 나머지는 아직 뜨는 중일 수 있다
                try:
                    daemon.wait_online(min(wanted, 4), APP, timeout=10)
                except LabError:
                    pass
            out["online"] = daemon.online(APP)
    finally:
        daemon.stop()
    return out


def _first_reason(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if re.search(r"(Error|error|SyntaxError|not found|Unexpected)", line) and not line.startswith("❌"):
            return line[:160]
    return lines[0][:160] if lines else "알 수 없는 오류"


def _result(ns: Mapping[str, Any]) -> dict[str, Any]:
    text = need(ns, "fixed_ecosystem")
    if not isinstance(text, str) or "module.exports" not in text:
        raise TypeError("`fixed_ecosystem`에 고친 ecosystem 파일 내용을 문자열로 담는다 (`module.exports = …`).")
    return _try_ecosystem(text, str(ns.get("LAB", LAB)))


def _starts(ns):
    r = _result(ns)
    if r["healthy"]:
        return True, "PM2가 시작했고 /health가 200으로 답했다"
    return False, f"시작하지 못했다: {r['error']}"


def _cluster(ns):
    mode = _result(ns)["settings"].get("exec_mode")
    return mode == "cluster_mode", "" if mode == "cluster_mode" else f"exec_mode가 {mode}다"


def _two_online(ns):
    r = _result(ns)
    n = r["online"]
    return n == 2, "" if n == 2 else f"online 인스턴스가 {n}개다"


def _wait_ready(ns):
    s = _result(ns)["settings"]
    ok = s.get("wait_ready") is True and (s.get("listen_timeout") or 0) >= 3000
    return ok, "" if ok else f"wait_ready={s.get('wait_ready') or False}, listen_timeout={s.get('listen_timeout') or '기본값'}"


def _kill_timeout(ns):
    r = _result(ns)
    kill, shutdown = r["settings"].get("kill_timeout"), r["shutdown_ms"]
    if kill is None or shutdown is None:
        return False, f"kill_timeout={kill}, SHUTDOWN_TIMEOUT_MS={shutdown}"
    ok = kill > shutdown
    return ok, (f"kill_timeout {kill} ms > SHUTDOWN_TIMEOUT_MS {shutdown} ms" if ok
                else f"kill_timeout {kill} ms가 앱의 종료 시간 {shutdown} ms보다 짧다: 정리 중에 SIGKILL을 맞는다")


fixed_ecosystem = Grader("체크포인트 3-1: ecosystem 파일 고치기", [
    Criterion("PM2가 파일로 앱을 시작하고 /health가 답한다", 2, _starts,
              "`cwd`, `script`, `env.PORT`는 그대로 두고 문법 오류가 없는지 본다."),
    Criterion("클러스터 모드다", 2, _cluster, '`exec_mode: "cluster"` — 무중단 리로드의 조건이다.'),
    Criterion("인스턴스 2개가 online이다", 1, _two_online, "`instances: 2`"),
    Criterion("준비 신호를 기다린다 (wait_ready, listen_timeout 3초 이상)", 1, _wait_ready,
              "`wait_ready: true`, `listen_timeout: 10000`"),
    Criterion("kill_timeout이 앱의 종료 시간보다 길다", 2, _kill_timeout,
              "`kill_timeout`은 `SHUTDOWN_TIMEOUT_MS`(4000)보다 커야 앱이 스스로 끝낸다."),
])


# ---- 3-2: 종료 계획 ---------------------------------------------------------------

SLOWEST_REQUEST_MS = 8000
"""체크포인트 3-2의 앱에서 가장 느린 요청이 걸리는 시간."""


def _number(ns, name: str) -> float:
    value = need(ns, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"`{name}`{particle(name, '은')} 밀리초 숫자로 적는다 (예: 10000).")
    return float(value)


def _shutdown_covers_slowest(ns):
    value = _number(ns, "shutdown_timeout_ms")
    ok = value > SLOWEST_REQUEST_MS
    return ok, (f"{value:.0f} ms > 가장 느린 요청 {SLOWEST_REQUEST_MS} ms" if ok
                else f"{value:.0f} ms로는 {SLOWEST_REQUEST_MS} ms 요청을 끝내기 전에 앱이 스스로 끊는다")


def _kill_after_shutdown(ns):
    shutdown, kill = _number(ns, "shutdown_timeout_ms"), _number(ns, "kill_timeout_ms")
    ok = kill > shutdown
    return ok, (f"kill_timeout {kill:.0f} ms > 앱 종료 시간 {shutdown:.0f} ms" if ok
                else "PM2의 SIGKILL이 앱의 정리보다 먼저 온다")


def _signal(ns):
    value = str(need(ns, "stop_signal")).strip().upper()
    ok = value in ("SIGINT", "INT", "2")
    return ok, "PM2는 SIGINT를 보내고 kill_timeout 뒤 SIGKILL을 보낸다" if ok else f"{value}{particle(value, '은')} 아니다"


def _deploy(ns):
    value = str(need(ns, "deploy_command")).strip().lower()
    ok = "reload" in value and "restart" not in value
    return ok, ("reload는 새 인스턴스가 준비된 뒤에 옛 인스턴스를 멈춘다" if ok
                else "restart는 멈춘 뒤 다시 띄운다: 무중단이 아니다" if "restart" in value else f"{value!r}{particle(repr(value), '은')} 아니다")


shutdown_plan = Grader("체크포인트 3-2: 종료 계획", [
    Criterion("앱의 종료 시간(SHUTDOWN_TIMEOUT_MS)이 가장 느린 요청보다 길다", 2, _shutdown_covers_slowest),
    Criterion("PM2의 kill_timeout이 앱의 종료 시간보다 길다", 2, _kill_after_shutdown),
    Criterion("PM2가 앱을 멈출 때 먼저 보내는 신호", 1, _signal, "PM2 문서의 'Graceful Stop'을 본다."),
    Criterion("무중단 배포에 쓰는 명령", 1, _deploy, "`pm2 ??? sample-node`"),
])

"""예제 애플리케이션을 학습자가 쓴 환경 파일과 실행 스크립트로 띄운다 (00 레슨).

`labs.start_uvicorn()`은 실습용 설정(`app_env`)을 환경 변수로 넣어 준다. 00 레슨은 그 설정을 학습자가 직접
쓴다: 환경 파일(`uvicorn --env-file`)과 실행 스크립트(`sh run.sh`). 그래서 여기서는 예제 앱의 설정 이름
(`SECRET_KEY`, `ENVIRONMENT`, `LOG_LEVEL`, …)을 커널의 환경에서 **빼고** 띄운다: 앱이 읽는 설정은 학습자의
파일에 적힌 것뿐이고, 보여 주는 `$ …` 명령 줄을 터미널에 붙여 넣으면 같은 결과가 나온다.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil

from . import registry
from .procs import DEFAULT_ASGI, Server, free_port


def app_setting_names() -> set[str]:
    """예제 앱이 환경에서 읽는 이름 (대문자): 설정 클래스의 필드와 uvicorn의 `WEB_CONCURRENCY`, 플랫폼의 `PORT`."""
    from sample_app.config import Settings

    return {name.upper() for name in Settings.model_fields} | {"SECRETS_DIR", "WEB_CONCURRENCY", "PORT"}


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """커널의 환경에서 예제 앱 설정을 뺀 것 + `extra`. pydantic-settings는 이름의 대소문자를 가리지 않으므로 모두 뺀다."""
    names = app_setting_names()
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


def _start(name: str, argv: list[str], lab: str, port: int, env: dict[str, str] | None,
           timeout: float, echo: bool) -> Server:
    registry.reap_stale(lab)
    srv = Server(name=name, argv=argv, lab=lab, port=port, env=clean_env(env), inherit_env=False,
                 echo=echo, echo_env=dict(env or {}))
    return srv.start(timeout=timeout)


def start_uvicorn(lab: str, *, env_file: str | Path | None = None, port: int | None = None,
                  app: str = DEFAULT_ASGI, timeout: float = 30.0, echo: bool = True) -> Server:
    """`uvicorn 앱 --host 127.0.0.1 --port N [--env-file 파일]`을 띄운다. 설정은 환경 파일에서만 읽는다.

    `echo=True`(기본)면 실행하는 명령 줄을 `$ …`로 먼저 보여 준다."""
    port = port or free_port()
    argv = ["uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    if env_file is not None:
        argv += ["--env-file", str(env_file)]
    return _start("uvicorn", argv, lab, port, None, timeout, echo)


def start_script(lab: str, script: str | Path, *, port: int | None = None, env: dict[str, str] | None = None,
                 timeout: float = 30.0, echo: bool = True) -> Server:
    """실행 스크립트를 `PORT=N sh 스크립트`로 띄우고 `/health`가 그 포트에서 답할 때까지 기다린다.

    플랫폼(Heroku, Cloud Run, 이 실습)이 하는 일과 같다: 포트를 `PORT` 환경 변수로 주고 그 포트로 헬스 체크를 한다.
    `env`는 함께 줄 환경 변수 (예: `{"WEB_CONCURRENCY": "2"}`), 명령 줄에도 보인다."""
    port = port or free_port()
    return _start("uvicorn", ["sh", str(script)], lab, port, {"PORT": str(port), **(env or {})}, timeout, echo)


def listening(srv: Server) -> list[str]:
    """서버 프로세스(와 그 자식)가 듣고 있는 TCP 주소 (`127.0.0.1:41234`, `0.0.0.0:8000` …), 정렬해서."""
    if not srv.alive():
        return []
    try:
        root = psutil.Process(srv.pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return []
    found = set()
    for proc in procs:
        try:
            conns = proc.net_connections(kind="tcp")
        except psutil.Error:
            continue
        found |= {f"{c.laddr.ip}:{c.laddr.port}" for c in conns if c.status == psutil.CONN_LISTEN}
    return sorted(found)


def command_of(srv: Server) -> str:
    """시작한 프로세스(pid)가 지금 실행하는 프로그램 이름: `sh … exec uvicorn`이면 `uvicorn`, exec가 없으면 `sh`."""
    try:
        cmd = psutil.Process(srv.pid).cmdline()
    except psutil.Error:
        return ""
    if not cmd:
        return ""
    first = Path(cmd[0]).name
    if first.startswith("python") and len(cmd) > 1:  # 가상 환경의 uvicorn은 `python …/uvicorn`으로 보인다
        return Path(cmd[1]).name
    return first


def app_error(err: BaseException | str) -> list[str]:
    """실패한 시작의 로그에서 예제 앱이 남긴 설정 오류 줄만 (`ConfigError: …`와 그 뒤 줄). 없으면 빈 목록."""
    lines = str(err).splitlines()
    for i, line in enumerate(lines):
        if "ConfigError: " in line:
            first = line.split("ConfigError: ", 1)[1]
            return [first.strip()] + [rest.strip() for rest in lines[i + 1:] if rest.strip()]
    return []


def log_line(err: BaseException | str, needle: str) -> str | None:
    """오류 메시지(마지막 로그 포함)에서 `needle`이 든 첫 줄 (앞뒤 공백을 떼고). 없으면 None."""
    return next((line.strip() for line in str(err).splitlines() if needle in line), None)

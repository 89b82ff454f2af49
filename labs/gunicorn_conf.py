"""gunicorn 설정 파일을 gunicorn 자신에게 읽혀 실제로 적용되는 값을 본다 (02 레슨).

설정 파일(`gunicorn.conf.py`)은 평범한 파이썬 모듈이다. gunicorn은 그 모듈을 실행한 뒤 **자기가 아는 이름만**
설정으로 가져가고 나머지는 조용히 버린다: `thread = 4`처럼 한 글자 틀린 이름은 오류 없이 무시된다.
그래서 이 모듈은 두 가지를 함께 본다.

- `gunicorn --print-config -c 파일 앱`: gunicorn이 파일·명령행·환경 변수를 모두 합쳐 실제로 쓸 값.
  앱을 불러와 보기까지 하므로(`--check-config`) 가져오기 오류도 여기서 드러난다.
- 파일의 최상위 대입문(`ast`): 파일이 무엇을 정하려 했는지. gunicorn이 모르는 이름을 골라낸다.

설정 파일과 실습 파일은 저장소가 아니라 실습 상태 폴더(`.labs_state/files/<레슨>/`)에 쓴다.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import registry
from .errors import LabError
from .procs import DEFAULT_WSGI, Server, app_env, command_line, find_binary, free_port, start_process

COURSE_CONFIG = registry.PROJECT_ROOT / "sample_app" / "gunicorn.conf.py"
"""코스가 권하는 설정 파일 (`sample_app/gunicorn.conf.py`)."""

# 명령행 전용이거나 실행 위치마다 달라지는 설정: 설정 파일의 효과를 볼 때는 빼고 본다.
_NOISE = {"config", "print_config", "check_config", "chdir", "control_socket", "default_proc_name",
          "user", "group"}


def lab_dir(lab: str) -> Path:
    """레슨이 만드는 파일(설정 파일, 임시 모듈)을 두는 폴더."""
    path = registry.state_dir() / "files" / lab
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(lab: str, name: str, text: str) -> Path:
    """`text`를 레슨 폴더의 `name` 파일로 쓰고 경로를 돌려준다 (노트북의 `%%writefile` 대신)."""
    path = lab_dir(lab) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def known_settings() -> frozenset[str]:
    """설치된 gunicorn이 아는 설정 이름 전부."""
    from gunicorn.config import KNOWN_SETTINGS

    return frozenset(s.name for s in KNOWN_SETTINGS)


def assigned_names(path: str | Path) -> list[str]:
    """설정 파일이 최상위에서 대입하는 이름들 (가져오기·함수·밑줄로 시작하는 이름은 뺀다)."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and not leaf.id.startswith("_") and leaf.id not in names:
                    names.append(leaf.id)
    return names


def parse_value(raw: str) -> Any:
    """`--print-config`가 찍은 값 문자열을 파이썬 값으로 (숫자, 참거짓, 목록). 안 되면 문자열 그대로."""
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


def worker_class_ok(value: str) -> bool:
    """gunicorn이 이 워커 클래스를 불러올 수 있는지: 내장 이름이거나 설치된 모듈의 클래스 경로."""
    from gunicorn.workers import SUPPORTED_WORKERS

    value = value.strip()
    if value in SUPPORTED_WORKERS:
        return True
    if value.startswith("egg:"):
        return True
    module, _, cls = value.rpartition(".")
    if not module or not cls:
        return False
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@dataclass
class GunicornConfig:
    """gunicorn이 읽은 설정 파일 하나: 실제 값, 파일이 정한 이름, gunicorn이 모르는 이름."""

    path: Path | None
    app: str
    settings: dict[str, str]
    assigned: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return parse_value(self.settings[key])

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self.settings else default

    @property
    def known(self) -> list[str]:
        """파일이 정했고 gunicorn이 설정으로 받아들인 이름."""
        return [n for n in self.assigned if n in known_settings()]

    @property
    def ignored(self) -> list[str]:
        """파일이 정했지만 gunicorn이 모르는 이름: 오류 없이 버려진다 (오타, 옛 설정 이름)."""
        modules = _imported_names(self.path) if self.path else set()
        return [n for n in self.assigned if n not in known_settings() and n not in modules]

    def changed(self) -> dict[str, tuple[str, str]]:
        """기본값과 달라진 설정: {이름: (기본값, 실제 값)}."""
        base = defaults(self.app)
        return {k: (base.get(k, ""), v) for k, v in sorted(self.settings.items())
                if k not in _NOISE and base.get(k) != v}

    def rows(self, keys: list[str] | None = None) -> list[dict[str, str]]:
        """표로 보기 좋은 행: 설정 이름, 실제 값, 기본값 (기본값은 설정 파일 없이 읽은 값)."""
        base = defaults(self.app)
        keys = keys if keys is not None else self.known
        return [{"설정": k, "실제 값": self.settings.get(k, "?"), "기본값": base.get(k, "?"),
                 "바뀜": "✅" if self.settings.get(k) != base.get(k) else ""} for k in keys]

    def table(self, keys: list[str] | None = None):
        """`rows()`를 pandas 표로 (노트북에서 보기 좋게)."""
        import pandas as pd

        return pd.DataFrame(self.rows(keys)).set_index("설정")


def _imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _print_config(path: Path | None, app: str, args: list[str], env: dict[str, str] | None,
                  timeout: float, echo: bool = False) -> dict[str, str]:
    binary = find_binary("gunicorn")
    if binary is None:
        raise LabError("❌ `gunicorn`을 찾을 수 없다: `make lab`으로 파이썬 의존성을 설치한다.")
    argv = [binary, "--print-config"]
    # 설정 파일을 주지 않으면 gunicorn은 현재 폴더의 ./gunicorn.conf.py를 찾는다: 빈 파일로 막는다.
    argv += ["-c", str(path) if path else os.devnull]
    argv += [*args, app]
    if echo:
        print("$ " + command_line(["gunicorn", *argv[1:]], env), flush=True)
    full_env = {**os.environ, **app_env("gunicorn-config"), **(env or {})}
    for key in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY"):
        if env is None or key not in env:
            full_env.pop(key, None)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=full_env,
                              cwd=registry.PROJECT_ROOT)
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"❌ gunicorn이 {timeout:.0f}초 안에 설정을 읽지 못했다: 설정 파일이 무언가를 기다리는지 본다.") from exc
    if done.returncode != 0:
        text = (done.stdout + done.stderr).strip()
        if path is not None:  # 실습 폴더의 절대 경로 대신 파일 이름만 보인다
            text = text.replace(str(path), path.name)
        lines = [line for line in text.splitlines() if line.strip()]
        last = "\n".join(f"   {line}" for line in lines[-6:])
        raise LabError(f"❌ gunicorn이 설정을 받아들이지 않았다 (종료 코드 {done.returncode}).\n"
                       f"   원인: 설정 파일의 문법 오류, 잘못된 값, 또는 앱을 불러오지 못함.\n"
                       f"   --- gunicorn 출력의 마지막 줄 ---\n{last}")
    settings: dict[str, str] = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition(" = ")
        if sep and key.strip().isidentifier():
            settings[key.strip()] = value.strip()
    return settings


def load(path: str | Path | None, app: str = DEFAULT_WSGI, *, args: list[str] | tuple[str, ...] = (),
         env: dict[str, str] | None = None, timeout: float = 30.0, echo: bool = False) -> GunicornConfig:
    """gunicorn에게 설정 파일을 읽히고(`--print-config`) 실제로 적용될 설정을 돌려준다.

    - `args`: 명령행 인자 (명령행은 설정 파일보다 우선한다)
    - `env`: 설정 파일이 읽을 환경 변수 (예: `{"WEB_CONCURRENCY": "3"}`)
    - `echo=True`: 실행하는 명령 줄(`$ gunicorn --print-config -c … 앱`)을 먼저 보여 준다
    gunicorn이 거부하면 마지막 출력 줄과 함께 한국어 `LabError`를 낸다.
    """
    p = Path(path) if path is not None else None
    if p is not None and not p.exists():
        raise LabError(f"❌ 설정 파일이 없다: {p.name}")
    settings = _print_config(p, app, list(args), env, timeout, echo)
    assigned = assigned_names(p) if p is not None else []
    return GunicornConfig(p, app, settings, assigned)


@lru_cache(maxsize=8)
def _defaults(app: str) -> tuple[tuple[str, str], ...]:
    return tuple(_print_config(None, app, [], None, 30.0).items())


def defaults(app: str = DEFAULT_WSGI) -> dict[str, str]:
    """설정 파일 없이 gunicorn이 쓰는 기본값."""
    return dict(_defaults(app))


def start_with_config(lab: str, path: str | Path, app: str = DEFAULT_WSGI, *, port: int | None = None,
                      args: list[str] | tuple[str, ...] = (), env: dict[str, str] | None = None,
                      timeout: float = 30.0, echo: bool = False, bind_env: str | None = None) -> Server:
    """설정 파일 그대로 gunicorn을 띄운다. 바인드만 명령행으로 루프백의 빈 포트로 바꾼다 (명령행이 파일보다 우선).

    설정 파일이 `bind = "0.0.0.0:8000"`이어도 실습은 `127.0.0.1`에서만 듣는다.
    - `bind_env="GUNICORN_BIND"`: 바인드를 명령행 대신 이 환경 변수로 준다. 설정 파일이 그 변수를 읽어야
      그 포트에서 듣는다 (읽지 않으면 준비 확인이 `timeout`초 뒤 실패한다).
    - `echo=True`: 실행하는 명령 줄(`$ gunicorn -c … 앱`)을 먼저 보여 준다.
    """
    port = port or free_port()
    env = dict(env or {})
    argv = ["gunicorn", "-c", str(path)]
    if bind_env:
        env[bind_env] = f"127.0.0.1:{port}"
    else:
        argv += ["--bind", f"127.0.0.1:{port}"]
    if _has_control_socket():
        argv.append("--no-control-socket")  # 여러 실습 서버가 같은 ~/.gunicorn/gunicorn.ctl을 두고 다투지 않게
    argv += [*args, app]
    return start_process("gunicorn", argv, lab, port=port, env=app_env(lab, **env), timeout=timeout,
                         echo=echo, echo_env=env)


def _has_control_socket() -> bool:
    return "control_socket_disable" in known_settings()

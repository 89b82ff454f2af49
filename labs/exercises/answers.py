"""연습 문제의 답: 노트북의 `%%answer 이름` 셀과, 제출된 노트북 파일에서 답을 꺼내는 법 (10 레슨).

학생은 답 파일(Dockerfile, gunicorn.conf.py, docker-compose.dev.yml, deploy.sh, nginx.conf)을 노트북의
`%%answer` 셀에 쓴다. 이 셀 매직은 `%%writefile`처럼 내용을 파일로 저장하고(`<상태 폴더>/files/10_exercises/answers/`),
노트북 이름 공간의 `ANSWERS` 사전에도 넣는다. 채점기는 이 사전을 읽는다: 커널을 새로 켜면 사전이 비므로,
지난 실행이 남긴 파일을 채점하는 일이 없다.

강사의 일괄 채점(`python -m labs.grade`)은 노트북을 실행하지 않고 JSON에서 같은 셀을 찾아 답을 꺼낸다.
`%%writefile answers/Dockerfile`처럼 쓴 셀도 파일 이름으로 알아본다.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import registry
from ..grading import Missing, TodoError
from ..korean import particle

ANSWERS_VAR = "ANSWERS"
"""노트북 이름 공간에서 답을 담는 사전의 이름: {답 이름: 내용}."""

NAMES = ("Dockerfile", "gunicorn.conf.py", "docker-compose.dev.yml", "deploy.sh", "nginx.conf")
"""다섯 문제의 답 파일 이름 (문제 번호 순)."""

_STUB = re.compile(r"labs\.todo\((.*)\)")


def answers_dir() -> Path:
    path = registry.state_dir() / "files" / "10_exercises" / "answers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_stub(body: str) -> bool:
    """학생용 노트북의 빈칸(스텁)이 그대로 남아 있는지."""
    return _STUB.search(body) is not None


def stub_hint(body: str) -> str:
    m = _STUB.search(body)
    if not m:
        return "이 셀의 빈칸을 채운다"
    try:
        value = ast.literal_eval(m.group(1))
        return str(value)
    except (ValueError, SyntaxError):
        return "이 셀의 빈칸을 채운다"


_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION\b.*\n?", re.M)


def strip_markers(body: str) -> str:
    """정답 노트북의 `### BEGIN SOLUTION`·`### END SOLUTION` 줄을 뺀다 (셔뱅이 첫 줄에 오도록)."""
    return _MARKER.sub("", body)


def canonical(name: str) -> str | None:
    """`answers/Dockerfile`, `docker-compose.dev.yaml`처럼 적은 이름을 다섯 답 이름 가운데 하나로."""
    base = Path(name.strip().strip("'\"")).name
    if base in NAMES:
        return base
    aliases = {"docker-compose.dev.yaml": "docker-compose.dev.yml", "compose.dev.yaml": "docker-compose.dev.yml",
               "compose.dev.yml": "docker-compose.dev.yml", "gunicorn_conf.py": "gunicorn.conf.py",
               "default.conf": "nginx.conf"}
    return aliases.get(base)


def answer_text(ns: Mapping[str, Any], name: str) -> str:
    """이름 공간의 `ANSWERS`에서 답을 꺼낸다. 없으면 채점기가 '아직 정하지 않았다'고 안내한다."""
    answers = ns.get(ANSWERS_VAR) or {}
    text = answers.get(name) if isinstance(answers, Mapping) else None
    if text is None:
        raise Missing(f"아직 `{name}` 답을 정하지 않았다: 위의 `%%answer {name}` 셀을 채우고 실행한다.")
    if not str(text).strip():
        raise Missing(f"`{name}` 답이 비어 있다: `%%answer {name}` 셀에 내용을 쓴다.")
    return str(text)


def save(ns: MutableMapping[str, Any], name: str, body: str) -> Path:
    """답 하나를 파일과 이름 공간(`ANSWERS`)에 저장한다."""
    target = canonical(name)
    if target is None:
        raise TodoError(f"✍️ 답 이름 `{name}`{particle(name, '을')} 모른다. 다음 가운데 하나를 쓴다: {', '.join(NAMES)}")
    if is_stub(body):
        raise TodoError(f"✍️ 아직 답을 쓰지 않았다: {stub_hint(body)}")
    body = strip_markers(body)
    text = body if body.endswith("\n") else body + "\n"
    path = answers_dir() / target
    path.write_text(text, encoding="utf-8")
    if target == "deploy.sh":
        path.chmod(0o755)
    answers = ns.setdefault(ANSWERS_VAR, {})
    answers[target] = text
    return path


def answer_magic(line: str, cell: str) -> None:
    """`%%answer 이름`: 셀 내용을 답 파일로 저장한다 (`%%writefile`과 같되, 채점기가 읽는 곳에)."""
    from IPython import get_ipython

    ip = get_ipython()
    ns = ip.user_ns if ip is not None else {}
    name = line.strip()
    if not name:
        raise TodoError(f"✍️ `%%answer` 다음에 답 이름을 쓴다: {', '.join(NAMES)}")
    save(ns, name, cell)
    lines = len(strip_markers(cell).rstrip("\n").splitlines())
    print(f"✍️ 답 `{canonical(name)}`{particle(canonical(name), '을')} 저장했다 ({lines}줄).")


# ---- 제출된 노트북에서 꺼내기 -----------------------------------------------------

@dataclass
class Extracted:
    """노트북 파일 하나에서 꺼낸 답과, 꺼내면서 본 문제."""

    answers: dict[str, str] = field(default_factory=dict)
    stubs: list[str] = field(default_factory=list)
    problem: str | None = None
    """노트북 자체의 문제 (JSON 오류, 셀 없음). 있으면 모든 문제가 0점이다."""


_MAGIC = re.compile(r"^\s*%%(answer|writefile)\b(.*)$")


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(str(s) for s in src)
    return str(src)


def extract(path: Path) -> Extracted:
    """제출된 노트북(.ipynb)에서 `%%answer`·`%%writefile` 셀의 답을 꺼낸다. 노트북을 실행하지 않는다."""
    out = Extracted()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        out.problem = f"노트북 파일을 읽지 못했다: {exc.strerror or exc}"
        return out
    if not raw.strip():
        out.problem = "노트북 파일이 비어 있다 (0바이트)."
        return out
    try:
        nb = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError as exc:
        where = f" ({exc.lineno}번째 줄 {exc.colno}번째 글자)" if isinstance(exc, json.JSONDecodeError) else ""
        out.problem = f"노트북 파일이 올바른 JSON이 아니다{where}: 저장이 중간에 끊겼거나 손으로 고친 파일이다."
        return out
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        out.problem = "노트북에 셀 목록(cells)이 없다: Jupyter 노트북 파일이 아니다."
        return out
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = _source(cell)
        first, _, body = text.partition("\n")
        body = strip_markers(body)
        m = _MAGIC.match(first)
        if not m:
            continue
        args = m.group(2).split()
        args = [a for a in args if not a.startswith("-")]  # %%writefile -a 파일
        if not args:
            continue
        name = canonical(args[-1])
        if name is None:
            continue
        if is_stub(body) or not body.strip():
            out.stubs.append(name)
            out.answers.pop(name, None)
            continue
        out.answers[name] = body if body.endswith("\n") else body + "\n"
        if name in out.stubs:
            out.stubs.remove(name)
    if not out.answers and out.problem is None:
        out.problem = ("답 셀(`%%answer 이름`)을 하나도 찾지 못했다: 빈 노트북이거나 답을 아직 쓰지 않았다."
                       if not out.stubs else None)
    return out

"""학습자 과제 도구: 편집하는 파일 셀(`%%lab_file`), 측정 전에 적는 예측(`labs.predict`) (02 레슨에서 소개, 모든 레슨이 쓴다).

**파일 셀.** 레슨이 가르치는 설정 파일(gunicorn.conf.py, nginx 서버 블록, Dockerfile, compose.yaml …)은 학습자가
고치는 텍스트 셀이다. `%%lab_file 이름` 셀 매직은 셀 내용을 **그대로** 레슨의 실습 폴더
(`.labs_state/files/<레슨>/이름`)에 쓰고, 그 파일을 "지금 파일"로 기억한다. 다음 셀은 `labs.tasks.path(이름)`으로
바로 그 파일을 적용한다 (`gunicorn -c <그 파일> …`). 셀은 쓴 곳과, 같은 커널에서 앞서 쓴 버전과의 차이를 한 줄로 보여 준다.
레슨은 노트북의 `LAB` 변수로 정한다 (`%%lab_file --lab 다른레슨 이름`으로 바꿀 수 있다).
10 레슨의 `%%answer`와 같은 생각이다 (그쪽은 일괄 채점용 답 파일이라 따로 둔다).

정답 노트북의 파일 셀에서 `### BEGIN SOLUTION 힌트` … `### END SOLUTION`은 학생판에서 스텁(`labs.todo(힌트)` 한 줄)이
된다. 고장 내고 고치는 훈련처럼 학습자에게 망가진 글을 건네려면 정답 구간 안에 `### STUB`을 두고 그 아래에 학생이 받을
글을 쓴다 (정답 노트북에서는 실행되지 않는다). 셀에 `labs.todo(` 줄이 남아 있으면 매직은 파일을 쓰지 않고 힌트와 함께 멈춘다.

**예측.** `labs.predict("키", 값, "질문", unit="req/s")`는 측정하기 전에 학습자의 예측을 시각과 함께 출력한다
(출력은 노트북에 저장되므로 강사가 본다; `predictions_in()`이 제출된 노트북에서 꺼낸다). 측정 셀은 맨 앞에서
`labs.tasks.measuring("키")`를 부른다: 그 뒤에 적은 같은 키의 예측은 받지 않는다. `labs.tasks.observe("키", 측정값)`은
예측과 측정을 나란히 놓고 차이를 한국어 한 문장으로 알려 준다. 예측은 맞았는지로 채점하지 않는다.
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import registry
from .errors import LabError
from .grading import Missing, TodoError
from .korean import particle
from .procs import display_path

FILES_VAR = "LAB_FILES"
"""노트북 이름 공간에서 파일 셀의 내용을 담는 사전의 이름: {파일 이름: 내용}. 채점기가 읽는다."""

MAGIC = "lab_file"

STUB_COMMENT = "# ✍️ 아래 labs.todo 줄을 지우고 이 파일을 고친다."
"""생성기가 파일 셀의 스텁 위에 두는 안내 줄. 매직은 이 줄을 파일에 쓰지 않는다 (주석 문법이 다른 파일도 있다)."""

_STUB = re.compile(r"^[ \t]*labs\.todo\((.*)\)[ \t]*$", re.M)
_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION\b.*\n?", re.M)
_STUB_SECTION = re.compile(r"^[ \t]*### STUB\b[^\n]*\n.*?(?=^[ \t]*### END SOLUTION)", re.M | re.S)


# ---- 파일 셀 -------------------------------------------------------------------

@dataclass
class Artifact:
    """파일 셀이 쓴 파일 하나: 레슨, 이름, 실제 경로, 내용."""

    lab: str
    name: str
    path: Path
    text: str

    @property
    def shown(self) -> str:
        """저장소 루트 기준 경로 (터미널에 그대로 붙여 넣는다)."""
        return display_path(str(self.path))


_current: dict[tuple[str, str], Artifact] = {}
"""이 커널에서 파일 셀이 마지막으로 쓴 파일. 커널을 새로 켜면 빈다 (지난 실행의 파일을 적용하는 일이 없다)."""


def files_dir(lab: str) -> Path:
    """레슨의 실습 파일 폴더 (`<상태 폴더>/files/<레슨>`)."""
    path = registry.state_dir() / "files" / lab
    path.mkdir(parents=True, exist_ok=True)
    return path


def solution_text(body: str) -> str:
    """정답 노트북의 셀 내용에서 표식 줄과 `### STUB` 구간(학생이 받을 글)을 뺀다."""
    return _MARKER.sub("", _STUB_SECTION.sub("", body))


def stub_hint(body: str) -> str | None:
    """셀에 스텁(`labs.todo(...)` 줄)이 남아 있으면 그 힌트, 없으면 None."""
    m = _STUB.search(body)
    if m is None:
        return None
    import ast

    try:
        return str(ast.literal_eval(m.group(1)))
    except (ValueError, SyntaxError):
        return "이 파일을 고친다"


def diff_summary(old: str | None, new: str) -> str:
    """앞 버전과의 차이를 한 줄로: `새 파일`, `바뀐 것 없음`, `2줄 바뀜 (+2 −2): threads = 4`."""
    if old is None:
        return "새 파일"
    if old == new:
        return "앞 버전과 같다"
    a, b = old.splitlines(), new.splitlines()
    added = removed = 0
    first = ""
    for line in difflib.unified_diff(a, b, lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        if line.startswith("+"):
            added += 1
            first = first or line[1:].strip()
        elif line.startswith("-"):
            removed += 1
    text = f"앞 버전과 비교해 +{added}줄 −{removed}줄"
    return text + (f" (처음 바뀐 줄: `{first}`)" if first else "")


def write(lab: str, name: str, body: str, ns: dict[str, Any] | None = None, *, show: bool = True) -> Artifact:
    """파일 셀 하나를 처리한다: 스텁이면 멈추고, 아니면 내용을 그대로 쓰고 지금 파일로 기억한다."""
    name = name.strip()
    # `.env`·`.dockerignore`처럼 점으로 시작하는 이름은 받는다 (`.`·`..`와 폴더는 받지 않는다)
    if not name or "/" in name or name in (".", ".."):
        raise TodoError(f"✍️ `%%{MAGIC}` 다음에 파일 이름을 쓴다 (폴더 없이, 예: `%%{MAGIC} gunicorn.conf.py`).")
    hint = stub_hint(body)
    if hint is not None:
        raise TodoError(f"✍️ 아직 답을 쓰지 않았다: {hint}")
    lines = [line for line in solution_text(body).splitlines() if line.strip() != STUB_COMMENT]
    text = "\n".join(lines).strip("\n") + "\n"
    if not text.strip():
        raise TodoError(f"✍️ 아직 답을 쓰지 않았다: `{name}` 셀이 비어 있다.")
    previous = _current.get((lab, name))
    path = files_dir(lab) / name
    path.write_text(text, encoding="utf-8")
    art = Artifact(lab, name, path, text)
    _current[(lab, name)] = art
    if ns is not None:
        ns.setdefault(FILES_VAR, {})[name] = text
    if show:
        count = len(text.splitlines())
        print(f"✍️ {art.shown}에 썼다 ({count}줄, {diff_summary(previous.text if previous else None, text)})")
    return art


def current(name: str, lab: str | None = None) -> Artifact:
    """파일 셀이 이 커널에서 마지막으로 쓴 `name` 파일. 아직 없으면 한국어 안내로 멈춘다."""
    lab = lab or _lab_from_ns()
    art = _current.get((lab, name))
    if art is None:
        raise TodoError(f"✍️ 아직 `{name}` 파일이 없다: 위의 `%%{MAGIC} {name}` 셀을 채우고 먼저 실행한다.")
    return art


def path(name: str, lab: str | None = None) -> Path:
    """지금 `name` 파일의 경로 (다음 셀이 바로 이 파일을 적용한다)."""
    return current(name, lab).path


def text(ns: Mapping[str, Any], name: str) -> str:
    """채점기용: 노트북 이름 공간의 `LAB_FILES`에서 파일 내용을 꺼낸다. 없으면 '아직 정하지 않았다'."""
    files = ns.get(FILES_VAR) or {}
    value = files.get(name) if isinstance(files, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        raise Missing(f"아직 `{name}`{particle(name, '을')} 정하지 않았다: 위의 `%%{MAGIC} {name}` 셀을 채우고 실행한다.")
    return value


def _lab_from_ns() -> str:
    from IPython import get_ipython

    ip = get_ipython()
    lab = ip.user_ns.get("LAB") if ip is not None else None
    if not isinstance(lab, str) or not lab:
        raise LabError("❌ 레슨 이름(`LAB`)이 없다: 노트북 첫 셀(준비)을 먼저 실행한다.")
    return lab


def lab_file_magic(line: str, cell: str) -> None:
    """`%%lab_file 이름`: 셀 내용을 레슨 실습 폴더의 파일로 그대로 쓴다 (`--lab 레슨`으로 레슨을 바꾼다)."""
    from IPython import get_ipython

    ip = get_ipython()
    words = shlex.split(line)
    lab = None
    if "--lab" in words:
        at = words.index("--lab")
        lab = words[at + 1] if at + 1 < len(words) else None
        words = words[:at] + words[at + 2:]
    write(lab or _lab_from_ns(), " ".join(words), cell, ip.user_ns if ip is not None else None)


# ---- 예측 ------------------------------------------------------------------------

@dataclass
class Prediction:
    key: str
    value: Any
    question: str
    unit: str
    at: datetime


_predictions: dict[str, Prediction] = {}
_measured: dict[str, datetime] = {}

_STAMP = "%Y-%m-%d %H:%M:%S"


def _unit(value: Any, unit: str) -> str:
    """값과 단위: 한글 단위는 붙여 쓰고(`1.0초`, `4개`), 나머지는 띄운다(`40 req/s`)."""
    if not unit:
        return f"{value}"
    return f"{value}{unit}" if "가" <= unit[0] <= "힣" else f"{value} {unit}"


def predict(key: str, value: Any, question: str = "", *, unit: str = "") -> None:
    """측정하기 전에 예측을 적는다. 출력(노트북에 저장된다)에 예측과 시각이 남는다.

    같은 키의 측정(`measuring(key)`)이 이미 시작됐으면 받지 않는다: 결과를 본 뒤의 예측은 예측이 아니다.
    맞았는지는 채점하지 않는다.
    """
    if value is None or value is Ellipsis or (isinstance(value, str) and not value.strip()):
        raise TodoError(f"✍️ 아직 예측을 적지 않았다: {question or key}")
    if key in _measured:
        raise LabError(f"⛔ `{key}` 측정은 이미 {_measured[key]:%H:%M:%S}에 시작했다: 측정한 뒤에 적은 예측은 받지 않는다.\n"
                       f"   해결: 예측을 먼저 적고 측정 셀을 실행한다. 처음부터 다시 하려면 커널을 재시작하고 "
                       f"예측 셀부터 실행한다.")
    now = datetime.now()
    _predictions[key] = Prediction(key, value, question, unit, now)
    print(f"🔮 예측 기록 [{key}] {question} → {_unit(value, unit)} ({now:{_STAMP}})")


def measuring(*keys: str) -> None:
    """측정 셀 맨 앞에서 부른다: 이제부터 이 키들의 예측은 받지 않는다. 예측이 없던 키는 그렇다고 알려 준다."""
    now = datetime.now()
    for key in keys:
        _measured.setdefault(key, now)
        made = key in _predictions
        print(f"📏 측정 시작 [{key}]: " + ("예측이 먼저 적혀 있다." if made
                                          else "예측이 없다 (다음에는 측정 전에 예측 셀을 실행한다)."))


def prediction(key: str) -> Prediction | None:
    """이 커널에서 측정 전에 적은 예측 (없으면 None)."""
    p = _predictions.get(key)
    if p is None or (key in _measured and _measured[key] < p.at):
        return None
    return p


def compare(predicted: Any, measured: Any, unit: str = "") -> str:
    """예측과 측정의 차이를 한국어 한 문장으로 (숫자면 비율, 아니면 같은지)."""
    if isinstance(predicted, (int, float)) and isinstance(measured, (int, float)) and not isinstance(predicted, bool):
        if predicted == 0:
            return "예측이 0이라 비율로 비교할 수 없다."
        ratio = measured / predicted
        if 0.9 <= ratio <= 1.1:
            return "측정이 예측과 거의 같다 (차이 10% 안)."
        if ratio > 1:
            return f"측정이 예측의 {ratio:.1f}배다: 예측보다 많다." if ratio >= 2 else \
                f"측정이 예측보다 {ratio - 1:.0%} 많다."
        return f"측정이 예측의 {ratio:.2f}배다: 예측보다 적다." if ratio <= 0.5 else \
            f"측정이 예측보다 {1 - ratio:.0%} 적다."
    same = str(predicted).strip().lower() == str(measured).strip().lower()
    return "예측과 같다." if same else f"예측({_unit(predicted, unit)})과 다르다."


def observe(key: str, measured: Any, *, unit: str | None = None, why: str = "") -> None:
    """예측과 측정을 나란히 보여 주고 차이를 한 문장으로 알려 준다. `why`는 레슨이 보태는 설명."""
    _measured.setdefault(key, datetime.now())
    p = prediction(key)
    shown = f"{measured:.1f}" if isinstance(measured, float) else str(measured)
    if p is None:
        print(f"📏 [{key}] 측정 {_unit(shown, unit or '')} — 측정 전에 적은 예측이 없다.")
    else:
        u = p.unit if unit is None else unit
        print(f"🔮 [{key}] 예측 {_unit(p.value, u)} ({p.at:%H:%M:%S}에 적음) ↔ 📏 측정 {_unit(shown, u)}")
        print(f"   ↳ 예측과 측정: {compare(p.value, measured, u)}")
    if why:
        print(f"   왜: {why}")


def reset() -> None:
    """이 커널의 예측·측정 기록과 지금 파일을 지운다 (테스트용)."""
    _predictions.clear()
    _measured.clear()
    _current.clear()


# ---- 제출된 노트북에서 예측 꺼내기 (강사용) ------------------------------------------

_PRED_LINE = re.compile(r"🔮 예측 기록 \[(?P<key>[^\]]+)\] (?P<rest>.*) \((?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\)")
_MEAS_LINE = re.compile(r"📏 측정 시작 \[(?P<key>[^\]]+)\]")


def predictions_in(notebook: str | Path) -> list[dict[str, Any]]:
    """저장된 노트북의 출력에서 예측 기록을 꺼낸다 (일괄 채점·강사 확인용, 노트북을 실행하지 않는다).

    행마다 키, 예측(질문 → 값), 적은 시각, 실행 번호, 그리고 같은 키의 `측정 시작`보다 먼저 실행됐는지.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    preds: list[dict[str, Any]] = []
    measured: dict[str, int] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        count = cell.get("execution_count") or 0
        for out in cell.get("outputs", []):
            raw = out.get("text", "")
            body = "".join(raw) if isinstance(raw, list) else str(raw)
            for m in _PRED_LINE.finditer(body):
                preds.append({"키": m["key"], "예측": m["rest"], "시각": m["at"], "실행 번호": count})
            for m in _MEAS_LINE.finditer(body):
                measured[m["key"]] = min(measured.get(m["key"], count), count)
    for row in preds:
        start = measured.get(row["키"])
        row["측정 전"] = start is None or row["실행 번호"] < start
    return preds


# ---- IPython 등록 --------------------------------------------------------------------

def load(ipython: Any = None) -> bool:
    """`%%lab_file` 셀 매직을 등록한다 (`import labs`가 부른다). IPython 밖이면 아무것도 하지 않는다."""
    if ipython is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        ipython = get_ipython()
    if ipython is None:
        return False
    ipython.register_magic_function(lab_file_magic, "cell", MAGIC)
    return True


def load_ipython_extension(ipython: Any) -> None:  # noqa: ANN401 - IPython의 규칙
    """`%load_ext labs.tasks`: `%%lab_file` 셀 매직을 등록한다."""
    load(ipython)

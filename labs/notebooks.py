"""노트북 생성기: `solutions/`(정답과 실행 결과) → `notebooks/`(학생용) (코스 관리자용).

    python -m labs.notebooks          # notebooks/ 를 새로 쓴다
    python -m labs.notebooks --check  # notebooks/ 가 최신이 아니면 0이 아닌 코드로 끝난다

하는 일:
- `### BEGIN SOLUTION` … `### END SOLUTION` 사이(nbgrader 표식)를 한국어 스텁으로 바꾼다.
  코드 셀의 스텁은 `labs.todo(...)`를 불러 친절한 한국어 안내로 멈추고, 마크다운의 답은 안내 문장이 된다.
- 출력과 실행 번호를 지운다.
- `nav` 태그가 붙은 셀(레슨 사이 이동 링크)과 `course-map` 태그 셀(코스 지도)을 `labs.course`에서
  다시 만든다: solutions 쪽도 함께 갱신한다.

학생판 검사(`tests/test_notebooks.py`)가 실행할 셀을 고르는 `check_plan()`도 여기 있다: 셀마다 정의하고
읽는 이름을 ast로 보고, 스텁·채점·정리 셀과 그 셀들이 읽는 이름을 정의하는 앞 셀만 고른다.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import json
import re
import sys
from pathlib import Path

import nbformat

from .course import LESSONS, lesson, neighbours
from .registry import PROJECT_ROOT

SOLUTIONS = PROJECT_ROOT / "solutions"
NOTEBOOKS = PROJECT_ROOT / "notebooks"

_BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)", re.M | re.S)


def _code_stub(indent: str, hint: str) -> str:
    return (f"{indent}# 여기에 답을 쓴다. 다 쓰면 아래 줄을 지운다.\n"
            f"{indent}labs.todo({hint!r})\n")


def _hint(source: str) -> str:
    m = re.search(r"### BEGIN SOLUTION[ \t]*(.*)", source)
    text = (m.group(1).strip() if m else "") or "이 셀의 빈칸을 채운다"
    return text


_STUB_LINES = re.compile(r"^[ \t]*### STUB\b[^\n]*\n(.*?)^[ \t]*### END SOLUTION", re.M | re.S)


def strip_solutions(source: str, cell_type: str) -> str:
    """정답 구간을 스텁으로 바꾼다. `### BEGIN SOLUTION 힌트`처럼 힌트를 적으면 스텁 메시지가 된다.

    파일 셀(`%%lab_file 이름`, `labs.tasks`)에서는 스텁이 `labs.todo(힌트)` 한 줄이고, 정답 구간 안의 `### STUB` 아래
    줄들(학생이 받아 고칠 글, 예: 오타 난 설정)이 그 뒤에 그대로 남는다."""
    artifact = cell_type == "code" and source.lstrip().startswith("%%lab_file")

    def repl(m: re.Match[str]) -> str:
        indent = m.group(1)
        hint = _hint(m.group(0))
        if cell_type == "markdown":
            return f"{indent}> ✍️ 여기에 답을 쓴다: {hint}\n"
        given = _STUB_LINES.search(m.group(0))
        if artifact:
            from .tasks import STUB_COMMENT

            return f"{indent}{STUB_COMMENT}\n{indent}labs.todo({hint!r})\n" + (given.group(1) if given else "")
        return _code_stub(indent, hint)
    return _BLOCK.sub(repl, source)


def nav_markdown(stem: str) -> str:
    prev, nxt = neighbours(stem)
    parts = []
    if prev:
        parts.append(f"⬅️ 이전: [{prev.title}](./{prev.filename})")
    parts.append("[🏠 시작하기](./00_start_here.ipynb)" if stem != "00_start_here" else "🏠 시작하기")
    if nxt:
        parts.append(f"다음: [{nxt.title}](./{nxt.filename}) ➡️")
    return " | ".join(parts)


def lesson_minutes(stem: str) -> int | None:
    """정답 노트북 메타데이터의 예상 시간(`course.minutes`). README 코스 지도와 00 레슨의 표가 같은 값을 쓴다."""
    path = SOLUTIONS / f"{stem}.ipynb"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("course", {}).get("minutes")


def course_map_markdown() -> str:
    # 생성 결과는 solutions/ 의 내용에만 달린다: 같은 solutions/ 이면 언제나 같은 notebooks/.
    rows = ["| 레슨 | 예상 시간 | 다루는 내용 | 시드 절 |", "| --- | --- | --- | --- |"]
    for item in LESSONS:
        section = f"{item.seed_section}절" if item.seed_section else "—"
        minutes = lesson_minutes(item.stem)
        time = f"약 {minutes}분" if minutes else "—"
        rows.append(f"| [{item.stem[:2]}. {item.title}](./{item.filename}) | {time} | {item.summary} | {section} |")
    return "\n".join(rows)


def refresh_generated_cells(nb: nbformat.NotebookNode, stem: str) -> bool:
    """nav·course-map 셀을 다시 만든다. 바뀐 것이 있으면 True."""
    changed = False
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        new = None
        if "nav" in tags:
            new = nav_markdown(stem)
        elif "course-map" in tags:
            new = "## 코스 지도\n\n" + course_map_markdown()
        if new is not None and cell.source != new:
            cell.source = new
            changed = True
    return changed


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    out = nbformat.from_dict(nb)
    for cell in out.cells:
        cell.source = strip_solutions(cell.source, cell.cell_type)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("execution", None)
    out.metadata.pop("widgets", None)
    return out


def _dump(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def build(check: bool = False) -> list[str]:
    """모든 solutions 노트북의 학생판을 만든다. `check=True`면 쓰지 않고 다른 파일 목록만 돌려준다."""
    NOTEBOOKS.mkdir(exist_ok=True)
    stale: list[str] = []
    for src in sorted(SOLUTIONS.glob("*.ipynb")):
        nb = nbformat.read(src, as_version=4)
        try:
            lesson(src.stem)
        except KeyError:
            stale.append(f"{src.name}: labs/course.py 의 레슨 목록에 없다")
            continue
        if refresh_generated_cells(nb, src.stem):
            if check:
                stale.append(f"solutions/{src.name}: 이동 링크·코스 지도가 오래됐다")
            else:
                src.write_text(_dump(nb), encoding="utf-8")
        target = NOTEBOOKS / src.name
        text = _dump(student_version(nb))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(f"notebooks/{src.name}")
            if not check:
                target.write_text(text, encoding="utf-8")
    for extra in NOTEBOOKS.glob("*.ipynb"):
        if not (SOLUTIONS / extra.name).exists():
            stale.append(f"notebooks/{extra.name}: 짝이 되는 solutions 노트북이 없다")
    return stale


def execute(path: Path, timeout: int = 600) -> None:
    """정답 노트북을 처음부터 끝까지 실행해 출력을 채워 넣는다 (노트북 폴더에서, 이 가상 환경의 커널로)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    refresh_generated_cells(nb, path.stem)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    path.write_text(_dump(nb), encoding="utf-8")


# ---- 학생판 검사 계획 (tests/test_notebooks.py) ---------------------------------------

STUB_CALL = "labs.todo("
CLEANUP_CALL = "labs.cleanup("


def _python(source: str) -> str | None:
    """셀 원문을 파이썬으로 바꾼다 (`%매직`·`!명령` 변환). 셀 매직(`%%answer` 등) 셀은 None."""
    if source.lstrip().startswith("%%"):
        return None
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class _Names(ast.NodeVisitor):
    """한 유효 범위(셀의 모듈 수준, 함수, 람다, 클래스, 컴프리헨션)가 정의하는 이름과 범위 밖에서 읽는 이름.

    안쪽 범위(함수 본문 등)의 대입은 그 안에서만 보이므로 바깥의 정의로 치지 않는다. 안쪽 범위가 읽는
    이름 가운데 그 범위가 정의하지 않은 것은 바깥에서 읽는 것으로 친다 (함수가 불릴 때 읽는 전역)."""

    def __init__(self) -> None:
        self.defs: dict[str, list[int]] = {}
        self.loads: dict[str, int] = {}  # 이름 → 처음 읽는 줄

    def _load(self, name: str, line: int) -> None:
        self.loads[name] = min(line, self.loads.get(name, line))

    def free(self) -> set[str]:
        """범위 밖에서 와야 하는 이름: 정의하지 않거나, 정의하는 줄보다 앞에서 읽는 이름."""
        return {n for n, line in self.loads.items() if n not in self.defs or line < min(self.defs[n])}

    def _define(self, name: str, line: int) -> None:
        self.defs.setdefault(name, []).append(line)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._load(node.id, node.lineno)
        else:
            self._define(node.id, node.lineno)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):  # `x += 1`은 앞의 x를 읽는다
            self._load(node.target.id, node.lineno - 1)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            self._define((alias.asname or alias.name).split(".")[0], node.lineno)

    visit_ImportFrom = visit_Import

    def _inner(self, node: ast.AST) -> None:
        name = getattr(node, "name", None)
        if name:
            self._define(name, node.lineno)
        outer = list(getattr(node, "decorator_list", []))  # 장식자·기본값·기반 클래스는 바깥에서 계산된다
        args = getattr(node, "args", None)
        if isinstance(args, ast.arguments):
            outer += [d for d in args.defaults + args.kw_defaults if d is not None]
        outer += list(getattr(node, "bases", [])) + [k.value for k in getattr(node, "keywords", [])]
        for child in outer:
            self.visit(child)
        scope = _Names()
        if isinstance(args, ast.arguments):
            for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if a is not None:
                    scope._define(a.arg, node.lineno)
        for child in ast.iter_child_nodes(node):
            if child not in outer and child is not args:
                scope.visit(child)
        for name in scope.free():
            self._load(name, node.lineno)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _inner
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _inner


_IPYTHON_NAMES = {"display", "get_ipython", "In", "Out", "exit", "quit"}


def cell_names(source: str) -> tuple[dict[str, list[int]], set[str]]:
    """셀이 모듈 수준에서 정의하는 이름(이름 → 줄 번호들)과, 앞 셀에서 와야 하는 이름.

    앞 셀에서 와야 하는 이름: 셀이 정의하지 않고 읽거나, 정의하는 줄보다 앞 줄에서 읽는 이름.
    (`x = x + 1`처럼 한 줄에서 읽고 정의하면 놓친다: 그러면 검사가 NameError로 실패해 드러난다.)
    파이썬으로 읽을 수 없는 셀(셀 매직)은 아무것도 정의하지도 읽지도 않는 것으로 본다."""
    code = _python(source)
    if code is None:
        return {}, set()
    visitor = _Names()
    visitor.visit(ast.parse(code))
    return visitor.defs, visitor.free() - set(dir(builtins)) - _IPYTHON_NAMES


def check_plan(nb: nbformat.NotebookNode) -> list[int]:
    """학생판 검사가 실행할 코드 셀의 번호 (노트북 순서).

    고르는 셀: 첫 코드 셀(준비: import, `LAB`, 매직 등록), 스텁 셀(`labs.todo(`), `grader` 태그 셀,
    마지막 `labs.cleanup(` 셀부터 끝까지(정리와 그 확인). 여기에 더해, 고른 셀이 읽는 이름마다
    그 앞에서 그 이름을 마지막으로 정의한 셀을 (그 셀이 읽는 이름까지 거슬러) 고른다.

    채점기는 답과 실습 결과를 `globals()`에서 `grading.need()`(없으면 `Missing` → "아직 정하지 않았다"
    안내와 0점)나 `ns.get(이름, 기본값)`으로만 읽는다. 그래서 스텁 뒤의 채점 셀은 앞의 긴 실습 셀
    없이도 학생이 보는 것과 같은 `GradeFailed`로 끝난다: 긴 실습 셀은 건너뛴다."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if not code:
        return []
    names = {i: cell_names(nb.cells[i].source) for i in code}
    cleanups = [i for i in code if CLEANUP_CALL in nb.cells[i].source]
    chosen = {code[0]}
    chosen |= {i for i in code if STUB_CALL in nb.cells[i].source
               or "grader" in nb.cells[i].get("metadata", {}).get("tags", [])}
    if cleanups:
        chosen |= {i for i in code if i >= cleanups[-1]}
    todo = sorted(chosen)
    while todo:
        i = todo.pop()
        for name in names[i][1]:
            definer = max((j for j in code if j < i and name in names[j][0]), default=None)
            if definer is not None and definer not in chosen:
                chosen.add(definer)
                todo.append(definer)
    return sorted(chosen)


def answer_names(solution_source: str) -> set[str]:
    """정답 셀의 `### BEGIN SOLUTION` … `### END SOLUTION` 구간이 정의하는 이름 (채점기가 찾을 답 이름).

    `%%answer 이름`·`%%lab_file 이름` 셀이면 그 파일 이름이다 (채점기는 `ANSWERS`·`LAB_FILES`의 그 이름을 읽는다)."""
    first = solution_source.lstrip().splitlines()[0] if solution_source.strip() else ""
    if first.startswith(("%%answer", "%%lab_file")):  # 파일 셀: 채점기는 `ANSWERS`·`LAB_FILES`의 이 이름을 읽는다
        words = [w for w in first.split()[1:] if not w.startswith("--")]
        if first.startswith("%%lab_file") and "--lab" in first.split():
            words = [w for w in words if w != first.split()[first.split().index("--lab") + 1]]
        return {words[-1]} if words else set()
    lines = solution_source.splitlines()
    spans, start = [], None
    for n, line in enumerate(lines, 1):
        if "### BEGIN SOLUTION" in line:
            start = n
        elif "### END SOLUTION" in line and start is not None:
            spans.append((start, n))
            start = None
    defs, _ = cell_names(solution_source)
    return {name for name, at in defs.items() if any(a < line < b for line in at for a, b in spans)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="solutions/ 에서 학생용 notebooks/ 를 만든다.")
    parser.add_argument("--check", action="store_true", help="쓰지 않고 최신인지만 검사한다")
    parser.add_argument("--execute", nargs="+", metavar="NOTEBOOK", help="정답 노트북을 실행해 출력을 채운다")
    args = parser.parse_args(argv)
    for name in args.execute or []:
        path = Path(name) if Path(name).exists() else SOLUTIONS / f"{Path(name).stem}.ipynb"
        print(f"▶ 실행: {path.name}", flush=True)
        execute(path)
    stale = build(check=args.check)
    if args.check:
        if stale:
            print("❌ notebooks/ 가 solutions/ 와 맞지 않는다. `make notebooks`를 실행한다:")
            print("\n".join(f"   - {s}" for s in stale))
            return 1
        print("✅ notebooks/ 가 최신이다.")
        return 0
    print(f"✅ 학생용 노트북을 만들었다 (바뀐 파일 {len(stale)}개).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""노트북 생성기: `solutions/`(정답과 실행 결과) → `notebooks/`(학생용) (코스 관리자용).

    python -m labs.notebooks          # notebooks/ 를 새로 쓴다
    python -m labs.notebooks --check  # notebooks/ 가 최신이 아니면 0이 아닌 코드로 끝난다

하는 일:
- `### BEGIN SOLUTION` … `### END SOLUTION` 사이(nbgrader 표식)를 한국어 스텁으로 바꾼다.
  코드 셀의 스텁은 `labs.todo(...)`를 불러 친절한 한국어 안내로 멈추고, 마크다운의 답은 안내 문장이 된다.
- 출력과 실행 번호를 지운다.
- `nav` 태그가 붙은 셀(레슨 사이 이동 링크)과 `course-map` 태그 셀(코스 지도)을 `labs.course`에서
  다시 만든다: solutions 쪽도 함께 갱신한다.
"""

from __future__ import annotations

import argparse
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


def strip_solutions(source: str, cell_type: str) -> str:
    """정답 구간을 스텁으로 바꾼다. `### BEGIN SOLUTION 힌트`처럼 힌트를 적으면 스텁 메시지가 된다."""
    def repl(m: re.Match[str]) -> str:
        indent = m.group(1)
        hint = _hint(m.group(0))
        if cell_type == "markdown":
            return f"{indent}> ✍️ 여기에 답을 쓴다: {hint}\n"
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


def course_map_markdown() -> str:
    # 생성 결과가 다른 파일의 존재에 따라 바뀌지 않게 한다: 같은 solutions/ 이면 언제나 같은 notebooks/.
    rows = ["| 레슨 | 다루는 내용 | 시드 절 |", "| --- | --- | --- |"]
    for item in LESSONS:
        section = f"{item.seed_section}절" if item.seed_section else "—"
        rows.append(f"| [{item.stem[:2]}. {item.title}](./{item.filename}) | {item.summary} | {section} |")
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

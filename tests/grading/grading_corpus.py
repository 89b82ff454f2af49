"""채점기 검증용 답 모음(corpus/)을 읽는 도우미.

`corpus/exN/` 의 파일마다 맨 위 주석에 기대하는 결과를 적는다.
- `# expect-fail: 키 …`       정적 채점에서 실패해야 하는 기준의 키 (그 밖의 정적 기준은 모두 통과해야 한다)
- `# expect-fail-live: 키 …`  실제 상태 채점에서 더 실패해야 하는 기준 (이 줄이 있으면 실제 상태로도 검증한다)
문제 2의 답 파일은 `.py.txt`다: 문법 오류인 답이 파이썬 도구의 일괄 컴파일을 깨지 않게.
정답은 정답 노트북(solutions/10_exercises.ipynb)의 `%%answer` 셀 그대로다: 답의 원본은 하나다.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from labs.exercises import NAMES, common, module
from labs.exercises.answers import extract
from labs.registry import PROJECT_ROOT

CORPUS = Path(__file__).parent / "corpus"
SOLUTION = PROJECT_ROOT / "solutions" / "10_exercises.ipynb"


@dataclass(frozen=True)
class Case:
    number: int
    path: Path
    fail: frozenset[str]
    fail_live: frozenset[str] | None

    @property
    def id(self) -> str:
        return f"ex{self.number}/{self.path.name}"

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def cases(number: int | None = None) -> list[Case]:
    out = []
    for n in range(1, 6):
        if number is not None and n != number:
            continue
        for f in sorted((CORPUS / f"ex{n}").glob("*")):
            text = f.read_text(encoding="utf-8")
            fail = re.search(r"^#\s*expect-fail:(.*)$", text, re.M)
            live = re.search(r"^#\s*expect-fail-live:(.*)$", text, re.M)
            assert fail, f"{f}: `# expect-fail:` 줄이 없다"
            out.append(Case(n, f, frozenset(fail.group(1).split()),
                            frozenset(live.group(1).split()) if live else None))
    return out


@lru_cache(maxsize=1)
def answer_key() -> dict[str, str]:
    """정답 노트북의 답 다섯 개."""
    found = extract(SOLUTION)
    assert found.problem is None and set(found.answers) == set(NAMES), found
    return dict(found.answers)


def grade(number: int, text: str, *, live: bool, lab: str = "t-grading", slug: str = "t"):
    return common.grade(module(number), {"ANSWERS": {NAMES[number - 1]: text}}, live=live, lab=lab, slug=slug)


def failing(score) -> set[str]:
    return {o.criterion.key for o in score.outcomes if not o.passed}


def explain(score) -> str:
    """실패했을 때 pytest가 보여 줄 표."""
    return str(score)

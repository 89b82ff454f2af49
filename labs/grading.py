"""채점기: 기준 목록, 부분 점수, ✅/❌ 표, 한국어 피드백 (00 레슨에서 소개, 모든 체크포인트가 쓴다).

채점기는 노트북의 이름 공간(`globals()`)에서 답을 읽는다. 답을 아직 정하지 않았으면
오류 대신 "무엇을 정해야 하는지" 알려 주고 그 기준을 0점 처리한다.
만점이 아니면 `AssertionError`를 던진다: nbval이 정답 노트북에서 이를 실패로 잡는다.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import LabError
from .korean import particle


class TodoError(LabError):
    """학생용 노트북의 빈칸(스텁)에서 나는 오류: 아직 답을 쓰지 않았다는 안내."""


def todo(hint: str = "이 셀의 빈칸을 채운다") -> None:
    """스텁 셀에서 부른다. 긴 traceback 대신 한국어 안내만 보인다."""
    raise TodoError(f"✍️ 아직 답을 쓰지 않았다: {hint}")


class GradeFailed(AssertionError, LabError):
    """만점이 아닐 때의 오류. nbval은 실패로 보고, 노트북에는 traceback 없이 메시지만 보인다."""


class Missing(Exception):
    """채점에 필요한 이름이 노트북에 없다."""


@dataclass
class Criterion:
    """채점 기준 하나. `check(ns)`가 (통과 여부, 설명)을 돌려준다."""

    description: str
    points: int
    check: Callable[[Mapping[str, Any]], tuple[bool, str]]
    hint: str = ""


@dataclass
class Outcome:
    criterion: Criterion
    passed: bool
    note: str

    @property
    def earned(self) -> int:
        return self.criterion.points if self.passed else 0


@dataclass
class Score:
    title: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def earned(self) -> int:
        return sum(o.earned for o in self.outcomes)

    @property
    def total(self) -> int:
        return sum(o.criterion.points for o in self.outcomes)

    @property
    def full(self) -> bool:
        return self.earned == self.total

    def rows(self) -> list[dict[str, Any]]:
        return [{"기준": o.criterion.description, "배점": o.criterion.points, "점수": o.earned,
                 "결과": "✅" if o.passed else "❌", "피드백": o.note if o.passed else (o.note or o.criterion.hint)}
                for o in self.outcomes]

    def __str__(self) -> str:
        lines = [f"📝 {self.title}: {self.earned}/{self.total}점"]
        for row in self.rows():
            lines.append(f"  {row['결과']} {row['기준']} ({row['점수']}/{row['배점']})"
                         + (f" — {row['피드백']}" if row["피드백"] else ""))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("결과", "기준", "점수", "피드백"))
        body = "".join(
            f"<tr><td>{r['결과']}</td><td>{html.escape(r['기준'])}</td><td>{r['점수']}/{r['배점']}</td>"
            f"<td>{html.escape(str(r['피드백']))}</td></tr>" for r in self.rows())
        return f"<p><b>📝 {html.escape(self.title)}: {self.earned}/{self.total}점</b></p><table><tr>{head}</tr>{body}</table>"


def need(ns: Mapping[str, Any], name: str) -> Any:
    """이름 공간에서 답을 꺼낸다. 없으면 채점기가 '아직 정하지 않았다'고 안내한다."""
    if name not in ns:
        raise Missing(f"아직 `{name}`{particle(name, '을')} 정하지 않았다: 위의 빈칸 셀을 먼저 채우고 실행한다.")
    return ns[name]


@dataclass
class Grader:
    title: str
    criteria: list[Criterion]

    def score(self, ns: Mapping[str, Any]) -> Score:
        result = Score(self.title)
        for crit in self.criteria:
            try:
                passed, note = crit.check(ns)
            except Missing as exc:
                passed, note = False, str(exc)
            except Exception as exc:  # 학생 답이 무엇이든 채점기는 끝까지 간다.
                passed, note = False, f"검사 중 오류: {type(exc).__name__}: {exc}"
            result.outcomes.append(Outcome(crit, bool(passed), note))
        return result

    def __call__(self, ns: Mapping[str, Any], show: bool = True) -> None:
        """채점하고 표를 보여 준다. 만점이 아니면 AssertionError.

        노트북 셀의 마지막 값으로 표가 두 번 찍히지 않도록 아무것도 돌려주지 않는다 (점수는 `score()`)."""
        result = self.score(ns)
        if show:
            print(str(result))
        if not result.full:
            raise GradeFailed(f"❌ {self.title}: {result.earned}/{result.total}점 — 위 표의 ❌ 항목을 고친다.")
        print(f"🎉 만점이다 ({result.total}/{result.total}).")

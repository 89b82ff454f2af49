"""README의 코스 지도: 레슨마다 예상 시간이 있고, 그 시간은 노트북 메타데이터(`course.minutes`)와 같다.

시간의 원본은 정답 노트북의 메타데이터다 (손으로 하는 레슨은 첫 셀의 "예상 시간: 약 N분"도 같은 값이어야 한다:
tests/test_notebooks.py). README는 그것을 옮겨 적을 뿐이라, 노트북의 시간을 바꾸면 이 테스트가 README를 고치라고 한다.
"""

import re
from pathlib import Path

import nbformat

from labs.course import LESSONS

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| `(?P<stem>\d\d\w*)` \| 약 (?P<minutes>\d+)분 \|", re.M)


def course_map() -> dict[str, int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 코스 지도", 1)[1].split("\n## ", 1)[0]
    return {m["stem"]: int(m["minutes"]) for m in ROW.finditer(section)}


def notebook_minutes(stem: str) -> int | None:
    nb = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    return nb.metadata.get("course", {}).get("minutes")


def test_every_lesson_states_its_time_in_the_course_map():
    rows = course_map()
    assert sorted(rows) == sorted(lesson.stem for lesson in LESSONS), "README 코스 지도의 행이 레슨 목록과 다르다"
    differ = [f"{stem}: README 약 {rows[stem]}분 ≠ 노트북 {notebook_minutes(stem)}분"
              for stem in rows if rows[stem] != notebook_minutes(stem)]
    assert not differ, "README 코스 지도의 시간을 노트북 메타데이터에 맞춘다:\n" + "\n".join(differ)


def test_course_map_states_the_total():
    total = sum(course_map().values())
    hours, minutes = divmod(total, 60)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"모두 합쳐 약 {hours}시간 {minutes}분" in text, f"코스 지도 아래에 합계(약 {hours}시간 {minutes}분)를 적는다"

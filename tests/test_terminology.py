"""용어집(TERMINOLOGY.md)의 '쓰지 않는 표기'가 학습자가 보는 글에 없는지 검사한다."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def forbidden() -> dict[str, str]:
    text = (ROOT / "TERMINOLOGY.md").read_text()
    section = text.split("## 쓰지 않는 표기", 1)[1]
    pairs = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", section, re.M)
    return {bad: good for bad, good in pairs if bad not in ("쓰지 않는다", "---")}


# 쓰지 않는 표기가 더 긴 올바른 낱말의 일부일 때 (예: '비밀'은 쓰지 않지만 '비밀번호'는 쓴다)
ALLOWED_INSIDE = {"비밀": ("비밀번호",)}


def learner_texts():
    for nb in sorted((ROOT / "solutions").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        yield nb.name, "\n".join("".join(c["source"]) for c in cells)
    for py in sorted([*(ROOT / "labs").rglob("*.py"), *(ROOT / "sample_app").rglob("*.py"),
                      *(ROOT / "sample_app").glob("node/*.js")]):
        yield str(py.relative_to(ROOT)), py.read_text()
    yield "README.md", (ROOT / "README.md").read_text()


def test_forbidden_spellings_absent():
    bad = forbidden()
    assert "어플리케이션" in bad and "쉘" in bad
    problems = []
    for name, text in learner_texts():
        for wrong, right in bad.items():
            # '쉘'은 '셸'의 잘못된 표기지만 다른 낱말 속에는 나오지 않는다.
            checked = text
            for longer in ALLOWED_INSIDE.get(wrong, ()):
                checked = checked.replace(longer, "")
            if wrong in checked:
                problems.append(f"{name}: '{wrong}' → '{right}'")
    assert not problems, "\n".join(problems)


def test_notebooks_use_plain_written_register():
    # 한다체로 쓴다: 노트북 본문에 '합니다/습니다' 체가 섞이지 않게 한다.
    for nb in sorted((ROOT / "solutions").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert not re.search(r"(합니다|습니다|하세요|해요)[.!?]?\s", prose), nb.name


def test_new_terms_are_listed():
    bad = forbidden()
    for wrong in ("비밀", "꾸러미", "경험 법칙", "몰림", "맥락", "제한 시간", "프론트엔드", "웹소켓",
                  "이(가)", "을(를)", "은(는)", "(으)로", "HTTP를 말한다", "로 이야기한다", "약속"):
        assert wrong in bad, wrong

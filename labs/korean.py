"""학습자에게 보이는 메시지의 조사를 앞말에 맞춘다: `포트 60113이`, `nginx가`, `파일을`, `포트 8080으로`.

조사의 두 형태(이/가, 을/를, 은/는, 으로/로)를 괄호로 함께 적는 대신 앞말의 끝소리(받침)를 보고 하나를 고른다. 앞말은
한글, 숫자(한국어로 읽은 소리: 3 → 삼, 10 → 십, 8000 → 팔천), 로마자(영어로 읽은 소리: nginx → 엔진엑스,
URL → 유알엘)일 수 있다. 로마자는 소리를 완전히 알 수 없으므로 흔한 경우만 따른다: 끝 글자가
l·m·n이거나 `ng`로 끝나거나 짧은 모음 뒤 p·k·c(app, spec, stack)면 받침이 있고, 대문자 약어는 글자 이름(L 엘, M 엠, N 엔, R 알)으로 읽는다.
모든 레슨에서 쓴다 (00 레슨의 오류 메시지부터).
"""

from __future__ import annotations

import re

__all__ = ["josa", "particle"]

# 받침 없는 형태 ↔ 받침 있는 형태. 앞이 받침 없음, 뒤가 받침 있음.
_PAIRS = {
    "가": ("가", "이"), "이": ("가", "이"),
    "를": ("를", "을"), "을": ("를", "을"),
    "는": ("는", "은"), "은": ("는", "은"),
    "와": ("와", "과"), "과": ("와", "과"),
    "로": ("로", "으로"), "으로": ("로", "으로"),
    "다": ("다", "이다"), "이다": ("다", "이다"),
    "라": ("라", "이라"), "이라": ("라", "이라"),
}

# 끝소리: None(받침 없음), "ㄹ", "있음"(ㄹ 말고 다른 받침). `으로`만 ㄹ을 받침 없음처럼 다룬다.
_NONE, _RIEUL, _OTHER = None, "ㄹ", "있음"
_DIGIT = {"0": _OTHER, "1": _RIEUL, "2": _NONE, "3": _OTHER, "4": _NONE, "5": _NONE,
          "6": _OTHER, "7": _RIEUL, "8": _RIEUL, "9": _NONE}  # 영 일 이 삼 사 오 육 칠 팔 구
_LETTER_NAME = {"L": _RIEUL, "R": _RIEUL, "M": _OTHER, "N": _OTHER}  # 엘 알 엠 엔
_TRAILING = " \t`'\"()[]{}<>.,:;!?*"


def _number_sound(digits: str) -> str | None:
    """아라비아 숫자를 한국어로 읽었을 때의 끝소리 (10 십, 100 백, 1000 천, 10000 만, 10^8 억, 10^12 조)."""
    stripped = digits.lstrip("0")
    if not stripped:
        return _DIGIT["0"]
    zeros = len(stripped) - len(stripped.rstrip("0"))
    if zeros == 0:
        return _DIGIT[stripped[-1]]
    if zeros < 4:
        return {1: _OTHER, 2: _OTHER, 3: _OTHER}[zeros]      # 십(ㅂ) 백(ㄱ) 천(ㄴ)
    unit = zeros // 4 * 4                                    # 20000 이만, 120000 십이만: 끝은 단위 이름
    return {4: _OTHER, 8: _OTHER}.get(unit, _NONE)           # 만(ㄴ) 억(ㄱ) 조(받침 없음)


def _sound(word: str) -> str | None:
    text = str(word).rstrip(_TRAILING)
    if not text:
        return _NONE
    last = text[-1]
    if "가" <= last <= "힣":
        jong = (ord(last) - 0xAC00) % 28
        return _NONE if jong == 0 else _RIEUL if jong == 8 else _OTHER
    if last.isdigit():
        return _number_sound(re.search(r"\d+$", text).group())
    if last.isascii() and last.isalpha():
        tail = re.search(r"[A-Za-z]+$", text).group()
        if tail.isupper() and len(tail) <= 5:                 # URL, SQL, PM, TLS: 글자 이름으로 읽는다
            return _LETTER_NAME.get(last, _NONE)
        lower = tail.lower()
        if lower.endswith("ng"):
            return _OTHER
        if lower[-1] in "lmn":
            return _RIEUL if lower[-1] == "l" else _OTHER
        # 짧은 모음 뒤의 p·k·c는 받침으로 읽는다: app 앱, setup 셋업, spec 스펙, stack 스택 (check 체크는 예외)
        if len(lower) >= 2 and lower[-1] in "pkc" and (lower[-2] in "aeiou" or lower.endswith(("ck", "pp"))) \
                and not lower.endswith("check"):
            return _OTHER
        return _NONE
    return _NONE


def particle(word: object, form: str) -> str:
    """`word` 뒤에 붙일 조사 하나를 고른다. `form`은 두 형태 가운데 아무것이나 (`"이"`, `"를"`, `"으로"` …)."""
    try:
        plain, final = _PAIRS[form]
    except KeyError:
        raise ValueError(f"모르는 조사다: {form!r} (쓸 수 있는 것: {', '.join(sorted(_PAIRS))})") from None
    sound = _sound(str(word))
    if plain == "로":
        return final if sound == _OTHER else plain
    return plain if sound is _NONE else final


def josa(word: object, form: str) -> str:
    """`word`에 알맞은 조사를 붙여 돌려준다: `josa("nginx", "이")` → `"nginx가"`, `josa(60113, "가")` → `"60113이"`."""
    return f"{word}{particle(word, form)}"

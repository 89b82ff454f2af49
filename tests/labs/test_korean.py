"""조사 고르기: 한글, 숫자(한국어로 읽은 소리), 로마자(영어로 읽은 소리), 감싼 기호."""

import pytest

from labs.korean import josa, particle


@pytest.mark.parametrize("word, form, expected", [
    ("서버", "이", "서버가"), ("파일", "가", "파일이"), ("컨테이너", "을", "컨테이너를"), ("설정", "를", "설정을"),
    ("워커", "은", "워커는"), ("앱", "는", "앱은"), ("nginx", "이", "nginx가"), ("gunicorn", "가", "gunicorn이"),
    ("redis", "을", "redis를"), ("uvicorn", "은", "uvicorn은"), ("URL", "이", "URL이"), ("TLS", "이", "TLS가"),
    ("PM2", "이", "PM2가"), ("HTTP/2", "을", "HTTP/2를"), ("`gunicorn.conf.py`", "이", "`gunicorn.conf.py`가"),
    ("`location /api`", "이", "`location /api`가"), ("'worker'", "은", "'worker'는"), ("ping", "이", "ping이"),
    ("spec", "이", "spec이"), ("app", "을", "app을"), ("stack", "은", "stack은"), ("check", "이", "check가"),
    ("setup", "이", "setup이"), ("script", "이", "script가"), ("desk", "이", "desk가"), ("help", "이", "help가"),
])
def test_pairs(word, form, expected):
    assert josa(word, form) == expected


@pytest.mark.parametrize("number, expected", [
    (60113, "60113이"), (8080, "8080이"), (8000, "8000이"), (2, "2가"), (1, "1이"), (5, "5가"), (10, "10이"),
    (100, "100이"), (20000, "20000이"), (0, "0이"), (19, "19가"), (3, "3이"),
])
def test_numbers_read_in_korean(number, expected):
    assert josa(number, "가") == expected


@pytest.mark.parametrize("word, expected", [
    ("파일", "파일로"), ("포트", "포트로"), ("컨테이너", "컨테이너로"), ("설정", "설정으로"), (1, "1로"), (7, "7로"),
    (3, "3으로"), (8080, "8080으로"), ("html", "html로"), ("main", "main으로"), ("503", "503으로"),
])
def test_euro_treats_rieul_as_open(word, expected):
    assert josa(word, "으로") == expected


def test_copula_and_unknown_form():
    assert particle("sync", "이다") == "다" and particle("gthread", "다") == "다" and particle("uvicorn", "다") == "이다"
    with pytest.raises(ValueError, match="모르는 조사"):
        particle("서버", "에게")

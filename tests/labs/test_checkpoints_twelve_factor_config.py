"""08 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (진짜 pydantic-settings로 만들어 본다)."""

import os

import pytest
from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from labs.checkpoints import twelve_factor_config as cp


def failed(score):
    return [o.criterion.description for o in score.outcomes if not o.passed]


# ---- 8-1: 12-팩터 위반 찾기 ----------------------------------------------------------

def test_violations_right_answer_and_lenient_forms():
    assert cp.violations_found.score({"violations": {"III", "IV", "VI", "XI"}}).full
    assert cp.violations_found.score({"violations": ["iii", " iv", "VI", "XI"]}).full
    # (라)를 X. 개발·프로덕션 일치 위반으로도 볼 수 있다: 감점하지 않는다
    assert cp.violations_found.score({"violations": {"III", "IV", "VI", "X", "XI"}}).full


@pytest.mark.parametrize("answer, lost", [
    ({"III", "VI", "XI"}, ["IV. 백킹 서비스 위반을 찾았다"]),
    ({"IV", "VI", "XI"}, ["III. 설정 위반을 찾았다"]),
    ({"III", "IV", "XI"}, ["VI. 프로세스 위반을 찾았다"]),
    ({"III", "IV", "VI"}, ["XI. 로그 위반을 찾았다"]),
    ({"III", "IV", "VI", "XI", "VII"}, ["지키고 있는 원칙을 고르지 않았다"]),
    ({"III", "IV", "VI", "XI", "XIII"}, ["`violations`가 로마 숫자 집합이다"]),
])
def test_violations_wrong_answers_lose_exactly_their_criteria(answer, lost):
    assert failed(cp.violations_found.score({"violations": answer})) == lost


def test_false_alarm_feedback_names_the_line():
    score = cp.violations_found.score({"violations": {"III", "IV", "VI", "XI", "VII", "VIII", "II"}})
    note = score.outcomes[-1].note
    assert "(가)는 포트 바인딩을 지킨다" in note and "(나)는 동시성" in note and "II. 의존성" in note


def test_violations_missing_or_wrong_type():
    assert cp.violations_found.score({}).earned == 0
    assert "정하지 않았다" in cp.violations_found.score({}).outcomes[0].note
    assert cp.violations_found.score({"violations": "III, IV"}).earned == 0


# ---- 8-2: 설정 클래스 ----------------------------------------------------------------

class SmtpSettings(BaseModel):
    host: str = "localhost"
    port: int = 587


class Right(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_nested_delimiter="__", extra="ignore")
    database_url: str
    secret_key: SecretStr
    debug: bool = False
    smtp: SmtpSettings = SmtpSettings()


class NoDelimiter(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")
    database_url: str
    secret_key: SecretStr
    debug: bool = False
    smtp: SmtpSettings = SmtpSettings()


class PlainSecret(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore")
    database_url: str
    secret_key: str
    debug: bool = False
    smtp: SmtpSettings = SmtpSettings()


class DefaultedRequired(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore")
    database_url: str = "sqlite:///shop.db"
    secret_key: SecretStr = SecretStr("change-me")
    debug: bool = False
    smtp: SmtpSettings = SmtpSettings()


class WrongDefaults(BaseModel):
    host: str = "smtp.example"
    port: int = 25


class BadSmtpDefaults(Right):
    smtp: WrongDefaults = WrongDefaults()


class DotenvWins(Right):
    """`.env`가 환경 변수보다 이기게 소스 순서를 바꿨다 (흔한 실수는 아니지만 우선순위를 시험한다)."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return init_settings, dotenv_settings, env_settings, file_secret_settings


class NotSettings(BaseModel):
    database_url: str
    secret_key: SecretStr


def test_settings_right_answer_full_marks():
    assert cp.settings_class.score({"ShopSettings": Right}).full


@pytest.mark.parametrize("answer, lost", [
    (NoDelimiter, ["`SMTP__HOST`·`SMTP__PORT`가 중첩 설정 smtp.host·smtp.port(int)가 된다"]),
    (PlainSecret, ["환경 변수를 읽고 secret_key를 SecretStr로 가린다"]),
    # 시크릿 폴더는 기본값보다 우선하므로 파일 기준은 지킨다: 잃는 것은 '필수' 기준뿐이다
    (DefaultedRequired, ["DATABASE_URL과 SECRET_KEY가 없으면 검증 오류"]),
    (BadSmtpDefaults, ["smtp의 기본값은 localhost:587"]),
    (DotenvWins, ["환경 변수가 `.env`보다 이긴다"]),
])
def test_settings_wrong_answers_lose_exactly_their_criteria(answer, lost):
    assert failed(cp.settings_class.score({"ShopSettings": answer})) == lost


def test_settings_not_a_settings_class_and_missing():
    assert cp.settings_class.score({"ShopSettings": NotSettings}).earned == 0
    missing = cp.settings_class.score({})
    assert missing.earned == 0 and "정하지 않았다" in missing.outcomes[0].note


def test_settings_grader_restores_the_environment():
    os.environ["DATABASE_URL"] = "keep-me"
    try:
        cp.settings_class.score({"ShopSettings": Right})
        assert os.environ["DATABASE_URL"] == "keep-me" and "SMTP__PORT" not in os.environ
    finally:
        del os.environ["DATABASE_URL"]

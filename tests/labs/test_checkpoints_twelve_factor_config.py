"""08 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다.

8-1~8-3은 학습자의 `settings.py`·`.env`로 진짜 uvicorn을, 8-4는 `compose.yaml`로 진짜 `docker compose up`을 한다.
"""

import time

import nbformat
import pytest

import labs
from labs import config_lab, docker, registry
from labs.checkpoints import twelve_factor_config as cp

LAB = "t-checkpoint-08"


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def files(name, text):
    return {"LAB_FILES": {name: text}, "LAB": LAB}


def failed_at(grader, name, text):
    return [i for i, o in enumerate(grader.score(files(name, text)).outcomes) if not o.passed]


def failed(score):
    return [o.criterion.description for o in score.outcomes if not o.passed]


# ---- 8-5: 12-팩터 위반 찾기 ----------------------------------------------------------

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


# ---- 레슨의 파일 셀과 채점기가 같은 글을 쓰는가 ------------------------------------------------

SOLUTION = registry.PROJECT_ROOT / "solutions" / "08_twelve_factor_config.ipynb"


def lab_file_cells(name):
    nb = nbformat.read(SOLUTION, as_version=4)
    return [c.source.split("\n", 1)[1] for c in nb.cells
            if c.cell_type == "code" and c.source.startswith(f"%%lab_file {name}\n")]


def test_lesson_app_cell_is_the_graders_app():
    assert [cell.rstrip("\n") + "\n" for cell in lab_file_cells("app.py")] == [config_lab.APP_PY]


# ---- 8-1: 기본값이 박힌 시크릿 ------------------------------------------------------------------

FIXED = """\
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", case_sensitive=False,
                                      extra="ignore")

    app_name: str = "MyAPI"
    debug: bool = False
    environment: str = "production"
    database_url: str
    db_pool_size: int = 10
    secret_key: SecretStr
"""
DEFAULTED = FIXED.replace("secret_key: SecretStr", 'secret_key: str = "change-me-in-production"')
SEED_STR = FIXED.replace("secret_key: SecretStr", "secret_key: str")


def test_secret_fixed_right_answer_within_a_minute():
    started = time.monotonic()
    score = cp.secret_fixed.score(files("settings.py", FIXED))
    assert score.full, str(score)
    assert time.monotonic() - started < 60
    assert not [r for r in registry.live(LAB) if isinstance(r, labs.Server)], "채점이 끝나면 띄운 앱은 멈춰 있어야 한다"


def test_secret_fixed_broken_submissions():
    # 고장 그대로: 시크릿 없이도 뜨고, 시작 로그에 기본값이 찍힌다
    assert failed_at(cp.secret_fixed, "settings.py", DEFAULTED) == [1, 3]
    note = cp.secret_fixed.score(files("settings.py", DEFAULTED)).outcomes[1].note
    assert "SECRET_KEY 없이도 떴다" in note
    # 시드처럼 str이면 필수이긴 하지만 시작 로그에 값이 그대로 보인다 (채점기의 값은 가려서 보여 준다)
    seed = cp.secret_fixed.score(files("settings.py", SEED_STR))
    assert [i for i, o in enumerate(seed.outcomes) if not o.passed] == [3]
    assert "<채점기의 시크릿>" in seed.outcomes[3].note and cp.GRADER_SECRET not in seed.outcomes[3].note
    # DB 주소에도 기본값을 두면 그 기준만 잃는다
    db_default = FIXED.replace("database_url: str", 'database_url: str = "sqlite:///./dev.db"')
    assert failed_at(cp.secret_fixed, "settings.py", db_default) == [2]
    # 파이썬으로 읽히지 않는 파일: 앱이 뜨지 않고, 거부한 까닭도 필드가 아니다
    assert failed_at(cp.secret_fixed, "settings.py", FIXED + "\n  oops(\n") == [0, 1, 2, 3, 4]
    missing = cp.secret_fixed.score({})
    assert missing.earned == 0 and "아직 `settings.py`" in missing.outcomes[0].note


# ---- 8-2: 로컬 개발용 .env ----------------------------------------------------------------------

SEED_ENV = """\
# .env (NEVER commit this file)
DATABASE_URL=postgresql://user:pass@localhost:5432/myapp
REDIS_URL=redis://localhost:6379/0
SECRET_KEY=your-256-bit-secret-key-here
ENVIRONMENT=development
DEBUG=true
SENTRY_DSN=https://examplePublicKey@o0.ingest.sentry.io/0
"""
GOOD_ENV = SEED_ENV.replace("your-256-bit-secret-key-here", "3f" * 32)


def test_dotenv_right_and_broken():
    started = time.monotonic()
    assert cp.dotenv_file.score(files(".env", GOOD_ENV)).full
    assert time.monotonic() - started < 60
    assert failed_at(cp.dotenv_file, ".env", SEED_ENV) == [2]
    assert failed_at(cp.dotenv_file, ".env", GOOD_ENV.replace("3f" * 32, "short")) == [2]
    # 시크릿이 없으면 앱이 뜨지 않는다
    assert failed_at(cp.dotenv_file, ".env", GOOD_ENV.replace("SECRET_KEY=", "# SECRET_KEY=")) == [0, 1, 2]
    # 모르는 이름(오타)은 채점기의 설정 클래스가 거부한다
    typo = cp.dotenv_file.score(files(".env", GOOD_ENV.replace("DEBUG=", "DEBGU=")))
    assert [o.passed for o in typo.outcomes] == [False, False, True] and "debgu" in typo.outcomes[0].note
    assert failed_at(cp.dotenv_file, ".env", GOOD_ENV.replace("development", "staging")) == [1]


# ---- 8-3: 조용히 버려지는 .env의 오타 ---------------------------------------------------------

STRICT = FIXED.replace(""",
                                      extra="ignore")""", ")")


def test_typo_caught_right_and_broken():
    started = time.monotonic()
    assert cp.typo_caught.score(files("settings.py", STRICT)).full
    assert cp.typo_caught.score(files("settings.py", STRICT.replace(")\n\n    app_name", ', extra="forbid")\n\n    app_name'))).full
    assert time.monotonic() - started < 60
    broken = cp.typo_caught.score(files("settings.py", FIXED))
    assert [o.passed for o in broken.outcomes] == [True, False, True]
    assert "조용히 버려졌다" in broken.outcomes[1].note and "production" in broken.outcomes[1].note
    allow = FIXED.replace('extra="ignore"', 'extra="allow"')
    assert failed_at(cp.typo_caught, "settings.py", allow) == [1]
    # 8-1의 고장이 되살아나면 그 기준을 잃는다
    assert failed_at(cp.typo_caught, "settings.py", STRICT.replace("secret_key: SecretStr",
                                                                   'secret_key: str = "change-me"')) == [2]


def test_error_lines_hide_the_received_value():
    run = config_lab.AppRun("x", False, 1, (
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings\n"
        "secret_key\n  Value error, too short [type=value_error, input_value='hunter2', input_type=str]\n"
        "    For further information visit https://errors.pydantic.dev\n"))
    assert run.errors() == ["secret_key: Value error, too short [type=value_error]"]
    assert config_lab.AppRun("x", False, 1, "Traceback\nUnicodeDecodeError: 'cp949' codec can't\n").errors() == [
        "UnicodeDecodeError: 'cp949' codec can't"]


# ---- 8-4: Compose 시크릿 (진짜 docker compose) -----------------------------------------------------

COMPOSE_FIXED = """\
services:
  app:
    image: ${APP_IMAGE:-course/sample-app:latest}
    environment:
      ENVIRONMENT: staging
      WEB_CONCURRENCY: "1"
    secrets:
      - secret_key
    ports:
      - "127.0.0.1::8000"
    labels:
      course.lab: ${COURSE_LAB:-manual}

secrets:
  secret_key:
    file: ./secret_key.txt
"""
COMPOSE_BROKEN = COMPOSE_FIXED.replace("""    secrets:
      - secret_key
""", "").replace('WEB_CONCURRENCY: "1"\n', 'WEB_CONCURRENCY: "1"\n      SECRET_KEY: "value-in-the-compose-file"\n')


@pytest.fixture(scope="module")
def app_image():
    if not docker.image_exists("course/sample-app:latest"):
        docker.build(registry.PROJECT_ROOT / "sample_app", "course/sample-app:latest", LAB, progress=False)
    return "course/sample-app:latest"


@pytest.mark.requires("docker")
@pytest.mark.docker
def test_compose_secret_right_and_broken(app_image):
    started = time.monotonic()
    score = cp.compose_secret.score(files("compose.yaml", COMPOSE_FIXED))
    assert score.full, str(score)
    assert time.monotonic() - started < 60
    assert failed_at(cp.compose_secret, "compose.yaml", COMPOSE_BROKEN) == [1, 2, 3]
    # 서비스가 시크릿을 쓰지 않으면 앱은 SECRET_KEY가 없어 뜨지 못한다
    neither = COMPOSE_FIXED.replace("""    secrets:
      - secret_key
""", "")
    assert failed_at(cp.compose_secret, "compose.yaml", neither) == [0, 1, 2]
    left = docker.client().containers.list(all=True, filters={"label": "com.docker.compose.project=course-08-check"})
    assert left == [], "채점기는 스택을 내리고 끝난다"


def test_compose_missing_file():
    score = cp.compose_secret.score({})
    assert score.earned == 0 and "아직 `compose.yaml`" in score.outcomes[0].note

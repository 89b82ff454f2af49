"""12-팩터 설정 실습 도구를 실제 sample_app.config와 실제 서버로 검증한다 (08 레슨)."""

import os

import pytest

import labs
from labs import config_lab, registry

LAB = "t-config-lab"


def test_environ_sets_unsets_and_restores():
    os.environ["COURSE_T_KEEP"] = "old"
    os.environ.pop("COURSE_T_NEW", None)
    try:
        with config_lab.environ(COURSE_T_KEEP=None, COURSE_T_NEW="new"):
            assert "COURSE_T_KEEP" not in os.environ and os.environ["COURSE_T_NEW"] == "new"
        assert os.environ["COURSE_T_KEEP"] == "old" and "COURSE_T_NEW" not in os.environ
    finally:
        os.environ.pop("COURSE_T_KEEP", None)


def test_read_settings_sources_and_priority():
    base = {"SECRET_KEY": "s"}
    assert config_lab.read_settings(["app_name", "secret_key"], env=base) == {
        "app_name": "sample-api", "secret_key": "**********"}
    assert config_lab.read_settings(["app_name"], env=base, dotenv="APP_NAME=dot\n")["app_name"] == "dot"
    assert config_lab.read_settings(["app_name"], env={**base, "APP_NAME": "env"},
                                    dotenv="APP_NAME=dot\n")["app_name"] == "env"
    from_file = config_lab.read_settings(["secret_key"], secrets={"secret_key": "file"})
    assert from_file == {"secret_key": "**********"}
    rows = config_lab.priority_table()
    assert [r["app_name"] for r in rows] == ["sample-api", "시크릿-폴더의-값", "env-파일의-값", "환경-변수의-값",
                                            "초기화-인자의-값"]


def test_missing_secret_key_gives_korean_error():
    out = config_lab.read_settings(["app_name"], env={})
    assert out["error"].startswith("SECRET_KEY 환경 변수가 없다")


def test_workdir_is_registered_and_removed():
    wd = config_lab.workdir(LAB)
    wd.write(".env", "A=1\n")
    wd.secret("secret_key", "x")
    assert (wd.path / "secrets" / "secret_key").read_text() == "x"
    assert wd in registry.live(LAB)
    assert wd.path.parent == registry.state_dir() / "files" / LAB
    labs.cleanup(LAB, quiet=True)
    assert not wd.path.exists() and registry.live(LAB) == []


def test_workdir_reaps_folders_left_by_a_dead_kernel():
    left = registry.state_dir() / "files" / LAB / "config-left-behind"
    left.mkdir(parents=True, exist_ok=True)
    keep = config_lab.workdir(LAB)
    again = config_lab.workdir(LAB)
    assert not left.exists() and keep.path.exists() and again.path.exists()
    labs.cleanup(LAB, quiet=True)


def test_round_robin_memory_counters_disagree():
    servers = [labs.start_uvicorn(LAB) for _ in range(2)]
    try:
        urls = [s.url for s in servers]
        answers = config_lab.round_robin(urls, 6)
        assert [a["인스턴스"] for a in answers] == [0, 1, 0, 1, 0, 1]
        assert {a["backend"] for a in answers} == {"memory"}
        assert config_lab.counter_views(urls) == [3, 3]
    finally:
        labs.cleanup(LAB, quiet=True)


def test_booted_workers_and_factors():
    log = "[x] [1] [INFO] Booting worker with pid: 7\n[x] [1] [INFO] Booting worker with pid: 8\nother\n"
    assert config_lab.booted_workers(log) == 2
    assert len(config_lab.FACTORS) == 12 and config_lab.FACTORS["III"][0] == "설정"


COMPOSE = """\
services:
  app:
    image: course/sample-app:latest
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


@pytest.mark.requires("docker")
def test_compose_try_reads_the_secret_file_and_cleanup_takes_the_stack_down(capsys):
    from labs import docker

    if not docker.image_exists("course/sample-app:latest"):
        docker.build(registry.PROJECT_ROOT / "sample_app", "course/sample-app:latest", LAB, progress=False)
    wd = config_lab.workdir(LAB)
    wd.write("compose.yaml", COMPOSE)
    secret = config_lab.write_secret_file(LAB, folder=wd.path)
    assert len(secret.read_text()) == 64 and oct(secret.stat().st_mode)[-3:] == "644"
    try:
        run = config_lab.compose_try(LAB, folder=wd.path, project="course-test-08-kit", keep=True)
        out = capsys.readouterr().out
        assert "docker compose -p course-test-08-kit -f compose.yaml up -d" in out
        assert run.ok and run.info["environment"] == "staging" and run.secret_files == ["secret_key"]
        assert "SECRET_KEY" not in run.env_names() and "SECRET_KEY 없음" in out
        assert any(str(r) == "Compose 프로젝트 course-test-08-kit" for r in registry.live(LAB))
    finally:
        labs.cleanup(LAB, quiet=True)
    left = docker.client().containers.list(all=True, filters={"label": "com.docker.compose.project=course-test-08-kit"})
    assert left == []


# ---- 파일 셀의 settings.py·.env로 진짜 앱 띄우기 -----------------------------------------------------

SETTINGS = """\
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    app_name: str = "MyAPI"
    debug: bool = False
    environment: str = "production"
    secret_key: SecretStr
"""


def test_try_app_starts_or_reports_refusal_with_the_command(capsys):
    folder = config_lab.app_folder(LAB)
    (folder / "app.py").write_text(config_lab.APP_PY)
    (folder / "settings.py").write_text(SETTINGS)
    try:
        ok = config_lab.try_app(LAB, env={"SECRET_KEY": "kit-secret", "DEBUG": "true"})
        assert ok.started and ok.status == 200 and ok.info == {"app": "MyAPI", "environment": "production",
                                                                "debug": True}
        assert "SecretStr('**********')" in ok.settings_line() and "kit-secret" not in ok.log
        out = capsys.readouterr().out
        assert "$ cd .labs_state/files/t-config-lab && SECRET_KEY=kit-secret DEBUG=true uvicorn app:app" in out
        # .env는 앱을 띄운 폴더에서 읽히고, 환경 변수가 이긴다
        (folder / ".env").write_text("SECRET_KEY=from-dotenv\nENVIRONMENT=staging\n")
        assert config_lab.try_app(LAB, show=False).info["environment"] == "staging"
        assert config_lab.try_app(LAB, env={"ENVIRONMENT": "lab"}, show=False).info["environment"] == "lab"
        (folder / ".env").unlink()
        refused = config_lab.try_app(LAB, env={"DEBUG": "없음"}, show=False)
        assert not refused.started and refused.returncode == 1
        assert refused.errors() == ["debug: Input should be a valid boolean, unable to interpret input "
                                    "[type=bool_parsing]", "secret_key: Field required [type=missing]"]
        assert not [r for r in registry.live(LAB) if isinstance(r, labs.Server)]
    finally:
        config_lab.fresh_app_folder(LAB)
    assert not (folder / "settings.py").exists() and not (folder / "app.py").exists()


def test_serve_without_app_py_says_which_cell_to_run():
    config_lab.fresh_app_folder(LAB)
    with pytest.raises(labs.LabError, match="%%lab_file app.py"):
        config_lab.serve(LAB)


def test_start_sample_app_echoes_only_the_given_env(capsys):
    srv = config_lab.start_sample_app(LAB, env={"ENVIRONMENT": "staging"})
    try:
        out = capsys.readouterr().out
        assert out.startswith("$ ENVIRONMENT=staging uvicorn sample_app.main:app --host 127.0.0.1 --port ")
        assert "SECRET_KEY" not in out
        assert labs.http.get(srv.url + "/info").json()["environment"] == "staging"
    finally:
        labs.cleanup(LAB, quiet=True)

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


@pytest.mark.requires("docker")
def test_secrets_stack_config_is_accepted_by_compose():
    stack, wd = config_lab.secrets_stack(LAB, "compose-secret")
    try:
        cfg = stack.config()
        app = cfg["services"]["app"]
        assert "SECRET_KEY" not in (app.get("environment") or {})
        assert app["secrets"][0]["source"] == "secret_key"
        assert cfg["secrets"]["secret_key"]["file"].endswith("secret_key.txt")
    finally:
        labs.cleanup(LAB, quiet=True)
    assert not wd.path.exists()

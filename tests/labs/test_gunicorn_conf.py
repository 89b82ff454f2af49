"""gunicorn 설정 파일 읽기(labs.gunicorn_conf)를 실제 gunicorn으로 검증한다."""

import json
import urllib.request

import pytest

import labs
from labs import gunicorn_conf
from labs.gunicorn_lab import wait_workers
from labs.procs import DEFAULT_ASGI, DEFAULT_WSGI

LAB = "t-gunicorn-conf"


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


def write(name, text):
    return gunicorn_conf.write(LAB, name, text)


def test_write_puts_files_in_the_lab_folder_not_the_repo():
    path = write("a.conf.py", "workers = 2")
    assert path.parent == gunicorn_conf.lab_dir(LAB)
    assert path.read_text() == "workers = 2\n"
    assert labs.registry.PROJECT_ROOT / "sample_app" not in path.parents


def test_load_reports_effective_settings_and_what_the_file_set():
    path = write("b.conf.py", "import os\n\nworkers = 3\nworker_class = 'gthread'\nthreads = 4\n"
                              "preload_app = True\n_private = 1\n\ndef on_starting(server):\n    pass\n")
    cfg = gunicorn_conf.load(path)
    assert (cfg["workers"], cfg["worker_class"], cfg["threads"], cfg["preload_app"]) == (3, "gthread", 4, True)
    assert cfg.known == ["workers", "worker_class", "threads", "preload_app"]
    assert cfg.ignored == []
    changed = cfg.changed()
    assert changed["workers"] == ("1", "3") and "config" not in changed and "chdir" not in changed
    rows = {r["설정"]: r for r in cfg.rows()}
    assert rows["threads"]["실제 값"] == "4" and rows["threads"]["기본값"] == "1" and rows["threads"]["바뀜"] == "✅"
    assert list(cfg.table().index) == cfg.known


def test_misspelled_names_are_silently_ignored_by_gunicorn_but_reported():
    path = write("typo.conf.py", "workers = 2\nworker = 8\nthread = 4\nworker_class = 'gthread'\n")
    cfg = gunicorn_conf.load(path)
    assert cfg.ignored == ["worker", "thread"]
    assert cfg["threads"] == 1


def test_invalid_value_is_a_korean_error_without_absolute_paths():
    with pytest.raises(labs.LabError) as err:
        gunicorn_conf.load(write("bad.conf.py", "workers = 'abc'\n"))
    assert "받아들이지 않았다" in str(err.value) and "abc" in str(err.value)
    with pytest.raises(labs.LabError) as err:
        gunicorn_conf.load(write("syntax.conf.py", "workers = (\n"))
    assert "SyntaxError" in str(err.value) and str(gunicorn_conf.lab_dir(LAB)) not in str(err.value)


def test_app_import_errors_surface():
    with pytest.raises(labs.LabError, match="No module named"):
        gunicorn_conf.load(None, "sample_app.nope:application")


def test_missing_file():
    with pytest.raises(labs.LabError, match="설정 파일이 없다"):
        gunicorn_conf.load(gunicorn_conf.lab_dir(LAB) / "none.conf.py")


def test_precedence_command_line_over_env_over_file():
    path = write("prec.conf.py", "workers = 5\n")
    assert gunicorn_conf.load(path)["workers"] == 5
    assert gunicorn_conf.load(path, env={"GUNICORN_CMD_ARGS": "--workers 3"})["workers"] == 3
    assert gunicorn_conf.load(path, args=["--workers", "4"], env={"GUNICORN_CMD_ARGS": "--workers 3"})["workers"] == 4
    # 설정 파일이 workers를 정하지 않으면 기본값은 WEB_CONCURRENCY를 따른다
    assert gunicorn_conf.load(None, env={"WEB_CONCURRENCY": "6"})["workers"] == 6
    assert gunicorn_conf.defaults()["workers"] == "1"


def test_course_config_is_accepted_for_both_apps():
    cfg = gunicorn_conf.load(gunicorn_conf.COURSE_CONFIG, DEFAULT_ASGI)
    assert cfg.ignored == []
    assert cfg["worker_class"] == "uvicorn_worker.UvicornWorker"
    assert cfg["workers"] == 2 and cfg["bind"] == ["127.0.0.1:8000"] and cfg["preload_app"] is False
    env = {"WEB_CONCURRENCY": "3", "GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_PRELOAD": "1"}
    wsgi = gunicorn_conf.load(gunicorn_conf.COURSE_CONFIG, DEFAULT_WSGI, env=env)
    assert (wsgi["workers"], wsgi["worker_class"], wsgi["threads"], wsgi["preload_app"]) == (3, "gthread", 4, True)


def test_worker_class_ok():
    assert gunicorn_conf.worker_class_ok("gevent") and gunicorn_conf.worker_class_ok("asgi")
    assert gunicorn_conf.worker_class_ok("uvicorn_worker.UvicornWorker")
    assert not gunicorn_conf.worker_class_ok("eventlet")  # gunicorn 26에서 제거됐다
    assert not gunicorn_conf.worker_class_ok("nope_pkg.Worker")


def test_start_with_config_listens_on_loopback_only():
    path = write("live.conf.py", "bind = '0.0.0.0:8000'\nworkers = 2\nworker_class = 'gthread'\nthreads = 2\n")
    with gunicorn_conf.start_with_config(LAB, path) as srv:
        assert len(wait_workers(srv, 2)) == 2
        with urllib.request.urlopen(srv.url + "/whoami", timeout=5) as r:
            assert json.loads(r.read())["thread"].startswith("ThreadPoolExecutor")
        assert "0.0.0.0:8000" not in srv.logs() and f"127.0.0.1:{srv.port}" in srv.logs()
    assert not srv.alive()

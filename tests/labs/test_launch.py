"""labs.launch: 예제 앱 설정을 파일에서만 읽게 띄우고, 명령 줄을 보이고, 듣는 주소를 본다."""

import pytest

import labs
from labs import launch

LAB = "t-launch"


def test_clean_env_drops_app_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-kernel")
    monkeypatch.setenv("log_level", "debug")  # pydantic-settings는 대소문자를 가리지 않는다
    env = launch.clean_env({"PORT": "1234"})
    assert "SECRET_KEY" not in env and "log_level" not in env and env["PORT"] == "1234"
    assert "PATH" in env


def test_without_env_file_the_app_refuses_and_says_why(monkeypatch, capsys):
    monkeypatch.setenv("SECRET_KEY", "from-kernel")  # 커널의 값은 앱에 가지 않는다
    with pytest.raises(labs.LabError) as err:
        launch.start_uvicorn(LAB, echo=True)
    assert capsys.readouterr().out.startswith("$ uvicorn sample_app.main:app --host 127.0.0.1 --port ")
    assert launch.app_error(err.value)[0].startswith("SECRET_KEY 환경 변수가 없다")


def test_script_gets_port_and_extra_env(tmp_path, capsys):
    (tmp_path / "app.env").write_text("SECRET_KEY=x\nAPP_NAME=launch-test\n"
                                      f"DATABASE_URL=sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}\n")
    (tmp_path / "run.sh").write_text('exec uvicorn sample_app.main:app --host 127.0.0.1 --port "$PORT" '
                                     '--env-file "$(dirname "$0")/app.env"\n')
    with launch.start_script(LAB, tmp_path / "run.sh", env={"WEB_CONCURRENCY": "2"}) as srv:
        assert labs.http.get(srv.url + "/info").json()["name"] == "launch-test"
        assert launch.listening(srv) == [f"127.0.0.1:{srv.port}"]
        assert launch.command_of(srv) == "uvicorn"
        assert len(srv.worker_pids()) == 2
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f"$ PORT={srv.port} WEB_CONCURRENCY=2 sh ")


def test_log_line_and_app_error_on_plain_text():
    text = "x\n   INFO:     Uvicorn running on http://127.0.0.1:8000\nsample_app.config.ConfigError: A\nB\n"
    assert launch.log_line(text, "Uvicorn running on") == "INFO:     Uvicorn running on http://127.0.0.1:8000"
    assert launch.app_error(text) == ["A", "B"]
    assert launch.app_error("nothing") == [] and launch.log_line("nothing", "x y") is None

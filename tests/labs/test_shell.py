import pytest

from labs import LabError, run


def test_run_prints_output_from_python(capsys):
    result = run("echo 하나; echo 둘 >&2")
    assert result.ok and result.lines() == ["하나", "둘"]
    assert "하나\n둘" in capsys.readouterr().out


def test_run_failure_is_korean_error():
    with pytest.raises(LabError, match="종료 코드 3"):
        run("echo 망함; exit 3", show=False)


def test_run_without_check_returns_code():
    assert run("exit 4", check=False, show=False).returncode == 4


def test_run_timeout_kills_the_command():
    with pytest.raises(LabError, match="1초 안에 끝나지 않아"):
        run("sleep 30", timeout=1, show=False)


def test_run_tail_shows_last_lines(capsys):
    run("seq 1 50", tail=3)
    out = capsys.readouterr().out
    assert "앞의 47줄 생략" in out and out.strip().endswith("50")


def test_run_missing_binary():
    with pytest.raises(LabError):
        run(["없는-명령-xyz"], show=False)

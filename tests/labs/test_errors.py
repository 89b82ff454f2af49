import socket

from labs import errors


def test_explain_picks_port_in_use():
    exp = errors.explain("OSError: [Errno 98] Address already in use")
    assert "포트" in exp.cause


def test_explain_falls_back_to_given_default():
    default = errors.Explanation("기본 원인", "기본 해결")
    assert errors.explain("전혀 모르는 오류", default) is default


def test_port_in_use_names_the_owner():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        msg = str(errors.port_in_use(port))
    assert f"포트 {port}" in msg and "pid" in msg


def test_render_includes_log_tail():
    text = errors.explain("No module named foo").render("시작 실패", "line1\nNo module named foo")
    assert "마지막 로그" in text and "No module named foo" in text and "make lab" in text

import os
import subprocess
import sys

import psutil

from labs import registry


def test_cleanup_stops_registered_resources(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))

    class Thing:
        lab = "t-registry"
        stopped = False

        def stop(self):
            Thing.stopped = True

    registry.register(Thing())
    done = registry.cleanup("t-registry", quiet=True)
    assert Thing.stopped and len(done) == 1


def test_stale_process_from_earlier_kernel_is_reaped(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    # 이 커널(테스트 프로세스)이 모르는, pid 파일만 남은 프로세스 = 재시작 전 커널의 잔재
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    registry.write_pidfile("t-stale", proc.pid, "sleeper")
    reaped = registry.reap_stale("t-stale")
    proc.wait(timeout=10)
    assert reaped == [f"프로세스 sleeper (pid {proc.pid})"]
    assert not list((tmp_path / "pids" / "t-stale").glob("*.json"))


def test_reaper_ignores_reused_pid(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    me = psutil.Process()
    path = registry.write_pidfile("t-reuse", me.pid, "me")
    text = path.read_text().replace(str(me.create_time()), "1.0")
    path.write_text(text)
    assert registry.reap_stale("t-reuse") == []  # 시작 시각이 다르면 건드리지 않는다
    assert me.is_running()


def test_reapers_are_called_with_lab(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path))
    seen = []

    def reaper(lab):
        seen.append(lab)
        return ["컨테이너 x"]

    registry.add_reaper(reaper)
    try:
        assert "컨테이너 x" in registry.cleanup("t-reaper", quiet=True)
        assert seen == ["t-reaper"]
    finally:
        registry._reapers.remove(reaper)


def test_fresh_process_cleanup_finds_workspaces_of_earlier_kernel(tmp_path):
    """`make clean-labs`처럼 `import labs`만 한 새 프로세스도 작업 폴더를 치운다 (dockerlab을 안 불러도)."""
    env = {**os.environ, "COURSE_STATE_DIR": str(tmp_path)}
    left = tmp_path / "workspaces" / "t-fresh" / "work"
    left.mkdir(parents=True)
    (left / "Dockerfile").write_text("FROM scratch\n")
    code = "import labs; print(labs.cleanup('t-fresh', quiet=True))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "작업 폴더 work" in out.stdout
    assert not left.exists()

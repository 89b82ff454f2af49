"""채점 상자(labs.sandbox): 쓸 수 있는 곳, 보이는 것, 네트워크, 환경 변수, 한도, 타임아웃의 트리 종료를 실제 bwrap으로 검증한다."""

import os
import time

import psutil
import pytest

from labs import sandbox
from labs.registry import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap이 없다")


def _box(tmp_path, **kw):
    w = tmp_path / "box"
    return sandbox.Box(workdir=w, env=sandbox.base_env(w / "home", {"VISIBLE": "yes"}), **kw)


def test_only_the_workdir_is_writable_and_the_repo_is_hidden(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    outside = tmp_path / "outside.txt"
    script = (f"touch inside.txt; touch {outside} 2>/dev/null; touch /usr/x 2>/dev/null; "
              f"ls {PROJECT_ROOT}/solutions 2>&1 | head -1; echo env=$GRADER_SECRET/$VISIBLE; id -u")
    r = sandbox.run(_box(tmp_path), ["sh", "-c", script], timeout=20)
    assert r.ok, r.output
    assert (tmp_path / "box" / "inside.txt").exists() and not outside.exists()
    assert "No such file" in r.output and "env=/yes" in r.output
    if os.geteuid() == 0:
        assert int(r.output.split()[-1]) >= sandbox.UID_BASE  # root가 아닌 uid


def test_kit_is_read_only_and_python_is_isolated(tmp_path):
    r = sandbox.run(_box(tmp_path, kit=True), ["python", "-I", "-c",
                    "import labs, sys; open(labs.__file__ + '.x', 'w')"], timeout=30)
    assert not r.ok and ("Read-only" in r.output or "Permission" in r.output)


def test_no_network_unless_asked(tmp_path):
    code = "import socket; s=socket.socket(); s.settimeout(2); s.connect(('1.1.1.1', 53))"
    r = sandbox.run(_box(tmp_path), ["python", "-I", "-c", code], timeout=20)
    assert not r.ok and ("unreachable" in r.output or "OSError" in r.output)


def test_memory_limit_stops_a_memory_bomb(tmp_path):
    box = _box(tmp_path, limits=sandbox.Limits(memory_mb=200))
    r = sandbox.run(box, ["python", "-I", "-c", "b=[bytearray(10**7) for _ in range(100)]"], timeout=30)
    assert not r.ok and "MemoryError" in r.output


def test_process_limit_stops_a_fork_bomb(tmp_path):
    box = _box(tmp_path, limits=sandbox.Limits(nproc=30))
    start = time.monotonic()
    r = sandbox.run(box, ["bash", "-c", "f(){ f | f & }; f; sleep 3"], timeout=20)
    assert time.monotonic() - start < 20 and not r.timed_out or r.timed_out  # 끝나거나 타임아웃에 죽는다
    time.sleep(0.5)
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] and "f | f" in " ".join(p.info["cmdline"])]


def test_timeout_kills_the_whole_tree_including_setsid_and_double_fork(tmp_path):
    script = "setsid sh -c 'sleep 311 & sleep 312' & (sleep 313 &); nohup sleep 314 >/dev/null 2>&1 & sleep 315"
    start = time.monotonic()
    r = sandbox.run(_box(tmp_path), ["sh", "-c", script], timeout=2)
    assert r.timed_out and time.monotonic() - start < 10
    time.sleep(0.5)
    left = [p for p in psutil.process_iter(["cmdline"]) if (p.info["cmdline"] or [""])[0] == "sleep"
            and (p.info["cmdline"][1:] or [""])[0] in ("311", "312", "313", "314", "315")]
    assert left == []


def test_cannot_signal_the_grader(tmp_path):
    r = sandbox.run(_box(tmp_path), ["sh", "-c", f"kill -STOP {os.getpid()}; echo rc=$?"], timeout=10)
    assert "rc=0" not in r.output
    assert psutil.Process().status() != psutil.STATUS_STOPPED


def test_output_is_bounded(tmp_path):
    r = sandbox.run(_box(tmp_path), ["sh", "-c", "yes | head -c 5000000"], timeout=20, max_output=1000)
    assert len(r.output) <= 1000


@pytest.mark.requires("docker")
@pytest.mark.skipif(os.geteuid() != 0 or sandbox.docker_gid() is None, reason="root와 docker 그룹이 필요하다")
def test_docker_socket_is_reachable_only_through_the_group_and_the_socket_keeps_its_owner(tmp_path):
    """배포 스크립트의 상자: Docker 소켓을 경로 그대로 붙이고 docker 그룹으로만 닿는다. 소켓의 주인은 바뀌지 않는다."""
    sock = "/var/run/docker.sock"
    owner = os.stat(sock).st_uid, os.stat(sock).st_gid
    box = sandbox.Box(workdir=tmp_path / "w", network=True, env=sandbox.base_env(tmp_path / "w" / "home"),
                      groups=[sandbox.docker_gid()], sockets=[sock], python=False)
    r = sandbox.run(box, ["bash", "-c", "docker version --format '{{.Server.Version}}' && id -u"], timeout=30)
    assert r.ok, r.output
    assert int(r.output.split()[-1]) >= sandbox.UID_BASE
    without = sandbox.run(sandbox.Box(workdir=tmp_path / "v", network=True, env=box.env, sockets=[sock], python=False),
                          ["docker", "version"], timeout=30)
    assert not without.ok and "permission denied" in without.output.lower()
    assert (os.stat(sock).st_uid, os.stat(sock).st_gid) == owner

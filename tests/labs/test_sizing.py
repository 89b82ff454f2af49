"""워커 수 계산(labs.sizing)을 시드의 규칙, 메모리 한도, 이 기계의 코어 수로 검증한다."""

import os
import shutil
import subprocess
import sys

import pytest

from labs import sizing
from labs.asgi_lab import gunicorn_settings


@pytest.mark.parametrize("cores, workload, model, expected", [
    (2, "io", "sync", 5),      # 2 × 2 + 1
    (4, "mixed", "sync", 9),
    (4, "cpu", "sync", 4),
    (4, "io", "async", 4),     # 비동기는 코어당 1개
    (4, "cpu", "async", 4),
    (1, "io", "async", 1),
])
def test_cpu_rule_without_memory_pressure(cores, workload, model, expected):
    rec = sizing.recommend(cores, 64_000, 100, workload, model)
    assert (rec.by_cpu, rec.workers, rec.limited_by) == (expected, expected, "cpu")


def test_memory_caps_the_cpu_rule():
    rec = sizing.recommend(4, 1024, 200, "io", "sync")
    assert (rec.by_cpu, rec.by_memory, rec.workers, rec.limited_by) == (9, 5, 5, "memory")
    assert any("메모리가 더 빡빡하다" in r for r in rec.reasons)
    assert rec.memory_mb == 1000


def test_at_least_one_worker_even_without_memory():
    rec = sizing.recommend(8, 100, 300, "io", "async")
    assert rec.workers == 1 and rec.by_memory == 0
    assert any("모자란다" in r for r in rec.reasons)


@pytest.mark.parametrize("bad", [
    {"cores": 0}, {"cores": 2.5}, {"cores": True}, {"ram_mb": -1}, {"worker_mb": 0},
    {"workload": "gpu"}, {"model": "threads"},
])
def test_invalid_input_is_a_korean_error(bad):
    kwargs = {"cores": 2, "ram_mb": 1024, "worker_mb": 100, "workload": "io", "model": "async", **bad}
    with pytest.raises(ValueError, match="여야 한다|중 하나다"):
        sizing.recommend(**kwargs)


def test_text_is_korean_and_stable():
    text = str(sizing.recommend(2, 2048, 150))
    assert text.splitlines()[0] == ("권장 워커 수: 2개 (비동기(ASGI), I/O 위주, 코어 2개, 메모리 2048 MB, "
                                    "워커당 150 MB)")


def test_gunicorn_conf_is_accepted_by_gunicorn(tmp_path):
    rec = sizing.recommend(4, 4096, 150, "io", "async")
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(rec.gunicorn_conf())
    # gunicorn 자신이 설정 파일을 읽게 한다: 모르는 이름이나 문법 오류가 있으면 실패한다.
    out = subprocess.run([sys.executable, "-m", "gunicorn", "--print-config", "-c", str(conf),
                          "sample_app.main:app"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "SECRET_KEY": "x" * 32, "WEB_CONCURRENCY": "7"})
    assert out.returncode == 0, out.stderr
    printed = {k.strip(): v.strip() for k, v in (line.split(" = ", 1) for line in out.stdout.splitlines() if " = " in line)}
    assert printed["workers"].strip() == "7"          # WEB_CONCURRENCY가 이긴다
    assert printed["worker_class"].strip() == "uvicorn_worker.UvicornWorker"
    assert printed["max_requests_jitter"].strip() == "100"


def test_commands_parse():
    sync = sizing.recommend(2, 4096, 100, "io", "sync")
    cfg = gunicorn_settings(sync.command().split())
    assert (cfg.workers, cfg.max_requests, cfg.accesslog) == (5, 1000, "-")
    assert sizing.recommend(2, 4096, 100).command().startswith("uvicorn sample_app.main:app")


def test_cpu_info_on_this_machine():
    info = sizing.cpu_info()
    assert info.cpu_count == os.cpu_count()
    assert info.affinity == len(os.sched_getaffinity(0))
    assert 1 <= info.effective <= info.cpu_count
    assert "os.cpu_count()" in str(info)


def test_affinity_is_smaller_than_cpu_count_under_taskset():
    if os.cpu_count() < 2 or shutil.which("taskset") is None:
        pytest.skip("코어가 하나뿐이거나 taskset(util-linux)이 없다")
    code = "from labs import sizing; i = sizing.cpu_info(); print(i.cpu_count, i.affinity, i.effective)"
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    count, affinity, effective = map(int, out.stdout.split())
    assert (count, affinity, effective) == (os.cpu_count(), 1, 1)


def _fake_cgroup(root, proc, lines, files):
    proc.write_text(lines)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_cgroup_v2_quota(tmp_path):
    root, proc = tmp_path / "cg", tmp_path / "cgroup"
    _fake_cgroup(root, proc, "0::/docker/abc\n", {"docker/abc/cpu.max": "150000 100000\n"})
    assert sizing.cgroup_cpu_quota(root, proc) == (1.5, "cgroup v2 cpu.max")
    _fake_cgroup(root, proc, "0::/\n", {"cpu.max": "max 100000\n"})
    assert sizing.cgroup_cpu_quota(root, proc) == (None, None)


def test_cgroup_v1_quota(tmp_path):
    root, proc = tmp_path / "cg", tmp_path / "cgroup"
    _fake_cgroup(root, proc, "4:cpu,cpuacct:/\n3:memory:/\n",
                 {"cpu,cpuacct/cpu.cfs_quota_us": "50000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"})
    assert sizing.cgroup_cpu_quota(root, proc) == (0.5, "cgroup v1 cpu.cfs_quota_us")
    info = sizing.cpu_info(root, proc)
    assert info.effective == 1 and "0.5개 분량" in str(info)
    (root / "cpu,cpuacct/cpu.cfs_quota_us").write_text("-1\n")
    assert sizing.cgroup_cpu_quota(root, proc) == (None, None)


def test_worker_memory_of_real_processes():
    sizes = sizing.worker_memory_mb([os.getpid(), 999_999_999])
    assert len(sizes) == 1 and 5 < sizes[0] < 4096

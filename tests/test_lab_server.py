"""`make lab`이 여는 JupyterLab이 실제로 뜨고, 코스 커널이 등록돼 있고, 00 노트북을 여는지 확인한다."""

import os

import httpx

import labs

TOKEN = "course-test-token"


def test_jupyterlab_serves_the_course(tmp_path):
    port = labs.free_port()
    argv = ["jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={labs.registry.PROJECT_ROOT}"]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    env = {"JUPYTER_RUNTIME_DIR": str(tmp_path)}
    with labs.start_process("jupyter-lab", argv, "t-lab-server", port=port,
                            ready_path=f"/api/status?token={TOKEN}", env=env, timeout=90) as srv:
        lab = httpx.get(f"{srv.url}/lab/tree/notebooks/00_start_here.ipynb?token={TOKEN}", timeout=20)
        assert lab.status_code == 200 and "JupyterLab" in lab.text
        specs = httpx.get(f"{srv.url}/api/kernelspecs?token={TOKEN}", timeout=20).json()["kernelspecs"]
        assert "deploy-course" in specs, "`make setup`이 커널을 등록해야 한다"
        nb = httpx.get(f"{srv.url}/api/contents/notebooks/00_start_here.ipynb?token={TOKEN}", timeout=20)
        assert nb.status_code == 200 and nb.json()["type"] == "notebook"

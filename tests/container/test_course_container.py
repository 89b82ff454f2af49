"""코스 컨테이너 끝에서 끝까지 (이슈 15): 이미지를 만들고(캐시가 있으면 다시 씀), `scripts/course-container.sh up`으로
띄우고, Debian의 Chromium으로 컨테이너 속 JupyterLab을 실제로 조작하고, 안쪽 Docker 엔진으로 BuildKit 빌드를 돌린다.

느리다 (처음에는 이미지 빌드가 몇 분): `make test-container`만 돌린다 (`COURSE_CONTAINER_TESTS=1`).
끝나면 컨테이너와 그 엔진 볼륨을 지운다. 이미지는 다음 실행의 캐시로 남긴다.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "course-container.sh"
NAME = "course-lab-test"
NOTEBOOK = "01_asgi_servers.ipynb"

pytestmark = pytest.mark.skipif(os.environ.get("COURSE_CONTAINER_TESTS") != "1",
                                reason="코스 컨테이너 테스트는 `make test-container`로 돌린다 (COURSE_CONTAINER_TESTS=1)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _script(*args: str, env: dict[str, str], timeout: float) -> str:
    done = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout)
    print(done.stdout[-3000:], done.stderr[-3000:])
    assert done.returncode == 0, f"course-container.sh {' '.join(args)} 실패:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def _exec(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", "exec", NAME, *argv], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """이미지를 만들고 컨테이너를 띄운다: (포트, 토큰). 학습자 노트북 폴더는 저장소의 사본을 바인드 마운트한다."""
    notebooks = tmp_path_factory.mktemp("notebooks")
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(nb, notebooks / nb.name)
    port = _free_port()
    env = {**os.environ, "COURSE_LAB_NAME": NAME, "COURSE_LAB_PORT": str(port), "COURSE_NOTEBOOKS": str(notebooks),
           "JUPYTER_TOKEN": os.urandom(16).hex()}
    env.pop("COURSE_CONTAINER_MODE", None)
    _script("down", "--purge", env=env, timeout=120)  # 지난 실행이 남긴 것
    t = time.monotonic()
    _script("build", env=env, timeout=2400)
    print(f"이미지 준비 {time.monotonic() - t:.0f}초")
    try:
        out = _script("up", env=env, timeout=300)
        assert f"127.0.0.1:{port}" in out and env["JUPYTER_TOKEN"] in out, "주소와 토큰을 찍어야 한다"
        yield port, env["JUPYTER_TOKEN"], notebooks
    finally:
        _script("down", "--purge", env=env, timeout=120)
        left = subprocess.run(["docker", "ps", "-a", "-q", "--filter", f"name=^{NAME}$"], capture_output=True,
                              text=True).stdout.strip()
        vols = subprocess.run(["docker", "volume", "ls", "-q", "--filter", f"name=^{NAME}-docker$"],
                              capture_output=True, text=True).stdout.strip()
        shutil.rmtree(notebooks, ignore_errors=True)
        assert not left and not vols, f"남은 것: 컨테이너 {left!r}, 볼륨 {vols!r}"


def test_published_on_loopback_only(lab):
    port = lab[0]
    ports = subprocess.run(["docker", "port", NAME, "8888/tcp"], capture_output=True, text=True).stdout.split()
    assert ports == [f"127.0.0.1:{port}"]


def test_doctor_inside_sees_course_container_and_buildkit(lab):
    done = _exec("python", "-c", "from labs.doctor import run_checks; print(run_checks(network=False))")
    assert done.returncode == 0, done.stderr
    report = done.stdout
    print(report)
    assert "✅ 실행 환경: 코스 컨테이너" in report
    assert "✅ BuildKit (docker buildx): buildx" in report
    assert "✅ Docker 엔진: 서버 2" in report  # 자기 엔진 (Debian trixie의 26.x)
    assert "✅ Docker Compose v2+" in report
    assert "Python: 3.13" in report
    for tool in ("nginx", "Node.js 18+", "PM2", "Redis 서버", "PostgreSQL 서버", "한글 글꼴(그림)"):
        assert f"✅ {tool}:" in report, f"{tool}이 컨테이너에 없다:\n{report}"


BUILD_SCRIPT = r"""
set -eu
work=$(mktemp -d)
mkdir -p "$work/root/bin"
cp /bin/busybox "$work/root/bin/busybox"
for a in sh echo wc cat; do ln -s busybox "$work/root/bin/$a"; done
tar -C "$work/root" -c . | docker import - course-test/busybox:latest >/dev/null
cat > "$work/Dockerfile" <<'DOCKERFILE'
FROM course-test/busybox:latest
ARG RUN_ID
RUN --mount=type=cache,target=/cache echo "$RUN_ID" >> /cache/runs && echo "캐시 마운트에 쌓인 실행: $(wc -l < /cache/runs)"
DOCKERFILE
for id in 1 2; do
  docker buildx build --progress=plain --build-arg RUN_ID=$id -t course-test/cache-mount:latest "$work" 2>&1
done
docker image inspect -f 'image ok' course-test/cache-mount:latest
rm -rf "$work"
"""


def test_inner_engine_runs_buildkit_cache_mount(lab):
    done = _exec("bash", "-c", BUILD_SCRIPT, timeout=300)
    print(done.stdout[-4000:], done.stderr[-2000:])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "캐시 마운트에 쌓인 실행: 1" in done.stdout
    assert "캐시 마운트에 쌓인 실행: 2" in done.stdout, "두 번째 빌드가 첫 빌드의 캐시 마운트를 봐야 한다"
    assert "image ok" in done.stdout


# ---- 브라우저 ----------------------------------------------------------------

def _chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.fail("Debian의 chromium·chromium-driver가 없다: apt-get install chromium chromium-driver", pytrace=False)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1000"):
        opts.add_argument(arg)
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"course-chromium-{os.getpid()}"
    shutil.rmtree(profile, ignore_errors=True)
    opts.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(driver), options=opts), profile


def _cell_indices(source_has: list[str]) -> list[int]:
    cells = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text())["cells"]
    found = []
    for needle in source_has:
        idx = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and needle in "".join(c["source"])]
        assert idx, f"{NOTEBOOK}에 '{needle}'가 든 코드 셀이 없다"
        found.append(idx[0])
    return found


def _put_settings(port: int, token: str) -> None:
    """테스트용: 노트북의 셀을 모두 DOM에 그리게 한다 (가상 스크롤을 끈다). 컨테이너와 함께 사라지는 설정이다."""
    import httpx

    url = f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/notebook-extension:tracker"
    raw = json.dumps({"windowingMode": "none"})
    r = httpx.put(url, json={"raw": raw}, headers={"Authorization": f"token {token}"}, timeout=30)
    assert r.status_code in (200, 204), r.text


def test_jupyterlab_worker_widget_in_browser(lab, tmp_path):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    port, token, _ = lab
    _put_settings(port, token)
    # 준비 셀(import), 코어 정보, 워커 메모리 측정, 그리고 워커 수 계산기 위젯 셀
    wanted = _cell_indices([f"LAB = \"{Path(NOTEBOOK).stem}\"", "info = sizing.cpu_info()",
                            'WEB_CONCURRENCY="3"', "show_sizing_calculator"])
    browser, profile = _chrome()
    try:
        browser.get(f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}")
        total = len(json.loads((ROOT / "notebooks" / NOTEBOOK).read_text())["cells"])
        # 타임아웃은 넉넉히: 2코어를 나눠 쓰는 기계에서 새 컨테이너의 첫 커널은 1분을 넘기기도 한다.
        try:
            wait = WebDriverWait(browser, 300)
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell")) >= total)
            wait.until(lambda d: "Idle" in d.find_element(By.ID, "jp-main-statusbar").text)
        except TimeoutException:
            shot = tmp_path / "kernel-not-idle.png"
            browser.save_screenshot(str(shot))
            bar = browser.find_elements(By.ID, "jp-main-statusbar")
            logs = subprocess.run(["docker", "logs", "--tail", "30", NAME], capture_output=True, text=True)
            pytest.fail(f"커널이 300초 안에 Idle이 되지 않았다. 상태 표시줄: {bar[0].text if bar else '없음'!r}, "
                        f"화면: {shot}\n{logs.stdout[-2000:]}{logs.stderr[-2000:]}")

        def run_cell(i: int) -> None:
            cell = browser.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell")[i]
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
            cell.find_element(By.CSS_SELECTOR, ".jp-InputPrompt").click()
            browser.switch_to.active_element.send_keys(Keys.SHIFT, Keys.ENTER)
            # 실행 번호가 붙으면 끝난 것이다 ([*]: 는 실행 중). 셀마다 타임아웃 180초.
            WebDriverWait(browser, 180).until(
                lambda d: (p := d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell")[i]
                           .find_element(By.CSS_SELECTOR, ".jp-InputPrompt").text.strip()) not in ("", "[ ]:", "[*]:")
                and "*" not in p)
            stderr = cell.find_elements(By.CSS_SELECTOR, "[data-mime-type='application/vnd.jupyter.stderr']")
            errors = [e.text for e in stderr if "Traceback" in e.text or "Error" in e.text]
            assert not errors, f"셀 {i}이 오류로 끝났다:\n" + "\n".join(errors)[-3000:]

        for i in wanted:
            run_cell(i)
        widget_cell = browser.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell")[wanted[-1]]
        result = WebDriverWait(browser, 60).until(
            lambda d: widget_cell.find_element(By.CSS_SELECTOR, ".widget-html-content"))
        WebDriverWait(browser, 30).until(lambda d: "권장 워커 수" in result.text)
        before = result.text
        print("처음 권장:", before.splitlines()[0])
        # 코어 수 입력칸(첫 번째 숫자 입력)을 바꾼다
        cores = widget_cell.find_elements(By.CSS_SELECTOR, ".widget-inline-hbox input[type='number']")[0]
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", cores)
        cores.click()
        cores.send_keys(Keys.CONTROL, "a")
        cores.send_keys("16", Keys.ENTER)
        WebDriverWait(browser, 30).until(lambda d: result.text != before)
        print("코어 16개로 바꾼 뒤:", result.text.splitlines()[0])
        assert "권장 워커 수" in result.text
        # 작업 종류 토글 버튼도 눌러 본다 (두 번째 선택지)
        before = result.text
        toggles = widget_cell.find_elements(By.CSS_SELECTOR, ".widget-toggle-buttons")[0]
        toggles.find_elements(By.CSS_SELECTOR, "button")[1].click()
        WebDriverWait(browser, 30).until(lambda d: result.text != before)
        print("작업 종류를 바꾼 뒤:", result.text.splitlines()[0])
        browser.save_screenshot(str(tmp_path / "course-container-widget.png"))  # 실패를 살필 때 본다 (pytest 임시 폴더)
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)

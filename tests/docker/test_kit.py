"""이미지 키트와 배포 파일의 약속을 엔진 없이 검사한다 (05·06 레슨).

엔진이 필요 없는 검사라 `docker` 표시를 달지 않는다: 어느 기계에서나 돈다.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from labs import docker, images
from labs.registry import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "compose" / "compose.yaml"
CERT = """-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUExampleOnlyNotARealCertificate0wCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----"""


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(images, "COMPOSE_ENV", tmp_path / "compose.env")
    for img in images.IMAGES:
        monkeypatch.delenv(img.env, raising=False)
    return tmp_path


def test_standins_never_use_official_names():
    for img in images.IMAGES:
        assert img.offline.startswith("course-offline/"), img
        assert img.offline != img.official
        assert (images.OFFLINE_DIR / img.recipe / "Dockerfile").is_file(), img.recipe
        if img.parent:
            assert img.parent in images.BY_KEY


def test_image_env_defaults_to_official_images(state):
    env = images.image_env(resolve=False)
    assert env["PYTHON_IMAGE"] == "python:3.13-slim"
    assert env["POSTGRES_IMAGE"] == "postgres:17-alpine"


@pytest.mark.requires("docker")
def test_standin_is_used_when_the_official_image_is_missing(state, monkeypatch):
    """`prepare`가 이 클론에서 돌지 않았어도(새 클론에서의 일괄 채점) 이미 있는 대체 이미지를 쓴다."""
    fake = images.CourseImage("t", "T_IMAGE", "course-test/official-missing:1", images.BASE_TAG, "debian", "시험")
    monkeypatch.setattr(images, "IMAGES", (fake,))
    monkeypatch.delenv("T_IMAGE", raising=False)
    assert docker.image_exists(images.BASE_TAG), "`python -m labs.images prepare`가 기반 이미지를 만든다"
    assert images.image_env()["T_IMAGE"] == images.BASE_TAG
    assert images.image_env(resolve=False)["T_IMAGE"] == "course-test/official-missing:1"
    monkeypatch.setenv("T_IMAGE", "registry.example/mine:1")  # 셸에서 정한 값은 그대로
    assert images.image_env()["T_IMAGE"] == "registry.example/mine:1"


def test_written_choice_is_read_back_and_shell_wins(state, monkeypatch):
    images._write_env({"POSTGRES_IMAGE": "course-offline/postgres:17"})
    assert images.image_env()["POSTGRES_IMAGE"] == "course-offline/postgres:17"
    monkeypatch.setenv("POSTGRES_IMAGE", "registry.example/postgres:17")
    assert images.image_env()["POSTGRES_IMAGE"] == "registry.example/postgres:17"


def test_compose_env_block_keeps_user_lines(state):
    f = images.COMPOSE_ENV
    f.write_text("SECRET_KEY=mine\n")
    images._write_env({"REDIS_IMAGE": "course-offline/redis:8"})
    images._write_env({"REDIS_IMAGE": "redis:8-alpine"})
    text = f.read_text()
    assert text.startswith("SECRET_KEY=mine\n")
    assert text.count(images._BLOCK_BEGIN) == 1
    assert "REDIS_IMAGE=redis:8-alpine" in text and "course-offline/redis" not in text


def test_extra_ca_can_be_turned_off_or_given(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_EXTRA_CA", "none")
    assert images.extra_ca_pem() is None
    pem = tmp_path / "corp.pem"
    pem.write_text(CERT + "\n")
    monkeypatch.setenv("COURSE_EXTRA_CA", str(pem))
    bundle = images.extra_ca_pem()
    assert bundle is not None and bundle.count("BEGIN CERTIFICATE") >= 1
    assert bundle.count("ExampleOnlyNotARealCertificate") == 1


def test_build_context_honours_dockerignore_and_adds_ca(tmp_path):
    ctx = tmp_path / "app"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM scratch\n")
    (ctx / ".dockerignore").write_text(".env\n**/__pycache__\n")
    (ctx / "main.py").write_text("print('hi')\n")
    (ctx / ".env").write_text("SECRET_KEY=leak\n")
    (ctx / "__pycache__").mkdir()
    (ctx / "__pycache__" / "x.pyc").write_bytes(b"x")
    fileobj, rel = docker._context(ctx, ctx / "Dockerfile", {docker.CA_FILE_IN_CONTEXT: CERT})
    with tarfile.open(fileobj=fileobj) as tar:
        names = set(tar.getnames())
    assert rel == "Dockerfile"
    assert {"main.py", "Dockerfile", ".course-ca.pem"} <= names
    assert ".env" not in names and not any("__pycache__" in n for n in names)


def test_ca_goes_into_builds_on_official_images_only():
    assert docker._needs_extra_ca({"PYTHON_IMAGE": "python:3.13-slim"})
    assert docker._needs_extra_ca({})
    assert not docker._needs_extra_ca({"PYTHON_IMAGE": "course-offline/python:3.13-slim"})


def _compose_defaults() -> dict[str, str]:
    return dict(re.findall(r"\$\{([A-Z_]+_IMAGE):-([^}]+)\}", COMPOSE.read_text()))


def test_course_files_name_official_images_through_variables():
    defaults = _compose_defaults()
    by_env = {img.env: img.official for img in images.IMAGES}
    for var in ("PYTHON_IMAGE", "POSTGRES_IMAGE", "REDIS_IMAGE", "NGINX_IMAGE"):
        assert defaults[var] == by_env[var], var
    dockerfile = (PROJECT_ROOT / "sample_app" / "Dockerfile").read_text()
    assert f"ARG PYTHON_IMAGE={by_env['PYTHON_IMAGE']}" in dockerfile
    node = (PROJECT_ROOT / "sample_app" / "node" / "Dockerfile").read_text()
    assert f"ARG NODE_IMAGE={by_env['NODE_IMAGE']}" in node


def test_compose_file_has_no_version_and_scalable_app():
    text = COMPOSE.read_text()
    assert not re.search(r"^version:", text, re.M)
    app = text.split("\n  app:\n", 1)[1].split("\n  db:\n", 1)[0]
    assert "container_name" not in app and "ports:" not in app


def test_dockerfile_follows_current_practice():
    text = (PROJECT_ROOT / "sample_app" / "Dockerfile").read_text()
    assert text.count("FROM ") == 2
    assert text.index("COPY requirements.txt") < text.index("COPY . ")
    assert "USER 10001" in text and "curl" not in text.split("HEALTHCHECK", 1)[1].split("CMD", 1)[0]
    cmd = text[text.rindex("\nCMD ["):]
    # 이미지는 02 레슨의 설정 파일로 뜬다: 워커 클래스는 그 파일이 정한다
    assert '"-c", "sample_app/gunicorn.conf.py"' in cmd
    conf = (PROJECT_ROOT / "sample_app" / "gunicorn.conf.py").read_text()
    assert 'os.environ.get("GUNICORN_WORKER_CLASS", "uvicorn_worker.UvicornWorker")' in conf
    assert "uvicorn.workers" not in cmd
    assert "--mount" not in "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    ignore = (PROJECT_ROOT / "sample_app" / ".dockerignore").read_text().split()
    assert {".env", ".git", "**/__pycache__"} <= set(ignore)


def test_offline_recipe_scripts_are_executable():
    for script in images.OFFLINE_DIR.rglob("*.sh"):
        assert script.stat().st_mode & 0o111, f"{script.name}에 실행 권한이 없다"


@pytest.mark.parametrize("recipe", sorted(p.name for p in Path(images.OFFLINE_DIR).iterdir() if p.is_dir()))
def test_every_recipe_is_used(recipe):
    assert recipe in {img.recipe for img in images.IMAGES}

"""05 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (실제 이미지 빌드, 컨테이너 실행).

틀린 답마다 "그 기준만" 실패하는지 본다: 채점기가 한 문제를 다른 문제로 잘못 짚지 않는다는 증거다.
"""

import pytest

import labs
from labs.checkpoints import docker_images as cp
from labs.dockerlab import SEED_DOCKERIGNORE

LAB = "t-checkpoint-05"
pytestmark = [pytest.mark.requires("docker"), pytest.mark.docker]

IGNORE = """
.env
.env.*
!.env.example
**/*.pem
**/*.key
.git
**/__pycache__
**/*.py[cod]
*.db
logs
node
Dockerfile
.dockerignore
"""

DOCKERFILE = """
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
RUN useradd --system --uid 10001 --no-create-home app
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . ./sample_app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \\
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["gunicorn", "sample_app.main:app", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000"]
"""
GOOD_CMD = 'CMD ["gunicorn", "sample_app.main:app", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000"]'
GOOD_HC = ("""CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', """
           """timeout=2)"]""")


@pytest.fixture(scope="module", autouse=True)
def _images():
    from labs import images

    images.prepare(skip_dev=True, progress=False)
    yield
    labs.cleanup(LAB, quiet=True)


def failed(grader, ns):
    """만점이 아닌 기준의 번호들 (0부터)."""
    score = grader.score({"LAB": LAB, **ns})
    return {i for i, o in enumerate(score.outcomes) if not o.passed}


# 기준 번호: 0 빌드, 1 시크릿, 2 .git, 3 캐시, 4 로그·DB·node, 5 코드 유지
@pytest.mark.parametrize("answer, expected", [
    (IGNORE, set()),
    (SEED_DOCKERIGNORE, {1, 3, 4}),
    ("*\n", {5}),
    (IGNORE.replace(".env\n.env.*\n!.env.example\n", ".env*\n"), {5}),
    (IGNORE.replace("**/*.key\n", "*.key\n"), {1}),
    (IGNORE.replace(".git\n", ""), {2}),
    (IGNORE.replace("**/__pycache__\n**/*.py[cod]\n", "__pycache__\n*.pyc\n"), {3}),
], ids=["solution", "seed", "star", "env-star", "root-key-only", "no-git", "root-pycache-only"])
def test_dockerignore(answer, expected):
    assert failed(cp.dockerignore, {"my_dockerignore": answer}) == expected


def test_dockerignore_missing_or_wrong_type_is_explained():
    score = cp.dockerignore.score({"LAB": LAB})
    assert not any(o.passed for o in score.outcomes)
    assert "정하지 않았다" in score.outcomes[0].note
    score = cp.dockerignore.score({"LAB": LAB, "my_dockerignore": 3})
    assert "여러 줄 문자열" in score.outcomes[0].note


def test_dockerignore_grader_raises_and_leaves_nothing():
    with pytest.raises(AssertionError):
        cp.dockerignore({"LAB": LAB, "my_dockerignore": "*\n"}, show=False)
    from labs import dockerlab

    assert dockerlab.leftovers(LAB)["컨테이너"] == 0
    assert not (dockerlab._work_root(LAB) / "checkpoint-5-1").exists()


# 기준 번호: 0 빌드, 1 root 아님, 2 healthy, 3 SIGTERM, 4 캐시
@pytest.mark.parametrize("answer, expected", [
    (DOCKERFILE, set()),
    (cp.BROKEN_DOCKERFILE, {1, 2, 3, 4}),
    (DOCKERFILE.replace("USER 10001\n", ""), {1}),
    (DOCKERFILE.replace(GOOD_HC, "CMD curl -f http://localhost:8000/health || exit 1"), {2}),
    (DOCKERFILE.replace(GOOD_CMD, "CMD gunicorn sample_app.main:app -k uvicorn_worker.UvicornWorker -b 0.0.0.0:8000"),
     {3}),
    (DOCKERFILE.replace("COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
                        "COPY . ./sample_app\n",
                        "COPY . ./sample_app\nRUN pip install --no-cache-dir -r sample_app/requirements.txt\n"), {4}),
    (DOCKERFILE.replace("FROM ${PYTHON_IMAGE}", "FROM ${PYTHON_IMAGE}\nRUN exit 3"), {0, 1, 2, 3, 4}),
], ids=["solution", "broken", "root", "curl-healthcheck", "shell-form", "bad-order", "build-fails"])
def test_fix_dockerfile(answer, expected):
    assert failed(cp.fix_dockerfile, {"fixed_dockerfile": answer}) == expected


def test_fix_dockerfile_notes_name_the_problem():
    score = cp.fix_dockerfile.score({"LAB": LAB, "fixed_dockerfile": cp.BROKEN_DOCKERFILE})
    notes = [o.note for o in score.outcomes]
    assert "`id -u`: 0" in notes[1]
    assert "curl: not found" in notes[2]
    assert "137" in notes[3]
    assert "pip install을 다시 했다" in notes[4]

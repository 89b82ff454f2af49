"""Docker 테스트 공통 준비 (05·06 레슨의 실제 엔진 검사).

- 엔진(과 Compose v2+)이 없으면 한국어 이유로 건너뛴다. `COURSE_REQUIRE_ALL=1`(CI)이면 실패한다
  (`tests/conftest.py`의 `requires("docker")` 표시가 처리한다).
- 이미지는 세션에 한 번 준비하고(`labs.images.prepare`), 앱 이미지는 한 번만 빌드한다.
- 테스트가 띄운 것은 모두 `course.lab=test_docker` 레이블을 달고, 세션이 끝나면 레이블로 치운다.
"""

from __future__ import annotations

import pytest

LAB = "test_docker"
APP_TAG = "course-test/sample-app:test"
NODE_TAG = "course-test/sample-node:test"


@pytest.fixture(scope="session")
def lab() -> str:
    """테스트가 띄우는 자원의 레이블 값 (`course.lab=test_docker`)."""
    return LAB


@pytest.fixture(scope="session")
def images() -> dict[str, str]:
    """코스 이미지(공식 또는 대체)를 준비한다. 이미 있으면 몇 초."""
    from labs import images

    return images.prepare(skip_dev=True, progress=False)


@pytest.fixture(scope="session")
def app_image(images):
    """sample_app 이미지를 한 번 빌드한다 (캐시가 있으면 금방 끝난다)."""
    from labs import docker

    return docker.build(docker.registry.PROJECT_ROOT / "sample_app", APP_TAG, LAB, progress=False)


@pytest.fixture(scope="session", autouse=True)
def _reap_after_session():
    yield
    try:
        from labs import docker

        docker.reap(LAB)
    except Exception:  # noqa: BLE001  엔진이 없으면 치울 것도 없다
        pass

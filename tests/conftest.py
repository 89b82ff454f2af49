"""테스트 공통 설정: `@pytest.mark.requires("docker")` 같은 능력 표시를 건너뛰기/실패로 바꾼다.

능력이 없으면 한국어 이유와 함께 건너뛰고, `COURSE_REQUIRE_ALL=1`(CI)에서는 실패로 처리한다.
세션이 끝나면 테스트가 빌드한 이미지 가운데 다음 실행이 다시 쓰지 않는 것을 지운다 (`pytest_sessionfinish`).
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "requires(name): 이 기계에 해당 실습 능력(docker, nginx, node, redis, postgres)이 필요하다")


def pytest_runtest_setup(item):
    names = [n for mark in item.iter_markers("requires") for n in mark.args]
    if not names:
        return
    from labs.doctor import capabilities

    missing = [n for n in names if not capabilities().get(n, False)]
    if not missing:
        return
    msg = f"이 기계에 없는 실습 능력: {', '.join(missing)}"
    if os.environ.get("COURSE_REQUIRE_ALL") == "1":
        pytest.fail(f"{msg} (COURSE_REQUIRE_ALL=1)", pytrace=False)
    pytest.skip(msg)


# ---- 세션이 끝나면 테스트 이미지 정리 -------------------------------------------------

TEST_IMAGE_PREFIX = "course-test/"
"""테스트만 쓰는 이미지 이름의 앞부분. 테스트가 빌드하는 이미지는 모두 이 이름을 쓴다."""

REUSED_TEST_IMAGES = {
    "course-test/sample-app:test",     # tests/docker의 app_image: 다음 실행이 같은 컨텍스트를 캐시로 다시 빌드한다
    "course-test/sample-node:test",    # tests/docker의 Node 쌍둥이 (같은 이유)
    "course-test/dockerlab-app:latest",  # tests/labs/test_dockerlab.py의 app_image (같은 이유)
}
"""남겨 두는 테스트 이미지: 다음 실행이 같은 것을 다시 빌드하므로 층 캐시가 된다.
한 번 쓰고 마는 것(층 캐시 실험의 v1·v2, 시크릿 층, 깨진 빌드 등)과 다시 빌드하며 이름을 잃은 이미지는 지운다.
코스 대체 이미지(`course-offline/*`)와 레슨이 남기는 이미지(`course.lesson` 레이블, 다음 실행의 캐시)는 건드리지 않는다."""


def remove_test_images() -> list[str]:
    """테스트가 남긴 일회용 이미지와, labs가 빌드했다가 이름을 잃은(dangling) 이미지를 지운다. 지운 것의 목록."""
    try:
        from docker.errors import APIError

        from labs import docker
        from labs.errors import LabError

        c = docker.client(timeout=60)
    except (ImportError, LabError):
        return []  # 엔진이 없으면 지울 이미지도 없다
    removed: list[str] = []
    try:
        tags = [t for image in c.images.list() for t in image.tags]
    except APIError:  # 목록을 읽는 사이에 다른 정리가 이미지를 지웠다: 다음 세션이 지운다
        tags = []
    for tag in tags:
        if tag.startswith(TEST_IMAGE_PREFIX) and tag not in REUSED_TEST_IMAGES:
            try:
                c.images.remove(tag, noprune=False)
                removed.append(tag)
            except APIError:  # 없어졌거나 컨테이너가 아직 쓰는 중이면 남긴다 (다음 세션이 지운다)
                pass
    try:
        out = c.images.prune(filters={"dangling": True, "label": "course.built-by=labs"})
        removed += [d["Deleted"] for d in out.get("ImagesDeleted") or [] if "Deleted" in d]
    except APIError:  # 다른 prune와 겹치면 엔진이 거절한다: 다음 세션이 지운다
        pass
    return removed


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("COURSE_KEEP_TEST_IMAGES") != "1":
        remove_test_images()

"""`labs.doctor()`이 코스 컨테이너 안인지, BuildKit(buildx)이 있는지 알아보는지 검사한다 (이슈 15)."""

from __future__ import annotations

import importlib

import pytest

doctor = importlib.import_module("labs.doctor")  # `labs.doctor`라는 이름은 함수가 가린다


@pytest.fixture
def outside(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CONTAINER", raising=False)
    monkeypatch.setattr(doctor, "CONTAINER_MARKER", str(tmp_path / "없는-표시-파일"))


def test_host_is_not_course_container(outside):
    assert not doctor.in_course_container()
    check = doctor._check_container()
    assert check.ok and "직접" in check.detail


def test_env_var_means_course_container(outside, monkeypatch):
    monkeypatch.setenv("COURSE_CONTAINER", "1")
    assert doctor.in_course_container()
    assert "코스 컨테이너" in doctor._check_container().detail


def test_marker_file_means_course_container(outside, monkeypatch, tmp_path):
    marker = tmp_path / "course-container"
    marker.write_text("표시\n")
    monkeypatch.setattr(doctor, "CONTAINER_MARKER", str(marker))
    assert doctor.in_course_container()


def test_buildx_present(monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/docker")
    monkeypatch.setattr(doctor, "_version", lambda argv, timeout=5.0: "github.com/docker/buildx 0.13.1 0.13.1+ds1-3")
    check = doctor._check_buildx()
    assert check.ok and check.detail == "buildx 0.13.1"


def test_buildx_missing_says_legacy_builder(monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/docker")
    monkeypatch.setattr(doctor, "_version", lambda argv, timeout=5.0: None)
    check = doctor._check_buildx()
    assert not check.ok and "예전 빌더" in check.detail and "course-lab" in check.fix


def test_report_lists_container_and_buildx_rows():
    keys = [c.key for c in doctor.run_checks(network=False).checks]
    assert keys[0] == "container" and "buildx" in keys
    assert doctor.run_checks(network=False).mode in ("live-docker", "live-local")

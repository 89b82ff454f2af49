"""environment.yml(conda/Binder)과 pyproject.toml(pip)의 파이썬 의존성이 같은지 검사한다."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_matches_pyproject():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = [p for p in pip_section if not p.startswith("-e")]
    assert sorted(listed) == sorted(deps), "environment.yml 의 pip 목록을 pyproject.toml 과 맞춘다"


def test_every_environment_line_names_its_lesson():
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.strip().startswith("- ") and line.strip() not in ("- conda-forge", "- pip:"):
            assert "#" in line, f"레슨 주석이 없다: {line}"


def test_sample_app_requirements_are_in_pyproject():
    def names(items):
        return {re.split(r"[<>=!~\[ ]", i.strip())[0].lower() for i in items}

    deps = names(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    reqs = [line for line in (ROOT / "sample_app" / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert names(reqs) <= deps

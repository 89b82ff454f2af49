"""의존성 목록 셋이 같은 버전 범위를 말하는지 검사한다: pyproject.toml(pip), environment.yml(conda/Binder),
sample_app/requirements.txt(앱 이미지). 이름만이 아니라 버전 범위(`>=25.1` 등)와 extras까지 비교한다."""

import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _parse(lines: list[str]) -> dict[str, Requirement]:
    reqs = [Requirement(line.split("#", 1)[0].strip()) for line in lines if line.split("#", 1)[0].strip()]
    return {canonicalize_name(r.name): r for r in reqs}


def pyproject() -> dict[str, Requirement]:
    return _parse(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def environment_yml() -> dict[str, Requirement]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return _parse([p for p in pip_section if not p.startswith("-e")])


def requirements_txt() -> dict[str, Requirement]:
    return _parse((ROOT / "sample_app" / "requirements.txt").read_text().splitlines())


def _same(a: Requirement, b: Requirement) -> bool:
    return a.specifier == b.specifier and a.extras == b.extras and a.marker == b.marker


def test_environment_yml_matches_pyproject():
    deps, env = pyproject(), environment_yml()
    assert sorted(env) == sorted(deps), "environment.yml 의 pip 목록을 pyproject.toml 과 맞춘다"
    differ = [f"{name}: environment.yml {env[name]} ≠ pyproject.toml {deps[name]}"
              for name in deps if not _same(env[name], deps[name])]
    assert not differ, "버전 범위가 다르다:\n" + "\n".join(differ)


def test_every_environment_line_names_its_lesson():
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.strip().startswith("- ") and line.strip() not in ("- conda-forge", "- pip:"):
            assert "#" in line, f"레슨 주석이 없다: {line}"


def test_sample_app_requirements_match_pyproject():
    """앱 이미지의 requirements.txt는 pyproject.toml의 부분 집합이고, 버전 범위도 같다."""
    deps, reqs = pyproject(), requirements_txt()
    assert set(reqs) <= set(deps), f"pyproject.toml에 없는 이미지 의존성: {sorted(set(reqs) - set(deps))}"
    differ = [f"{name}: requirements.txt {reqs[name]} ≠ pyproject.toml {deps[name]}"
              for name in reqs if not _same(reqs[name], deps[name])]
    assert not differ, "버전 범위가 다르다:\n" + "\n".join(differ)


def test_installed_versions_satisfy_the_bounds():
    """지금 설치된 버전(make lab이 만든 .venv)이 적어 둔 범위 안에 있다: 범위가 낡으면 여기서 드러난다."""
    outside = []
    for name, req in pyproject().items():
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            outside.append(f"{name}: 설치되지 않았다")
            continue
        if not req.specifier.contains(version, prereleases=True):
            outside.append(f"{name} {version}: 범위 {req.specifier} 밖")
    assert not outside, "\n".join(outside)

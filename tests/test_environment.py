"""의존성 목록 둘이 같은 버전 범위를 말하는지 검사한다: pyproject.toml(pip)과 sample_app/requirements.txt(앱 이미지).
이름만이 아니라 버전 범위(`>=25.1` 등)와 extras까지 비교한다.

conda/Binder용 environment.yml은 두지 않는다: conda-forge에 닿지 않는 곳에서는 그 환경을 만들어 볼 수 없고,
검증하지 못한 설치 경로를 약속하지 않는다. 호스팅 워크숍은 같은 코스 이미지를 쓰는 `.devcontainer/`(Codespaces)로 한다."""

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _parse(lines: list[str]) -> dict[str, Requirement]:
    reqs = [Requirement(line.split("#", 1)[0].strip()) for line in lines if line.split("#", 1)[0].strip()]
    return {canonicalize_name(r.name): r for r in reqs}


def pyproject() -> dict[str, Requirement]:
    return _parse(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def requirements_txt() -> dict[str, Requirement]:
    return _parse((ROOT / "sample_app" / "requirements.txt").read_text().splitlines())


def _same(a: Requirement, b: Requirement) -> bool:
    return a.specifier == b.specifier and a.extras == b.extras and a.marker == b.marker


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

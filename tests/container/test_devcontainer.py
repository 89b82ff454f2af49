"""`.devcontainer/devcontainer.json`(이슈 15)이 스키마에 맞고, 코스 컨테이너와 같은 Dockerfile·권한을 쓰는지 검사한다.

스키마 `devcontainer.schema.json`은 이 프로젝트가 Dev Container 명세의 속성 참조를 보고 쓴 것이다
(공식 스키마 파일은 PyPI·npm 패키지에 들어 있지 않다). 모르는 최상위 속성은 거절한다.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".devcontainer" / "devcontainer.json"
SCHEMA = Path(__file__).with_name("devcontainer.schema.json")


def validate_file(path: Path) -> dict:
    """devcontainer.json 하나를 읽어 스키마로 검사한다. 어긋나면 jsonschema.ValidationError."""
    schema = json.loads(SCHEMA.read_text())
    config = json.loads(path.read_text())
    jsonschema.Draft202012Validator(schema).validate(config)
    return config


def test_schema_itself_is_valid():
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA.read_text()))


def test_devcontainer_json_matches_schema():
    validate_file(CONFIG)


@pytest.mark.parametrize("breakage", [
    pytest.param(lambda c: c.update(forwardPort=[8888]), id="오타 난 속성 이름"),
    pytest.param(lambda c: c.update(forwardPorts="8888"), id="배열이 아닌 forwardPorts"),
    pytest.param(lambda c: c["build"].pop("dockerfile"), id="dockerfile 없는 build"),
    pytest.param(lambda c: c.update(image="debian:trixie"), id="image와 build를 함께"),
    pytest.param(lambda c: c.update(postCreateCommand=[]), id="빈 명령"),
])
def test_broken_copy_fails(tmp_path, breakage):
    """같은 검사가 망가진 사본은 거절한다: 검사가 무엇이든 통과시키는 것이 아님을 보인다."""
    config = json.loads(CONFIG.read_text())
    breakage(config)
    broken = tmp_path / "devcontainer.json"
    broken.write_text(json.dumps(config, ensure_ascii=False))
    with pytest.raises(jsonschema.ValidationError):
        validate_file(broken)


def test_not_json_fails(tmp_path):
    broken = tmp_path / "devcontainer.json"
    broken.write_text(CONFIG.read_text().replace('"forwardPorts"', "forwardPorts"))
    with pytest.raises(json.JSONDecodeError):
        validate_file(broken)


def test_uses_course_dockerfile_and_repo_context():
    config = validate_file(CONFIG)
    folder = CONFIG.parent
    assert (folder / config["build"]["dockerfile"]).resolve() == ROOT / "container" / "Dockerfile"
    assert (folder / config["build"]["context"]).resolve() == ROOT
    assert 8888 in config["forwardPorts"]


def test_run_args_match_course_container_script():
    """devcontainer의 권한은 scripts/course-container.sh의 대체 묶음(caps)과 같다: 한쪽만 고치지 않게."""
    done = subprocess.run(["bash", str(ROOT / "scripts" / "course-container.sh"), "flags"], capture_output=True,
                          text=True, env={**os.environ, "COURSE_CONTAINER_MODE": "caps"}, check=True)
    words = done.stdout.split()
    script = []
    while words:  # "--flag value" 를 "--flag=value" 로 맞춘다 (devcontainer 쪽 표기)
        word = words.pop(0)
        if word in ("--cap-add", "--cap-drop", "--security-opt", "-v"):
            word = f"{'--volume' if word == '-v' else word}={words.pop(0)}"
        script.append(word)
    run_args = [a for a in validate_file(CONFIG)["runArgs"] if not a.startswith("--label=")]
    assert sorted(run_args) == sorted(script)

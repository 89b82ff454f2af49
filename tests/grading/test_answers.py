"""답 셀(`%%answer`), 노트북에서 답 꺼내기, 학생 코드 격리 실행, 작은 분석기들을 검증한다."""

import json
import os
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from labs.exercises import answers, common, deploy, dockerfile, gunicorn
from labs.grading import TodoError


def _nb(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


# ---- %%answer 셀 ------------------------------------------------------------------

def test_save_puts_answer_in_namespace_and_file():
    ns = {}
    path = answers.save(ns, "answers/Dockerfile", "### BEGIN SOLUTION 힌트\nFROM x\n### END SOLUTION\n")
    assert ns["ANSWERS"]["Dockerfile"] == "FROM x\n"
    assert path.read_text() == "FROM x\n"


def test_save_keeps_shebang_first_and_makes_script_executable():
    ns = {}
    path = answers.save(ns, "deploy.sh", "### BEGIN SOLUTION\n#!/usr/bin/env bash\necho hi\n### END SOLUTION")
    assert ns["ANSWERS"]["deploy.sh"].startswith("#!/usr/bin/env bash\n")
    assert os.access(path, os.X_OK)


def test_stub_cell_stops_with_korean_todo():
    stub = "# 여기에 답을 쓴다. 다 쓰면 아래 줄을 지운다.\nlabs.todo('Dockerfile을 쓴다')\n"
    with pytest.raises(TodoError, match="Dockerfile을 쓴다"):
        answers.save({}, "Dockerfile", stub)


def test_unknown_answer_name():
    with pytest.raises(TodoError, match="모른다"):
        answers.save({}, "Makefile", "all:\n")


def test_missing_answer_message():
    with pytest.raises(answers.Missing, match="정하지 않았다"):
        answers.answer_text({}, "nginx.conf")


# ---- 제출 노트북에서 꺼내기 ---------------------------------------------------------

def test_extract_answer_and_writefile_cells(tmp_path):
    nb = _nb(tmp_path / "a.ipynb", "import labs", "%%answer Dockerfile\nFROM a\n",
             "%%writefile -a answers/deploy.sh\n#!/usr/bin/env bash\n", "%%answer Dockerfile\nFROM b\n")
    found = answers.extract(nb)
    assert found.problem is None
    assert found.answers == {"Dockerfile": "FROM b\n", "deploy.sh": "#!/usr/bin/env bash\n"}


def test_extract_student_stub_is_not_an_answer(tmp_path):
    nb = _nb(tmp_path / "s.ipynb", "%%answer nginx.conf\n# 여기에 답을 쓴다.\nlabs.todo('nginx')\n")
    found = answers.extract(nb)
    assert found.answers == {} and found.stubs == ["nginx.conf"] and found.problem is None


@pytest.mark.parametrize("content, words", [
    (b"", "비어 있다"),
    (b"{ not json", "올바른 JSON이 아니다"),
    (json.dumps({"cells": "x"}).encode(), "셀 목록"),
    (json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(), "하나도 찾지 못했다"),
])
def test_extract_malformed_notebooks(tmp_path, content, words):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    found = answers.extract(path)
    assert words in (found.problem or "")


def test_extract_missing_file(tmp_path):
    assert "읽지 못했다" in answers.extract(tmp_path / "none.ipynb").problem


# ---- 격리 실행 -------------------------------------------------------------------

def test_untrusted_script_gets_redirected_home_and_tmp(tmp_path):
    script = tmp_path / "s.sh"
    script.write_text('touch "$HOME/was-here" && mktemp >/dev/null && echo "$HOME"\n')
    env = common.sandbox_env(tmp_path / "home")
    done = common.run_untrusted(["bash", str(script)], cwd=tmp_path, timeout=10, env=env)
    assert done.ok and (tmp_path / "home" / "was-here").exists()
    assert list((tmp_path / "home" / "tmp").iterdir())  # mktemp은 TMPDIR(작업 폴더 안)에 만들었다
    assert done.output.strip() == str(tmp_path / "home")


def test_untrusted_script_is_killed_with_its_background_children(tmp_path):
    script = tmp_path / "loop.sh"
    script.write_text("sleep 300 &\nwhile true; do sleep 1; done\n")
    start = time.monotonic()
    done = common.run_untrusted(["bash", str(script)], cwd=tmp_path, timeout=2,
                                env=common.sandbox_env(tmp_path / "home"))
    assert done.timed_out and time.monotonic() - start < 10
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "300"]
                 and str(tmp_path) in (p.cwd() if p.is_running() else "")]
    assert leftovers == []


@pytest.mark.parametrize("text, bad", [
    ('rm -rf "$HOME"/.cache', True),
    ("rm -rf /var/lib/docker", True),
    ("rm -rf ../other-student", True),
    ("rm -f ~/.bashrc", True),
    ("docker system prune -f", True),
    ("docker rm -f $(docker ps -aq)", True),
    ('rm -f "$UPSTREAM_CONF.new" "$backup"', False),
    ('docker rm -f "$new_id"', False),
])
def test_dangerous_commands(text, bad):
    assert (deploy.dangerous(text) is not None) is bad


def test_strip_shell_comments_keeps_quoted_hash():
    text = "echo \"# not a comment\" # comment\n# full line\ndocker inspect -f '{{.Name}}' x"
    assert deploy.strip_comments(text).splitlines() == ['echo "# not a comment" ', "",
                                                        "docker inspect -f '{{.Name}}' x"]


# ---- 작은 분석기 -----------------------------------------------------------------

def test_dockerfile_parser_stages_args_and_continuations():
    text = ("ARG PYTHON_IMAGE=python:3.13-slim\nFROM ${PYTHON_IMAGE} AS builder\n# 주석\nRUN a \\\n  # 안쪽 주석\n  && b\n"
            "FROM builder AS final\nCMD [\"x\"]\n")
    ins = dockerfile.parse(text)
    assert [i.keyword for i in ins] == ["ARG", "FROM", "RUN", "FROM", "CMD"]
    assert ins[2].args.split() == ["a", "&&", "b"]
    st = dockerfile.stages(ins)
    assert st[0].base == "python:3.13-slim" and dockerfile.resolved_base(st, st[1]) == "python:3.13-slim"


def test_gunicorn_comment_lines():
    assert gunicorn.comment_lines("# a\nx = 1  # b\ny = '#'\n") == {1, 2}

"""마이그레이션 진입점: `python -m sample_app.migrate`, `alembic -c sample_app/alembic.ini`, `ALEMBIC_CONFIG`."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from app_processes import PROJECT_ROOT, python_command
from conftest import clean_env, sqlite_url


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_migrate_module_prints_korean_progress(tmp_path: Path) -> None:
    env = clean_env(database_url=sqlite_url(tmp_path))  # SECRET_KEY 없이도 돈다
    first = run(python_command("-m", "sample_app.migrate"), env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "[migrate] 현재 리비전: 없음" in first.stdout
    assert "[migrate] 완료: 없음 → 0001" in first.stdout
    assert {"notes", "alembic_version"} <= tables(tmp_path / "sample_app.db")

    again = run(python_command("-m", "sample_app.migrate"), env, tmp_path)
    assert "이미 최신이다" in again.stdout


def test_migrate_module_reports_unreachable_database(tmp_path: Path) -> None:
    env = clean_env(database_url="postgresql://app@127.0.0.1:1/none")
    done = run(python_command("-m", "sample_app.migrate"), env, tmp_path)
    assert done.returncode == 1
    assert "[migrate] 실패" in done.stderr
    assert "DATABASE_URL" in done.stderr


def alembic() -> str:
    """가상 환경의 alembic 명령(테스트를 돌리는 파이썬 옆)."""
    beside = Path(sys.executable).with_name("alembic")
    return str(beside) if beside.exists() else shutil.which("alembic")


def test_alembic_cli_from_project_root(tmp_path: Path) -> None:
    env = clean_env(database_url=sqlite_url(tmp_path))
    done = run([alembic(), "-c", "sample_app/alembic.ini", "upgrade", "head"], env, PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    assert "notes" in tables(tmp_path / "sample_app.db")


def test_alembic_config_env_in_container_layout(tmp_path: Path) -> None:
    """컨테이너 배치(/app/sample_app)를 흉내 내고, 다른 작업 폴더에서 `ALEMBIC_CONFIG`로 설정 파일을 가리킨다."""
    app_dir = tmp_path / "app"
    shutil.copytree(PROJECT_ROOT / "sample_app", app_dir / "sample_app",
                    ignore=shutil.ignore_patterns("node", "__pycache__", "*.db"))
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = clean_env(database_url="sqlite:///./other.db", alembic_config=str(app_dir / "sample_app" / "alembic.ini"))
    env.pop("PYTHONPATH")
    done = run([alembic(), "upgrade", "head"], env, workdir)
    assert done.returncode == 0, done.stderr
    assert "notes" in tables(workdir / "other.db")
    current = run([alembic(), "current"], env, workdir)
    assert "0001 (head)" in current.stdout

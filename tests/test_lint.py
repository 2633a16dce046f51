"""The code style gates of the project run with the tests, so CI enforces them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from extract.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def _run(*cmd: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)


def test_ruff_clean() -> None:
    check = _run(str(BIN / "ruff"), "check", "extract", "tests")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(str(BIN / "ruff"), "format", "--check", "extract", "tests")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_sqlfluff_clean(tmp_path: Path) -> None:
    # the dbt templater connects to the warehouse: give it a DuckDB file of its own
    env = {**os.environ, "ELT_TARGET": "duckdb", "ELT_DUCKDB_PATH": str(tmp_path / "lint.duckdb")}
    lint = _run(str(BIN / "sqlfluff"), "lint", "dbt_project", "--disable-progress-bar", env=env)
    assert lint.returncode == 0, lint.stdout[-6000:] + lint.stderr[-2000:]

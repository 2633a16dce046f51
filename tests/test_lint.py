"""The code style gates of the project run with the tests, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from extract.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_ruff_clean() -> None:
    check = _run(str(BIN / "ruff"), "check", "extract", "tests")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(str(BIN / "ruff"), "format", "--check", "extract", "tests")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_sqlfluff_clean() -> None:
    lint = _run(str(BIN / "sqlfluff"), "lint", "dbt_project", "--disable-progress-bar")
    assert lint.returncode == 0, lint.stdout[-6000:] + lint.stderr[-2000:]

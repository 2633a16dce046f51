"""Helpers of the operating tests: the `elt` command against a test's warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from extract.config import PROJECT_ROOT, Settings


def elt_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment that points `elt` (and the dbt it runs) at the test's warehouse and folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELT_", "HEALTH__", "DBT_"))}
    env.update(settings.dbt_env())
    env.update(
        {
            "ELT_SANDBOX_DIR": str(settings.sandbox_dir),
            "ELT_PIPELINES_DIR": str(settings.dlt_pipelines_dir),
            "DBT_TARGET_PATH": str(settings.dbt_target_path),
            "DBT_LOG_PATH": str(settings.dbt_target_path.parent / "logs"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def elt_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "extract.cli", *args]


def elt(settings: Settings, *args: str, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess:
    """Run `elt ARGS` in a subprocess; returns the finished process with its text output."""
    return subprocess.run(
        elt_argv(*args),
        env=elt_env(settings, **extra),
        cwd=cwd or PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

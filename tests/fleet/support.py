"""Constants and helpers of the fleet tests."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime

from extract.config import Settings

NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # midnight in São Paulo: 04/11 is over
FIRST, LAST = date(2026, 11, 2), date(2026, 11, 4)


def cli_env(settings: Settings, etrac_env: dict[str, str], **extra: str) -> dict[str, str]:
    """Environment for an `elt` subprocess against ``settings``' warehouse and the test server."""
    env = {**os.environ, **settings.dbt_env(), **etrac_env, **extra}
    env.update(
        ELT_PIPELINES_DIR=str(settings.dlt_pipelines_dir),
        ELT_SANDBOX_DIR=str(settings.sandbox_dir),
        DBT_TARGET_PATH=str(settings.dbt_target_path),
    )
    return env


def backfill_cmd(plates: list[str], *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "extract.cli",
        "fleet",
        "backfill",
        "--plates",
        ",".join(plates),
        "--date-start",
        FIRST.isoformat(),
        "--date-end",
        LAST.isoformat(),
        "--no-build",
        *extra,
    ]

"""A shared, empty local setup for the CLI subprocess tests: no sandbox, no source settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.settings import Settings


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a DuckDB warehouse in a temp folder with no sandbox: every source is unconfigured."""
    root: Path = tmp_path_factory.mktemp("cli")
    return Settings(
        target="duckdb",
        duckdb_path=root / "warehouse" / "logistics.duckdb",
        sandbox_dir=root / "sandbox",
        pipelines_dir=root / "pipelines",
        dbt_target_path=root / "target",
    )

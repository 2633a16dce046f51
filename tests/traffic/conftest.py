"""Fixtures of the traffic tests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from extract.settings import Settings


@pytest.fixture
def tsettings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """``settings``; on DuckDB with a fresh PostgreSQL database for the exit table (Salidas), if any."""
    if settings.target == "duckdb":
        try:
            return replace(settings, postgres=request.getfixturevalue("pg_database"))
        except pytest.skip.Exception:
            return settings  # no PostgreSQL: the sandbox records that Salidas was skipped
    return settings

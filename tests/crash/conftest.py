"""Fixtures of the crash tests: a second, clean warehouse beside the test's one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import psycopg2
import pytest

from extract.settings import Settings


@pytest.fixture
def clean_settings(settings: Settings) -> Iterator[Settings]:
    """A second warehouse for a clean run over the same sandbox (same sandbox folder and sources)."""
    root = settings.duckdb_path.parent.parent / "clean"
    clean = replace(
        settings,
        duckdb_path=root / "logistics.duckdb",
        pipelines_dir=root / "pipelines",
        dbt_target_path=root / "target",
    )
    if settings.target == "duckdb":
        yield clean
        return
    name = f"elt_clean_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(settings.postgres.with_database("postgres").dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield replace(clean, postgres=settings.postgres.with_database(name))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()

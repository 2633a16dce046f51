"""Shared fixtures: a warehouse per test on DuckDB (a temp file) and PostgreSQL (a fresh database).

PostgreSQL is the real server at PGHOST/PGPORT (default 127.0.0.1:5432, user postgres). Each test
that asks for it gets its own database, dropped afterwards. When the server is unreachable those
tests skip, and the skip says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from extract.settings import PostgresConn, Settings, activate
from tests.support import pg_unreachable_reason


@pytest.fixture(scope="session")
def pg_admin() -> PostgresConn:
    """The PostgreSQL server from the PG* variables; skips when it cannot be reached."""
    conn = PostgresConn.from_env()
    reason = pg_unreachable_reason(conn)
    if reason:
        pytest.skip(reason)
    return conn


@pytest.fixture
def pg_database(pg_admin: PostgresConn) -> Iterator[PostgresConn]:
    """A freshly created database, dropped after the test."""
    name = f"elt_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(pg_admin.dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield pg_admin.with_database(name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def _local_settings(tmp_path: Path, **kw) -> Settings:
    return Settings(
        duckdb_path=tmp_path / "warehouse" / "logistics.duckdb",
        sandbox_dir=tmp_path / "sandbox",
        pipelines_dir=tmp_path / "pipelines",
        dbt_target_path=tmp_path / "target",
        **kw,
    )


@pytest.fixture
def duckdb_settings(tmp_path: Path) -> Settings:
    """Settings for an embedded warehouse in a temp folder."""
    return _local_settings(tmp_path, target="duckdb")


@pytest.fixture
def postgres_settings(tmp_path: Path, pg_database: PostgresConn) -> Settings:
    """Settings for a fresh PostgreSQL database (sources and warehouse schemas live in it)."""
    return _local_settings(tmp_path, target="postgres", postgres=pg_database)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest) -> Settings:
    """The same test on both warehouses."""
    name = "duckdb_settings" if request.param == "duckdb" else "postgres_settings"
    return request.getfixturevalue(name)


@pytest.fixture(autouse=True)
def _no_source_settings_between_tests(tmp_path: Path) -> Iterator[None]:
    """A test's sandbox settings file must not leak into the next test: dlt's providers are global."""
    yield
    activate(Settings(sandbox_dir=tmp_path / "no-sandbox"))

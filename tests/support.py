"""Support of the tests: query either warehouse, compare numbers, run `elt` against a test's warehouse."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg2

from extract.settings import PROJECT_ROOT, PostgresConn, Settings


def pg_unreachable_reason(conn: PostgresConn) -> str | None:
    """None when the server answers; otherwise why the PostgreSQL tests must skip."""
    try:
        psycopg2.connect(conn.dsn()).close()
        return None
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return f"PostgreSQL is not reachable at {conn.host}:{conn.port} as {conn.user}: {first}"


def query(settings: Settings, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of ``sql`` run against the settings' warehouse."""
    if settings.target == "duckdb":
        con = duckdb.connect(str(settings.duckdb_path), read_only=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()
    conn = psycopg2.connect(settings.postgres.dsn())
    try:
        with conn.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            return cur.fetchall()
    finally:
        conn.close()


def execute(settings: Settings, sql: str) -> None:
    """Run one statement that changes the warehouse (a test provoking a state)."""
    if settings.target == "duckdb":
        con = duckdb.connect(str(settings.duckdb_path))
        try:
            con.execute(sql)
        finally:
            con.close()
        return
    conn = psycopg2.connect(settings.postgres.dsn())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def query_dicts(settings: Settings, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts keyed by column name."""
    if settings.target == "duckdb":
        con = duckdb.connect(str(settings.duckdb_path), read_only=True)
        try:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()
    conn = psycopg2.connect(settings.postgres.dsn())
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        conn.close()


def close(a: Any, b: Any, rel: float = 1e-9, abs_tol: float = 1e-6) -> bool:
    """Equal, with float tolerance; None equals only None."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float | Decimal) or isinstance(b, float | Decimal):
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_tol)
    return a == b


def iso6346_check_digit(code10: str) -> int:
    """ISO 6346 check digit of owner code + category + serial (first 10 characters), computed here
    independently of the dbt macro: letters 10..38 skipping multiples of 11, weights 2**position."""
    values = [n for n in range(10, 39) if n % 11]
    letters = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", values, strict=True))
    total = sum((letters[c] if c.isalpha() else int(c)) * 2**i for i, c in enumerate(code10[:10]))
    return total % 11 % 10


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

"""Helpers for tests: query either warehouse, compare numbers."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import duckdb
import psycopg2

from extract.config import PostgresConn, Settings


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

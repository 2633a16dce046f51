"""Small read access to the warehouse for the operating commands (health, history)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import psycopg2

from extract.config import Settings


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be reached (server down, file missing or locked by a writer)."""


@contextmanager
def connect(settings: Settings, timeout_s: int = 5) -> Iterator[Any]:
    """A DB-API connection to the warehouse, read-only on DuckDB (so a running load is not disturbed)."""
    try:
        if settings.target == "duckdb":
            if not settings.duckdb_path.exists():
                raise WarehouseUnavailable(f"no DuckDB file at {settings.duckdb_path}")
            conn = duckdb.connect(str(settings.duckdb_path), read_only=True)
        else:
            pg = settings.postgres
            conn = psycopg2.connect(
                host=pg.host,
                port=pg.port,
                user=pg.user,
                password=pg.password or None,
                dbname=pg.database,
                connect_timeout=timeout_s,
            )
            conn.autocommit = True
    except (duckdb.Error, psycopg2.Error) as exc:
        first = (str(exc).strip().splitlines() or [repr(exc)])[0]
        raise WarehouseUnavailable(f"{settings.warehouse_label}: {first}") from exc
    try:
        yield conn
    finally:
        conn.close()


def fetch(conn: Any, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of ``sql``; ``?`` placeholders on both engines."""
    if isinstance(conn, duckdb.DuckDBPyConnection):
        return conn.execute(sql, params).fetchall()
    with conn.cursor() as cur:
        cur.execute(sql.replace("?", "%s"), params)
        return cur.fetchall()


def table_exists(conn: Any, schema: str, table: str) -> bool:
    rows = fetch(
        conn,
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        (schema, table),
    )
    return bool(rows and rows[0][0])

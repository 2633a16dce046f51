"""Exit records from SQL Server ``DEPOFIS.DASSA.Salidas`` over pyodbc, incremental with a look-back.

The connection string is an ODBC one (env ``TRAFFIC_SALIDAS_ODBC`` or dlt secret
``sources.traffic.salidas_odbc``), e.g. ``Driver={ODBC Driver 18 for SQL Server};Server=...``; the
table name is configurable (``sources.traffic.salidas_table``) because another driver may see it
under another name (PostgreSQL's ODBC driver: ``"DASSA"."Salidas"``).

Each run reads ``fecha_egr >= (newest fecha_egr seen) - lookback_days`` (everything on the first
run), in ``fetchmany`` batches turned into Arrow, and merges on (contenedor, fecha_egr) with
``skip_unchanged_rows``: re-read exits keep their load id, so only new or changed exits carry the
new ``_dlt_load_id``. ``fecha_egr`` is the Argentina local clock (UTC-3) and lands as a timestamp
without time zone; ``validada`` (datetime or text in the source) lands as text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.extract.resource import DltResource

from extract.traffic.settings import DEFAULT_LOOKBACK_DAYS, DEFAULT_SALIDAS_TABLE

log = logging.getLogger(__name__)

_TABLE_NAME = re.compile(r'^(\[?"?[A-Za-z_][A-Za-z0-9_ ]*"?\]?)(\.\[?"?[A-Za-z_][A-Za-z0-9_ ]*"?\]?){0,2}$')
SCHEMA = pa.schema(
    [
        pa.field("contenedor", pa.string(), nullable=False),
        pa.field("fecha_egr", pa.timestamp("us"), nullable=False),
        pa.field("validada", pa.string()),
    ]
)
_DRIVER = re.compile(r"(?:^|;)\s*driver\s*=\s*(\{[^}]*\}|[^;]*)", re.IGNORECASE)


def odbc_driver_name(connection_string: str) -> str | None:
    """The ``Driver=`` of a DSN-less ODBC connection string (None for a DSN)."""
    found = _DRIVER.search(connection_string)
    return found.group(1).strip().strip("{}") if found else None


def skip_reason(connection_string: str | None) -> str | None:
    """Why exit records cannot be read here (no connection string, no pyodbc, driver not installed)."""
    if not connection_string:
        return "no ODBC connection string (set TRAFFIC_SALIDAS_ODBC or sources.traffic.salidas_odbc)"
    try:
        import pyodbc
    except ImportError as exc:  # pyodbc needs the unixODBC library
        return f"pyodbc cannot load ({exc}); install unixodbc"
    driver = odbc_driver_name(connection_string)
    if driver is not None and driver not in pyodbc.drivers():
        installed = ", ".join(pyodbc.drivers()) or "none"
        return f"ODBC driver {driver!r} is not installed (installed: {installed})"
    return None


def _text(values: list[Any]) -> pa.Array:
    """Text as the source shows it; a datetime ``validada`` becomes ``YYYY-MM-DD HH:MM:SS``."""
    if any(isinstance(v, datetime | date) for v in values):
        stamps = pa.array([v if isinstance(v, datetime | date) else None for v in values], pa.timestamp("us"))
        as_text = pc.strftime(stamps, format="%Y-%m-%d %H:%M:%S")
        others = pa.array([None if isinstance(v, datetime | date) or v is None else str(v) for v in values])
        return pc.coalesce(as_text, others.cast(pa.string()))
    return pa.array([None if v is None else str(v) for v in values], pa.string())


def read_salidas(
    connection_string: str,
    table: str,
    since: datetime | None,
    batch_size: int = 10_000,
) -> Iterator[pa.Table]:
    """Exits with ``fecha_egr >= since`` (all when None), ordered by ``fecha_egr``, as Arrow tables."""
    import pyodbc

    if not _TABLE_NAME.match(table):
        raise ValueError(f"salidas_table {table!r} is not a plain [db.]schema.table name")
    where = "contenedor IS NOT NULL AND fecha_egr IS NOT NULL" + (
        " AND fecha_egr >= ?" if since is not None else ""
    )
    sql = f"SELECT contenedor, fecha_egr, validada FROM {table} WHERE {where} ORDER BY fecha_egr"
    params = [since.replace(tzinfo=None)] if since is not None else []
    conn = pyodbc.connect(connection_string, autocommit=True, timeout=15)
    try:
        cur = conn.cursor()
        cur.execute(f"SELECT COUNT(*) FROM {table} WHERE contenedor IS NULL OR fecha_egr IS NULL")
        unkeyed = cur.fetchone()[0]
        if unkeyed:
            log.warning(
                "traffic: %s exit records in %s have no contenedor or fecha_egr and were not read",
                unkeyed,
                table,
            )
        cur.execute(sql, params)
        while rows := cur.fetchmany(batch_size):
            cont, egr, val = zip(*rows, strict=True)
            yield pa.Table.from_arrays(
                [
                    pa.array([str(c) for c in cont], pa.string()),
                    pa.array(egr, pa.timestamp("us")),
                    _text(list(val)),
                ],
                schema=SCHEMA,
            )
    finally:
        conn.close()


def salidas_resource(
    connection_string: str,
    table: str = DEFAULT_SALIDAS_TABLE,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    batch_size: int = 10_000,
) -> DltResource:
    """``raw_traffic.salidas``: merged on (contenedor, fecha_egr), incremental on fecha_egr with look-back."""

    cursor = dlt.sources.incremental[datetime]("fecha_egr", lag=timedelta(days=lookback_days).total_seconds())

    def salidas(fecha_egr: dlt.sources.incremental[datetime] = cursor) -> Iterator[pa.Table]:
        since, _ = fecha_egr.get_current_range()
        yield from read_salidas(connection_string, table, since, batch_size)

    return dlt.resource(
        salidas,
        name="salidas",
        primary_key=("contenedor", "fecha_egr"),
        write_disposition={"disposition": "merge", "strategy": "upsert", "skip_unchanged_rows": True},
        columns={
            "contenedor": {"data_type": "text", "nullable": False},
            "fecha_egr": {"data_type": "timestamp", "timezone": False, "nullable": False},
            "validada": {"data_type": "text"},
        },
    )()

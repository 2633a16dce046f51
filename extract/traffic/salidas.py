"""Exit records from SQL Server ``DEPOFIS.DASSA.Salidas`` over pyodbc, incremental with a look-back.

The connection string is an ODBC one (env ``TRAFFIC_SALIDAS_ODBC`` or dlt secret
``sources.traffic.salidas_odbc``), e.g. ``Driver={ODBC Driver 18 for SQL Server};Server=...`` or
``Driver={FreeTDS};Server=...;Port=1433;TDS_Version=7.4;...`` (README, "SQL Server exits"); the table
name is configurable (``sources.traffic.salidas_table``, ``[db.]schema.table``, parts optionally
bracket- or double-quoted).

The SQL we send lives here once (``SELECT_SALIDAS``, ``COUNT_UNKEYED``) and is portable T-SQL: a
bracket-quoted three-part name (``[DEPOFIS].[DASSA].[Salidas]``), ``?`` parameters, nothing
PostgreSQL-only. Only the quoting of the table name follows the server the driver reports: brackets
for SQL Server, ANSI double quotes for any other (the sandbox and the tests read a PostgreSQL stand-in
through the PostgreSQL ODBC driver, which knows no brackets). The fast tests parse the T-SQL form with
sqlglot (``read="tsql"``).

Each run reads ``fecha_egr >= (newest fecha_egr seen) - lookback_days`` (from ``FLOOR`` on the first
run), in ``fetchmany`` batches turned into Arrow, and merges on (contenedor, fecha_egr) with
``skip_unchanged_rows``: re-read exits keep their load id, so only new or changed exits carry the
new ``_dlt_load_id``; a window identical to the last run's (``unless_same_window``) lands nothing.
``fecha_egr`` is the Argentina local clock (UTC-3) and lands as a timestamp
without time zone; ``validada`` (datetime or text in the source) lands as text.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.extract.resource import DltResource

from extract.traffic.settings import DEFAULT_LOOKBACK_DAYS, DEFAULT_SALIDAS_TABLE

log = logging.getLogger(__name__)

# One part of a table name: plain, [bracketed] or "double-quoted" (no quote characters inside).
_NAME_PART = re.compile(r'^(?:\[(?P<b>[^\[\]"]+)\]|"(?P<q>[^\[\]"]+)"|(?P<p>[A-Za-z_][A-Za-z0-9_]*))$')
_PLAIN_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]*$")
# The SQL sent to the exits' server, portable T-SQL: ``{table}`` is the quoted [db.]schema.table.
SELECT_SALIDAS = (
    "SELECT contenedor, fecha_egr, validada FROM {table} "
    "WHERE contenedor IS NOT NULL AND fecha_egr IS NOT NULL AND fecha_egr >= ? "
    "ORDER BY fecha_egr"
)
COUNT_UNKEYED = "SELECT COUNT(*) FROM {table} WHERE contenedor IS NULL OR fecha_egr IS NULL"
FLOOR = datetime(1900, 1, 1)  # the first run reads from here (SQL Server's datetime starts in 1753)
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


class SalidasConnectionError(ConnectionError):
    """The exits' database cannot be reached through the given ODBC connection string (one line)."""


def table_parts(table: str) -> list[str]:
    """``[db.]schema.table`` split into its unquoted parts; quotes may be brackets or double quotes."""
    parts = [part.strip() for part in table.split(".")]
    found = [_NAME_PART.match(part) for part in parts]
    names = [m.group("b") or m.group("q") or m.group("p") for m in found if m]
    if not 1 <= len(parts) <= 3 or len(names) != len(parts) or not all(_PLAIN_PART.match(n) for n in names):
        raise ValueError(f"salidas_table {table!r} is not a plain [db.]schema.table name")
    return names


def quote_table(table: str, dialect: str = "tsql") -> str:
    """The table name quoted for ``dialect``: ``tsql`` brackets, ``ansi`` double quotes."""
    if dialect not in ("tsql", "ansi"):
        raise ValueError(f"unknown SQL dialect {dialect!r} (tsql or ansi)")
    left, right = ("[", "]") if dialect == "tsql" else ('"', '"')
    return ".".join(f"{left}{part}{right}" for part in table_parts(table))


def salidas_sql(table: str, dialect: str = "tsql") -> tuple[str, str]:
    """The two statements sent to the server (the read, the count of unkeyed rows) for ``dialect``."""
    quoted = quote_table(table, dialect)
    return SELECT_SALIDAS.format(table=quoted), COUNT_UNKEYED.format(table=quoted)


def server_dialect(dbms_name: str | None) -> str:
    """``tsql`` for the server name an ODBC driver reports for SQL Server, ``ansi`` for any other."""
    return "tsql" if "sql server" in (dbms_name or "").lower() else "ansi"


def connect(connection_string: str, timeout: int = 15) -> Any:
    """A pyodbc connection; a failure is a ``SalidasConnectionError`` naming the driver, in one line."""
    import pyodbc

    try:
        return pyodbc.connect(connection_string, autocommit=True, timeout=timeout)
    except pyodbc.Error as exc:
        driver = odbc_driver_name(connection_string) or "(DSN)"
        message = str(exc.args[-1]) if exc.args else type(exc).__name__
        detail = " ".join(message.split())  # one line: the driver's text may span several
        raise SalidasConnectionError(
            f"cannot connect to the exit records' database through ODBC driver {driver!r}: {detail}"
        ) from None


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
    """Exits with ``fecha_egr >= since`` (from ``FLOOR`` when None), ordered by ``fecha_egr``, as Arrow."""
    import pyodbc

    table_parts(table)  # a bad name fails before any connection
    conn = connect(connection_string)
    try:
        select, count_unkeyed = salidas_sql(table, server_dialect(conn.getinfo(pyodbc.SQL_DBMS_NAME)))
        cur = conn.cursor()
        cur.execute(count_unkeyed)
        unkeyed = cur.fetchone()[0]
        if unkeyed:
            log.warning(
                "traffic: %s exit records in %s have no contenedor or fecha_egr and were not read",
                unkeyed,
                table,
            )
        cur.execute(select, [(since or FLOOR).replace(tzinfo=None)])
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


WINDOW_KEY = "window_sha256"
MAX_BUFFERED_ROWS = 200_000


def unless_same_window(
    batches: Iterable[pa.Table], state: dict[str, Any], since: str, max_rows: int = MAX_BUFFERED_ROWS
) -> Iterator[pa.Table]:
    """The look-back window's batches, or nothing when they equal the last run's (same start, same rows:
    a SHA-256 kept in ``state``), so a run with no new or changed exit lands nothing. The window is held
    in memory to decide; beyond ``max_rows`` (a first run reads all history) it streams through."""
    digest = hashlib.sha256(since.encode())
    held: list[pa.Table] = []
    rows = 0
    streaming = state.get(WINDOW_KEY) is None
    for batch in batches:
        for row in batch.to_pylist():  # row by row: the same rows hash alike in any batching
            digest.update(repr(row).encode())
        if streaming:
            yield batch
            continue
        held.append(batch)
        rows += batch.num_rows
        if rows > max_rows:
            streaming = True
            yield from held
            held = []
    if not streaming and digest.hexdigest() == state.get(WINDOW_KEY):
        return
    yield from held
    state[WINDOW_KEY] = digest.hexdigest()


def salidas_resource(
    connection_string: str,
    table: str = DEFAULT_SALIDAS_TABLE,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    batch_size: int = 10_000,
) -> DltResource:
    """``raw_traffic.salidas``: merged on (contenedor, fecha_egr), incremental on fecha_egr with look-back.

    A bad table name or an unreachable server fails here, when the source is made, so the run
    reports it in one line (``SalidasConnectionError: cannot connect ...``) rather than as a failed
    extraction step.
    """
    table_parts(table)
    connect(connection_string).close()

    cursor = dlt.sources.incremental[datetime]("fecha_egr", lag=timedelta(days=lookback_days).total_seconds())

    def salidas(fecha_egr: dlt.sources.incremental[datetime] = cursor) -> Iterator[pa.Table]:
        since, _ = fecha_egr.get_current_range()
        batches = read_salidas(connection_string, table, since, batch_size)
        yield from unless_same_window(batches, dlt.current.resource_state(), str(since))

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

"""Safe incremental cursors for the database sources (automation, traffic's manual edits).

Two defects of a bare cursor are closed here, once for every source:

- **look-back**: each run re-reads the last ``lookback_s`` seconds before the cursor (dlt's ``lag``), so
  a row committed late with an older timestamp still lands; the upsert with ``skip_unchanged_rows``
  makes the re-read rows cost nothing in the warehouse;
- **future values**: a row whose cursor lies beyond now + ``tolerance_s`` (``9999-12-31``) is kept out
  of the read, so it cannot move the cursor past every later change; it lands instead in the raw table
  ``cursor_quarantine`` with its reason (replaced every run: it lists what is quarantined now, plus one
  line per table checked, with a null ``row_id``), and the run warns about it. Once its value is
  corrected at the source, it is read like any other change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.extract.resource import DltResource

log = logging.getLogger(__name__)

DEFAULT_LOOKBACK_S = 3600.0
DEFAULT_TOLERANCE_S = 86400.0
QUARANTINE_TABLE = "cursor_quarantine"
QUARANTINE_COLUMNS = {
    "source_table": {"data_type": "text", "nullable": False},
    "row_id": {"data_type": "text"},
    "cursor_column": {"data_type": "text", "nullable": False},
    "cursor_value": {"data_type": "text"},
    "reason": {"data_type": "text", "nullable": False},
    "seen_at": {"data_type": "timestamp", "nullable": False},
}


def incremental(cursor: str, lookback_s: float = DEFAULT_LOOKBACK_S) -> dlt.sources.incremental:
    """dlt's incremental on ``cursor`` with a look-back window; rows without a value are read."""
    return dlt.sources.incremental(cursor, lag=lookback_s or None, on_cursor_value_missing="include")


def ceiling(tolerance_s: float = DEFAULT_TOLERANCE_S, now: datetime | None = None) -> datetime:
    """The latest cursor value a run accepts: now + tolerance (UTC)."""
    return (now or datetime.now(UTC)) + timedelta(seconds=tolerance_s)


def _literal(engine: sa.Engine, moment: datetime) -> Any:
    """The ceiling as SQL text the engine compares with its timestamps (also through ConnectorX, which
    runs the query as text: no bound parameters)."""
    if engine.dialect.name == "sqlite":  # naive UTC text, as SQLAlchemy stores DATETIME there
        return sa.literal_column(f"'{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}'")
    return sa.literal_column(f"'{moment.astimezone(UTC).isoformat()}'").cast(sa.DateTime(timezone=True))


def below_ceiling(
    engine: sa.Engine,
    cursor: str,
    limit: datetime,
    then: Callable[[sa.Select, sa.Table], sa.Select] | None = None,
) -> Callable[[sa.Select, sa.Table], sa.Select]:
    """A ``query_adapter_callback`` that keeps rows with ``cursor`` beyond ``limit`` out of the read
    (after ``then``, another adapter, when given)."""

    def adapt(query: sa.Select, table: sa.Table) -> sa.Select:
        query = then(query, table) if then else query
        column = table.c[cursor]
        return query.where(sa.or_(column.is_(None), column <= _literal(engine, limit)))

    return adapt


def quarantine_resource(
    engine: sa.Engine, schema: str | None, cursors: dict[str, str], limit: datetime, source: str
) -> DltResource:
    """Raw ``cursor_quarantine``: the rows of ``cursors`` (table -> cursor column) beyond ``limit``."""

    def rows() -> Iterator[Any]:
        found: list[dict[str, Any]] = []
        now = datetime.now(UTC)
        with engine.connect() as conn:
            for name, cursor in cursors.items():
                table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=conn)
                key = table.c["id"] if "id" in table.c else sa.literal(None)
                column = table.c[cursor]
                query = sa.select(key, sa.cast(column, sa.String)).where(column > _literal(engine, limit))
                for row_id, value in conn.execute(query):
                    reason = (
                        f"{cursor} {value} is in the future (beyond now + the tolerance): kept out of the "
                        "incremental cursor until corrected at the source"
                    )
                    log.warning("%s: %s row %s quarantined: %s", source, name, row_id, reason)
                    found.append(
                        {
                            "source_table": name,
                            "row_id": None if row_id is None else str(row_id),
                            "cursor_column": cursor,
                            "cursor_value": value,
                            "reason": reason,
                            "seen_at": now,
                        }
                    )
            # one line per table checked, so the replaced table is never empty (an empty parquet file
            # fails the PostgreSQL load) and says which tables were checked against which ceiling
            found.append(
                {
                    "source_table": name,
                    "row_id": None,
                    "cursor_column": cursor,
                    "cursor_value": None,
                    "reason": f"checked: the rows with {cursor} beyond now + the tolerance are listed here",
                    "seen_at": now,
                }
            )
        yield found

    return dlt.resource(
        rows,
        name=QUARANTINE_TABLE,
        write_disposition="replace",
        columns=QUARANTINE_COLUMNS,
    )


def count_beyond(engine: sa.Engine, schema: str | None, table: str, cursor: str, limit: datetime) -> int:
    """How many rows of ``table`` have ``cursor`` beyond ``limit`` (what the quarantine holds now)."""
    with engine.connect() as conn:
        found = sa.Table(table, sa.MetaData(), schema=schema, autoload_with=conn)
        query = sa.select(sa.func.count()).where(found.c[cursor] > _literal(engine, limit))
        return int(conn.execute(query).scalar_one())

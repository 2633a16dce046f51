"""Values that do not fit their column, caught per value at landing (SQLite sources).

SQLite stores any value in any column, so one text value in a numeric column, or an impossible
timestamp (``2026-02-30``, ``0000-00-00``, ``ayer``) in a timestamp column, would fail the Arrow read of
the whole table (and with it the source's run). On SQLite the numeric and timestamp columns are read
through a ``CASE`` that keeps the values that fit (numbers; ISO text of a real date) and nulls, and lands
anything else as null; the values kept out are listed
with their row, column and reason in the raw table ``type_rejects`` (replaced every run, plus one check
line per table, with a null ``row_id``), and the run warns. PostgreSQL enforces its types itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.extract.resource import DltResource

log = logging.getLogger(__name__)

REJECTS_TABLE = "type_rejects"
COLUMNS = {
    "source_table": {"data_type": "text", "nullable": False},
    "row_id": {"data_type": "text"},
    "column_name": {"data_type": "text"},
    "value": {"data_type": "text"},
    "reason": {"data_type": "text", "nullable": False},
    "seen_at": {"data_type": "timestamp", "nullable": False},
}


def _numeric(column: sa.Column) -> bool:
    return isinstance(column.type, sa.Numeric | sa.Integer) and not isinstance(column.type, sa.Boolean)


def _not_a_number(column: sa.Column) -> sa.ColumnElement[bool]:
    return sa.func.typeof(column).notin_(["integer", "real", "null"])


def _not_a_timestamp(column: sa.Column) -> sa.ColumnElement[bool]:
    """SQLite keeps timestamps as ISO text; ``date(x, '+0 days')`` normalises an impossible day
    (``02-30`` becomes ``03-02``) and is null for no date at all, so only a real day reads back
    unchanged; year 0 does not exist in Python."""
    text = sa.cast(column, sa.String)
    fits = sa.and_(
        sa.func.typeof(column) == "text",
        sa.func.date(text, "+0 days") == sa.func.substr(text, 1, 10),
        sa.func.substr(text, 1, 4) != "0000",
    )
    return _not_fitting(column, fits)


def _not_fitting(column: sa.Column, fits: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Neither null nor ``fits``; a comparison with no value to compare (null) counts as not fitting."""
    return sa.not_(sa.or_(sa.func.typeof(column) == "null", sa.func.coalesce(fits, sa.false())))


def _out_of_range(column: sa.Column) -> sa.ColumnElement[bool] | None:
    """A number too large for the column's declared type: ``numeric(p, s)`` holds less than
    10^(p-s), ``integer`` 32 bits; a fraction in an integer column does not fit either."""
    kind = column.type
    if isinstance(kind, sa.Integer):
        bound = 2**63 if isinstance(kind, sa.BigInteger) else 2**31
        return sa.or_(sa.func.typeof(column) == "real", sa.func.abs(column) >= bound)
    if isinstance(kind, sa.Numeric) and kind.precision and not isinstance(kind, sa.Float):
        return sa.func.abs(column) >= 10 ** (kind.precision - (kind.scale or 0))
    return None


def _misfit(column: sa.Column) -> tuple[sa.ColumnElement[bool], str] | None:
    """The test of a value that does not fit ``column`` (SQLite), and what it is not; None: any fits."""
    if _numeric(column):
        too_large = _out_of_range(column)
        if too_large is None:
            return _not_a_number(column), "not a number"
        fits = sa.and_(sa.func.typeof(column).in_(["integer", "real"]), sa.not_(too_large))
        return _not_fitting(column, fits), f"not a number that fits {column.type}"
    if isinstance(column.type, sa.DateTime | sa.Date):
        return _not_a_timestamp(column), "not a timestamp"
    return None


def typed_only(engine: sa.Engine, then: Callable[[sa.Select, sa.Table], sa.Select] | None = None) -> Any:
    """A ``query_adapter_callback`` (after ``then``): on SQLite, the values that do not fit a numeric or
    timestamp column as null."""

    def adapt(query: sa.Select, table: sa.Table) -> sa.Select:
        query = then(query, table) if then else query
        if engine.dialect.name != "sqlite":
            return query
        columns = []
        for selected in query.selected_columns:
            source = table.c.get(selected.name)
            misfit = _misfit(source) if source is not None and selected is source else None
            if misfit is not None:
                columns.append(sa.case((misfit[0], sa.null()), else_=source).label(source.name))
            else:
                columns.append(selected)
        return query.with_only_columns(*columns)

    return adapt


def rejects_resource(engine: sa.Engine, schema: str | None, tables: list[str], source: str) -> DltResource:
    """Raw ``type_rejects``: every value that does not fit its numeric or timestamp column (SQLite)."""

    def rows() -> Iterator[Any]:
        found: list[dict[str, Any]] = []
        now = datetime.now(UTC)
        with engine.connect() as conn:
            for name in tables:
                table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=conn)
                key = table.c["id"] if "id" in table.c else sa.literal(None)
                for column in table.columns if engine.dialect.name == "sqlite" else []:
                    misfit = _misfit(column)
                    if misfit is None:
                        continue
                    query = sa.select(key, sa.cast(column, sa.String)).where(misfit[0])
                    for row_id, value in conn.execute(query):
                        reason = f"{column.name} holds {str(value)[:80]!r}, {misfit[1]}: landed as null"
                        log.warning("%s: %s row %s: %s", source, name, row_id, reason)
                        found.append(
                            {
                                "source_table": name,
                                "row_id": None if row_id is None else str(row_id),
                                "column_name": column.name,
                                "value": None if value is None else str(value),
                                "reason": reason,
                                "seen_at": now,
                            }
                        )
                found.append(  # one check line per table: the replaced table is never empty
                    {
                        "source_table": name,
                        "row_id": None,
                        "column_name": None,
                        "value": None,
                        "reason": "checked: the values that do not fit their column are listed here",
                        "seen_at": now,
                    }
                )
        yield found

    return dlt.resource(rows, name=REJECTS_TABLE, write_disposition="replace", columns=COLUMNS)

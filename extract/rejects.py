"""Values that do not fit their column, caught per value at landing (SQLite sources).

SQLite stores any value in any column, so one text value in a numeric column would fail the Arrow read
of the whole table (and with it the source's run). On SQLite the numeric columns are read through a
``CASE`` that keeps numbers and nulls and lands anything else as null; the values kept out are listed
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


def numbers_only(engine: sa.Engine, then: Callable[[sa.Select, sa.Table], sa.Select] | None = None) -> Any:
    """A ``query_adapter_callback`` (after ``then``): on SQLite, a numeric column's non-numbers as null."""

    def adapt(query: sa.Select, table: sa.Table) -> sa.Select:
        query = then(query, table) if then else query
        if engine.dialect.name != "sqlite":
            return query
        columns = []
        for selected in query.selected_columns:
            source = table.c.get(selected.name)
            if source is not None and _numeric(source) and selected is source:
                columns.append(sa.case((_not_a_number(source), sa.null()), else_=source).label(source.name))
            else:
                columns.append(selected)
        return query.with_only_columns(*columns)

    return adapt


def rejects_resource(engine: sa.Engine, schema: str | None, tables: list[str], source: str) -> DltResource:
    """Raw ``type_rejects``: every non-numeric value in a numeric column of ``tables`` (SQLite)."""

    def rows() -> Iterator[Any]:
        found: list[dict[str, Any]] = []
        now = datetime.now(UTC)
        with engine.connect() as conn:
            for name in tables:
                table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=conn)
                key = table.c["id"] if "id" in table.c else sa.literal(None)
                for column in (
                    [c for c in table.columns if _numeric(c)] if engine.dialect.name == "sqlite" else []
                ):
                    query = sa.select(key, sa.cast(column, sa.String)).where(_not_a_number(column))
                    for row_id, value in conn.execute(query):
                        reason = f"{column.name} holds {str(value)[:80]!r}, not a number: landed as null"
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

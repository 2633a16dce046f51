"""Type choices of the automation source: how app columns land; a whole table's change fingerprint."""

from __future__ import annotations

import logging
from collections.abc import Callable

import dlt
import sqlalchemy as sa

log = logging.getLogger(__name__)


def _is_nested(sql_type: sa.types.TypeEngine) -> bool:
    return isinstance(sql_type, sa.JSON | sa.ARRAY) or type(sql_type).__name__.upper() in {"JSON", "JSONB"}


def adapt_types(sql_type: sa.types.TypeEngine) -> sa.types.TypeEngine | None:
    """How app column types land.

    - a naive DATETIME (SQLite) is UTC, read as UTC-aware like timestamptz;
    - json/jsonb and arrays land as their text (no statistic reads them, and PostgreSQL's `json` has no
      equality, which dlt's change detection needs);
    - double precision as double.
    """
    if isinstance(sql_type, sa.DateTime) and not sql_type.timezone:
        return sa.DateTime(timezone=True)
    if _is_nested(sql_type):
        return sa.Text()
    if isinstance(sql_type, sa.Float):  # SQLAlchemy 2.1: no longer a Numeric, which dlt maps to double
        return sa.Numeric(asdecimal=False)
    return sql_type


def nested_as_text(query: sa.Select, table: sa.Table) -> sa.Select:
    """Select json/array columns cast to text, so the driver hands over strings, not parsed objects."""

    def select(c: sa.Column) -> sa.ColumnElement:
        return sa.cast(c, sa.Text).label(c.name) if _is_nested(c.type) else c

    return query.with_only_columns(*[select(c) for c in table.columns])


def columns_of(engine: sa.Engine, table: str, schema: str | None) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table, schema=schema)}


FINGERPRINTS = "fingerprints"


def table_fingerprint(engine: sa.Engine, table: str, schema: str | None) -> str | None:
    """A cheap change fingerprint of a whole app table, computed by PostgreSQL in one scan with
    nothing transferred: its row count and the sum of a 64-bit hash of each row's text (any insert,
    delete or change of any column changes it, barring a hash collision). None on other databases."""
    if engine.dialect.name != "postgresql":
        return None
    quote = engine.dialect.identifier_preparer.quote
    name = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
    sql = f"select count(*), coalesce(sum(hashtextextended(t::text, 0)), 0) from {name} as t"
    with engine.connect() as conn:
        count, total = conn.execute(sa.text(sql)).one()
    return f"{count}:{total}"


def unless_unchanged(
    engine: sa.Engine,
    schema: str | None,
    then: Callable[[sa.Select, sa.Table], sa.Select],
) -> Callable[[sa.Select, sa.Table], sa.Select]:
    """A ``query_adapter_callback`` (after ``then``) for a table read whole (no cursor column): when
    its fingerprint equals the one kept in the source's dlt state by the last extract, the read
    selects nothing; otherwise the new fingerprint is kept (taken before the read, so a change made
    during the read shows as a change next time). The state is saved with the load, and a full
    refresh drops it: the table is then read whole again."""

    def adapt(query: sa.Select, table: sa.Table) -> sa.Select:
        query = then(query, table)
        fingerprint = table_fingerprint(engine, table.name, schema)
        if fingerprint is None:
            return query
        kept = dlt.current.source_state().setdefault(FINGERPRINTS, {})
        if kept.get(table.name) == fingerprint:
            log.info("%s: unchanged since the last read (fingerprint %s): not read", table.name, fingerprint)
            return query.where(sa.false())
        kept[table.name] = fingerprint
        return query

    return adapt

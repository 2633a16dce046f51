"""Type and reader choices of the automation source: how app columns land, which Arrow reader."""

from __future__ import annotations

import sqlalchemy as sa

from extract.settings import plain_postgres_url


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
    columns = [sa.cast(c, sa.Text).label(c.name) if _is_nested(c.type) else c for c in table.columns]
    return query.with_only_columns(*columns)


def arrow_backend(url: str, chunk_size: int) -> dict:
    """The fastest Arrow reader for the database: ConnectorX streams PostgreSQL straight into Arrow
    batches (about 3x the SQLAlchemy pyarrow backend here); other databases use the pyarrow backend."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg2://")):
        return {
            "backend": "connectorx",
            "backend_kwargs": {
                "conn": plain_postgres_url(url),
                "return_type": "arrow_stream",
                "batch_size": chunk_size,
            },
        }
    return {"backend": "pyarrow"}


def columns_of(engine: sa.Engine, table: str, schema: str | None) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table, schema=schema)}

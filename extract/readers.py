"""The one way a source database table is read into Arrow (automation's app tables, traffic's
operational tables and manual edits): dlt's ``sql_table`` with the fastest reader for the database.

PostgreSQL is read by ConnectorX as a stream of Arrow batches (``return_type="arrow_stream"``): the
query dlt builds, after the source's ``query_adapter_callback``, is compiled to SQL text with its
values inline and run by ConnectorX, several times faster than fetching rows through SQLAlchemy
(dlt's pyarrow backend). Other databases (SQLite in the sandbox and the tests) use the pyarrow backend.
ConnectorX cannot convert a ``numeric`` NaN or infinity (it would fail the whole table): they are
read as null (``readable``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from dlt.extract.resource import DltResource
from dlt.sources.sql_database import sql_table

NON_FINITE = ("NaN", "Infinity", "-Infinity")


def arrow_backend(engine: sa.Engine, chunk_size: int) -> dict[str, Any]:
    """``sql_table`` keyword arguments choosing the Arrow reader for ``engine``'s database."""
    if engine.dialect.name == "postgresql":
        return {
            "backend": "connectorx",
            "backend_kwargs": {
                # a plain postgresql:// URL (no SQLAlchemy driver suffix), as ConnectorX takes it
                "conn": engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                "return_type": "arrow_stream",
                "batch_size": chunk_size,
            },
        }
    return {"backend": "pyarrow"}


def _finite(column: sa.Column) -> sa.ColumnElement:
    return sa.case((sa.cast(column, sa.Text).in_(NON_FINITE), sa.null()), else_=column).label(column.name)


def readable(
    engine: sa.Engine, then: Callable[[sa.Select, sa.Table], sa.Select] | None = None
) -> Callable[[sa.Select, sa.Table], sa.Select]:
    """A ``query_adapter_callback`` (after ``then``): on PostgreSQL, every ``numeric`` column selected as
    it is in the table reads its NaN and infinities as null (double precision keeps them: Arrow has NaN
    and inf)."""

    def adapt(query: sa.Select, table: sa.Table) -> sa.Select:
        query = then(query, table) if then else query
        if engine.dialect.name != "postgresql":
            return query
        columns = []
        for selected in query.selected_columns:
            source = table.c.get(selected.name)
            kind = source.type if source is not None else None
            if selected is source and isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
                columns.append(_finite(source))
            else:
                columns.append(selected)
        return query.with_only_columns(*columns)

    return adapt


def _as_declared(columns: dict[str, Any]) -> Callable[[pa.Table], pa.Table]:
    """A map over ConnectorX batches: ConnectorX types every field nullable and every ``numeric`` as
    ``decimal(38, 10)``; each batch gets the reflected ``not null`` and ``numeric(p, s)`` instead, so its
    Arrow schema agrees with the columns dlt declares (dlt warns on every run otherwise). The values are
    unchanged: the database enforces both."""

    def declared(batch: pa.Table) -> pa.Table:
        fields = []
        for i, field in enumerate(batch.schema):
            column = columns.get(field.name) or {}
            if column.get("nullable") is False and batch.column(i).null_count == 0:
                field = field.with_nullable(False)
            precision, scale = column.get("precision"), column.get("scale") or 0
            if pa.types.is_decimal(field.type) and precision and precision <= 38:
                field = field.with_type(pa.decimal128(precision, scale))
            fields.append(field)
        schema = pa.schema(fields, metadata=batch.schema.metadata)
        return batch if schema.equals(batch.schema) else batch.cast(schema)

    return declared


def arrow_table(
    engine: sa.Engine, table: str, schema: str | None, chunk_size: int, **hints: Any
) -> DltResource:
    """``sql_table`` of ``table`` read in Arrow batches of ``chunk_size`` rows (``hints``: the other
    ``sql_table`` arguments; a ``query_adapter_callback`` among them runs before ``readable``). A
    ConnectorX stream can end with an empty batch, which is dropped: an empty parquet file fails dlt's
    load into PostgreSQL, and an empty table yields nothing, as with the pyarrow backend."""
    adapter = hints.pop("query_adapter_callback", None)
    resource = sql_table(
        credentials=engine,
        table=table,
        schema=schema,
        chunk_size=chunk_size,
        query_adapter_callback=readable(engine, adapter),
        **arrow_backend(engine, chunk_size),
        **hints,
    )
    resource.add_filter(lambda batch: batch.num_rows > 0)
    if engine.dialect.name == "postgresql" and isinstance(resource.columns, dict):
        resource.add_map(_as_declared(resource.columns))
    return resource

"""Helpers of the traffic source: the operational tables as snapshots, the manual edits, column names.

- Operational tables (``arribos``, ``pendiente_desconsolidar``, ``remisiones``, ``arribos_expo_ctns``):
  snapshots of current work, read whole in Arrow batches (``extract.readers``: ConnectorX on
  PostgreSQL) and landed with write disposition ``replace``, so a row gone from the source is gone
  from raw and dbt sees the deletion. Each row gets ``_source_row``: its 1-based position in source
  order, by ``id`` or, for a table without ``id`` (production ``arribos_expo_ctns``), by physical
  position (PostgreSQL ``ctid``, SQLite ``rowid``); such a table lands a null ``id`` column so the raw
  shape is constant.
- ``traficov2_manual_edits``: merged on ``id``, incremental on ``edited_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from dlt.extract.resource import DltResource

from extract.cursors import below_ceiling, incremental
from extract.readers import arrow_table
from extract.rejects import typed_only
from extract.traffic.settings import EDITS_CURSOR, EDITS_TABLE


def raw_name(name: str) -> str:
    """A legacy column name dlt snake-cases as the raw contract says: "Oper." -> "Oper" (``oper``).

    dlt turns a trailing "." into "_" and then appends "x" (``operx``); so the trailing punctuation goes.
    """
    return name.rstrip(" ._-") or name


def utc_datetimes(sql_type: sa.types.TypeEngine) -> sa.types.TypeEngine:
    """A naive DATETIME (SQLite) holds UTC: read it as timezone-aware, like PostgreSQL's timestamptz."""
    if isinstance(sql_type, sa.DateTime) and not sql_type.timezone:
        return sa.DateTime(timezone=True)
    return sql_type


def _physical_order(engine: sa.Engine) -> sa.ColumnElement[Any]:
    if engine.dialect.name == "postgresql":
        return sa.literal_column("ctid")
    if engine.dialect.name == "sqlite":
        return sa.literal_column("rowid")
    raise ValueError(
        f"a table without id on {engine.dialect.name} has no known physical order; give it an id column"
    )


def _with_source_row(has_id: bool, text_columns: list[str]) -> Any:
    """A map over Arrow batches that numbers rows 1.. in read order (the query orders them).

    It also types the relabelled columns as text (an all-null batch would otherwise be untyped) and
    adds a null ``id`` to a table without one, so the raw table always has the contract's columns.
    """
    seen = 0

    def add(batch: pa.Table | pa.RecordBatch) -> pa.Table:
        nonlocal seen
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        n = table.num_rows
        for name in text_columns:
            i = table.schema.get_field_index(name)
            if i >= 0 and table.schema.field(i).type != pa.string():
                table = table.set_column(i, name, table.column(i).cast(pa.string()))
        table = table.append_column("_source_row", pa.array(range(seen + 1, seen + n + 1), pa.int64()))
        if not has_id:
            table = table.append_column("id", pa.nulls(n, pa.int64()))
        seen += n
        return table

    return add


def snapshot_resource(engine: sa.Engine, table: str, schema: str | None, chunk_size: int) -> DltResource:
    """One operational table, whole, in source order, with ``_source_row``; replaces its raw table."""
    reflected = sa.inspect(engine).get_columns(table, schema=schema)
    has_id = any(c["name"] == "id" for c in reflected)
    # columns like "Oper." are read under a clean label (see `raw_name`), as text
    relabel = {c["name"]: raw_name(c["name"]) for c in reflected if raw_name(c["name"]) != c["name"]}

    def in_source_order(query: sa.Select, tbl: sa.Table) -> sa.Select:
        for name, label in relabel.items():
            query = query.add_columns(sa.column(name, sa.Text).label(label))
        return query.order_by(tbl.c.id if has_id else _physical_order(engine))

    resource = arrow_table(
        engine,
        table,
        schema,
        chunk_size,
        reflection_level="full_with_precision",
        type_adapter_callback=utc_datetimes,
        query_adapter_callback=typed_only(engine, in_source_order),
        excluded_columns=list(relabel) or None,
        write_disposition="replace",
    )
    resource.add_map(_with_source_row(has_id, list(relabel.values())))
    return resource


def edits_resource(
    engine: sa.Engine, schema: str | None, chunk_size: int, limit: datetime, lookback_s: float
) -> DltResource:
    """Dispatchers' manual edits: merged on id, incremental on ``edited_at`` with a look-back window;
    an edit dated beyond ``limit`` is kept out of the cursor (``extract.cursors``)."""
    resource = arrow_table(
        engine,
        EDITS_TABLE,
        schema,
        chunk_size,
        reflection_level="full_with_precision",
        type_adapter_callback=utc_datetimes,
        query_adapter_callback=below_ceiling(engine, EDITS_CURSOR, limit),
        incremental=incremental(EDITS_CURSOR, lookback_s),
    )
    resource.apply_hints(
        primary_key="id",
        write_disposition={"disposition": "merge", "strategy": "upsert", "skip_unchanged_rows": True},
    )
    return resource

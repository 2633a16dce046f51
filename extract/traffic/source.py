"""The traffic dlt source: what lands in ``raw_traffic`` and how (see the raw contract in the README).

- Operational tables (``arribos``, ``pendiente_desconsolidar``, ``remisiones``, ``arribos_expo_ctns``):
  snapshots of current work, read whole with ``sql_table`` (pyarrow backend) and landed with
  write disposition ``replace``, so a row gone from the source is gone from raw and dbt sees the
  deletion. Each row gets ``_source_row``: its 1-based position in source order, by ``id`` or, for
  a table without ``id`` (production ``arribos_expo_ctns``), by physical position (PostgreSQL
  ``ctid``, SQLite ``rowid``); such a table lands a null ``id`` column so the raw shape is constant.
- ``traficov2_manual_edits``: merged on ``id``, incremental on ``edited_at``.
- The weekly CSV exports: every column as text, verbatim, plus ``_file_name`` and ``_row_number``.
- ``salidas`` (SQL Server exit records) over pyodbc: see ``extract.traffic.salidas``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import dlt
import pyarrow as pa
import sqlalchemy as sa
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource
from dlt.sources.sql_database import sql_table

from extract import sandbox
from extract.config import Settings
from extract.pipeline import LandResult, land
from extract.sources import RunOptions
from extract.traffic.csv_exports import CSV_EXPORTS, csv_resource
from extract.traffic.naming import raw_name
from extract.traffic.salidas import (
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_SALIDAS_TABLE,
    salidas_resource,
    skip_reason,
)

log = logging.getLogger(__name__)

SNAPSHOT_TABLES = ("arribos", "pendiente_desconsolidar", "remisiones", "arribos_expo_ctns")
EDITS_TABLE = "traficov2_manual_edits"
SALIDAS = "salidas"
RESOURCES = (*SNAPSHOT_TABLES, EDITS_TABLE, *CSV_EXPORTS, SALIDAS)
SALIDAS_ENV = "TRAFFIC_SALIDAS_ODBC"


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

    resource = sql_table(
        credentials=engine,
        table=table,
        schema=schema,
        backend="pyarrow",
        chunk_size=chunk_size,
        reflection_level="full_with_precision",
        type_adapter_callback=utc_datetimes,
        query_adapter_callback=in_source_order,
        excluded_columns=list(relabel) or None,
        write_disposition="replace",
    )
    resource.add_map(_with_source_row(has_id, list(relabel.values())))
    return resource


def edits_resource(engine: sa.Engine, schema: str | None, chunk_size: int) -> DltResource:
    """Dispatchers' manual edits: merged on id, incremental on ``edited_at``."""
    resource = sql_table(
        credentials=engine,
        table=EDITS_TABLE,
        schema=schema,
        backend="pyarrow",
        chunk_size=chunk_size,
        reflection_level="full_with_precision",
        type_adapter_callback=utc_datetimes,
        incremental=dlt.sources.incremental("edited_at", on_cursor_value_missing="include"),
    )
    resource.apply_hints(
        primary_key="id",
        write_disposition={"disposition": "merge", "strategy": "upsert", "skip_unchanged_rows": True},
    )
    return resource


@dlt.source(name="traffic", max_table_nesting=0)
def traffic_source(
    credentials: ConnectionStringCredentials | str = dlt.secrets.value,
    schema: str | None = None,
    csv_folder: str | None = None,
    csv_encoding: str = "utf-8",
    csv_delimiter: str = ",",
    salidas_odbc: TSecretStrValue | None = None,
    salidas_table: str = DEFAULT_SALIDAS_TABLE,
    salidas_lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    salidas_batch_size: int = 10_000,
    chunk_size: int = 50_000,
    tables: list[str] | None = None,
) -> Iterator[DltResource]:
    """The traffic resources named in ``tables`` (all when None); see the module docstring."""
    wanted = list(RESOURCES if tables is None else tables)
    unknown = [t for t in wanted if t not in RESOURCES]
    if unknown:
        raise ValueError(f"unknown traffic table {', '.join(unknown)}; known: {', '.join(RESOURCES)}")
    db_tables = [t for t in wanted if t in (*SNAPSHOT_TABLES, EDITS_TABLE)]
    if db_tables:
        url = credentials if isinstance(credentials, str) else credentials.to_native_representation()
        engine = sa.create_engine(url)
        try:
            for table in db_tables:
                if table == EDITS_TABLE:
                    yield edits_resource(engine, schema, chunk_size)
                else:
                    yield snapshot_resource(engine, table, schema, chunk_size)
        finally:
            engine.dispose()
    csvs = [t for t in wanted if t in CSV_EXPORTS]
    if csvs and not csv_folder:
        log.warning("traffic: weekly CSV exports SKIPPED: sources.traffic.csv_folder is not set")
    elif csvs:
        for name in csvs:
            yield csv_resource(csv_folder, name, encoding=csv_encoding, delimiter=csv_delimiter)
    if SALIDAS in wanted:
        reason = skip_reason(salidas_odbc)
        if reason:
            log.warning("traffic: exit records (raw_traffic.salidas) SKIPPED: %s", reason)
        else:
            yield salidas_resource(
                salidas_odbc,
                salidas_table,
                lookback_days=salidas_lookback_days,
                batch_size=salidas_batch_size,
            )


def source_kwargs(settings: Settings, opts: RunOptions) -> dict[str, Any]:
    """Arguments of ``traffic_source`` for a run: the sandbox's, or dlt config plus the ODBC env var."""
    kwargs: dict[str, Any] = {}
    if opts.sandbox:
        found = sandbox.entry(settings, "traffic")
        kwargs = {
            "credentials": found["credentials"],
            "schema": found["schema"],
            "csv_folder": found["csv_folder"],
            "salidas_odbc": found.get("salidas_odbc") or "",
        }
        if found.get("salidas_table"):
            kwargs["salidas_table"] = found["salidas_table"]
    elif os.environ.get(SALIDAS_ENV):
        kwargs["salidas_odbc"] = os.environ[SALIDAS_ENV]
    tables = list(RESOURCES)
    if opts.tables:
        # `--table` names tables of every selected source: keep ours, and say so when none is ours
        tables = [t for t in opts.tables if t in RESOURCES]
        if not tables:
            raise ValueError(f"no traffic table in {', '.join(opts.tables)}; known: {', '.join(RESOURCES)}")
    if opts.sandbox and not found.get("salidas_odbc") and SALIDAS in tables:
        reason = found.get("salidas_skipped")
        log.warning("traffic: exit records (raw_traffic.salidas) SKIPPED: the sandbox has none: %s", reason)
        tables.remove(SALIDAS)
    kwargs["tables"] = tables
    return kwargs


def land_source(settings: Settings, opts: RunOptions) -> LandResult:
    """Land the traffic sources into ``raw_traffic``; ``opts.sandbox`` reads the local sandbox."""
    data = traffic_source(**source_kwargs(settings, opts))
    return land(settings, "traffic", data, dry_run=opts.dry_run, full_refresh=opts.full_refresh)

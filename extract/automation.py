"""Dispatch automation (domain §4): the app database's six tables into ``raw_automation``.

dlt's ``sql_database`` reads Arrow batches (pyarrow backend). Tables with ``updated_at`` load
incrementally on it; every table merges on ``id`` with the ``upsert`` strategy and
``skip_unchanged_rows``, so a row that did not change keeps its ``_dlt_load_id`` and dbt recomputes
only the days whose rows really changed. A table without the cursor column (``escalation_logs`` in
production) is read whole each run and, thanks to ``skip_unchanged_rows``, still lands only its changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import dlt
import sqlalchemy as sa
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.extract.resource import DltResource
from dlt.sources.sql_database import sql_table

from extract import sandbox
from extract.config import Settings
from extract.pipeline import LandResult, land
from extract.sources import RunOptions

log = logging.getLogger(__name__)

TABLES = (
    "assignment_logs",
    "route_optimizations",
    "traffic_incidents",
    "order_batches",
    "escalation_logs",
    "dispatch_alerts",
)


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


def sqlalchemy_url(url: str) -> str:
    """A plain ``postgresql://`` URL uses psycopg2, the driver this project installs."""
    return "postgresql+psycopg2://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url


def arrow_backend(url: str, chunk_size: int) -> dict:
    """The fastest Arrow reader for the database: ConnectorX streams PostgreSQL straight into Arrow
    batches (about 3x the SQLAlchemy pyarrow backend here); other databases use the pyarrow backend."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg2://")):
        plain = "postgresql://" + url.split("://", 1)[1]
        return {
            "backend": "connectorx",
            "backend_kwargs": {"conn": plain, "return_type": "arrow_stream", "batch_size": chunk_size},
        }
    return {"backend": "pyarrow"}


def _columns(engine: sa.Engine, table: str, schema: str | None) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table, schema=schema)}


@dlt.source(name="automation", max_table_nesting=0)
def automation_source(
    credentials: ConnectionStringCredentials | str = dlt.secrets.value,
    schema: str | None = dlt.config.value,
    tables: list[str] | None = None,
    cursor_column: str = "updated_at",
    chunk_size: int = 50_000,
) -> Iterator[DltResource]:
    """One resource per app table, incremental on ``cursor_column`` where the table has it."""
    url = credentials if isinstance(credentials, str) else credentials.to_native_representation()
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        for table in tables or TABLES:
            resource = sql_table(
                credentials=engine,
                table=table,
                schema=schema,
                chunk_size=chunk_size,
                reflection_level="full_with_precision",
                type_adapter_callback=adapt_types,
                query_adapter_callback=nested_as_text,
                **arrow_backend(url, chunk_size),
            )
            incremental = None
            if cursor_column in _columns(engine, table, schema):
                incremental = dlt.sources.incremental(cursor_column, on_cursor_value_missing="include")
            else:
                log.info("%s has no %s column: read whole, only changed rows land", table, cursor_column)
            # a stream can end with an empty batch; an empty parquet file fails dlt's ADBC load
            resource.add_filter(lambda batch: batch.num_rows > 0)
            resource.apply_hints(
                primary_key="id",
                write_disposition={"disposition": "merge", "strategy": "upsert", "skip_unchanged_rows": True},
                incremental=incremental,
            )
            yield resource
    finally:
        engine.dispose()


def land_source(settings: Settings, opts: RunOptions) -> LandResult:
    """Land the app tables; with ``opts.sandbox`` read the local sandbox instead of configured credentials."""
    kwargs: dict = {}
    if opts.sandbox:
        found = sandbox.entry(settings, "automation")
        kwargs = {"credentials": found["credentials"], "schema": found["schema"]}
    if opts.tables:
        kwargs["tables"] = [t for t in opts.tables if t in TABLES] or None
    return land(
        settings,
        "automation",
        automation_source(**kwargs),
        dry_run=opts.dry_run,
        full_refresh=opts.full_refresh,
    )


def source_row_counts(settings: Settings, *, sandbox: bool = False) -> dict[str, int]:
    """Rows per app table at the source (for `elt health`); the sandbox's or the configured database."""
    from extract.sandbox import entry

    if sandbox:
        found = entry(settings, "automation")
        url, schema = found["credentials"], found["schema"]
    else:
        url = dlt.secrets["sources.automation.credentials"]
        schema = dlt.config.get("sources.automation.schema")
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            count = sa.select(sa.func.count())
            return {
                t: int(conn.execute(count.select_from(sa.table(t, schema=schema))).scalar()) for t in TABLES
            }
    finally:
        engine.dispose()

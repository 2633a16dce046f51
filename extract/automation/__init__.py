"""Dispatch automation (domain §4): the app database's six tables into ``raw_automation``.

dlt's ``sql_database`` reads Arrow batches. Tables with ``updated_at`` load incrementally on it;
every table merges on ``id`` with the ``upsert`` strategy and ``skip_unchanged_rows``, so a row that did
not change keeps its ``_dlt_load_id`` and dbt recomputes only the days whose rows really changed. A
table without the cursor column (``escalation_logs`` in production) is read whole, thanks to
``skip_unchanged_rows`` still landing only its changes, and on PostgreSQL only when its fingerprint
(row count and summed row hashes, computed by the server) changed since the last run
(``helpers.unless_unchanged``).

Settings (dlt): ``sources.automation.credentials`` (secret URL), ``sources.automation.schema``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import dlt
import sqlalchemy as sa
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.extract.resource import DltResource

from extract.automation.helpers import (
    adapt_types,
    columns_of,
    nested_as_text,
    unless_unchanged,
)
from extract.automation.settings import CHUNK_SIZE, CURSOR_COLUMN, REQUIRED_COLUMNS, TABLES
from extract.cursors import (
    DEFAULT_LOOKBACK_S,
    DEFAULT_TOLERANCE_S,
    below_ceiling,
    ceiling,
    quarantine_resource,
)
from extract.cursors import incremental as safe_incremental
from extract.pipeline import LandResult, RunOptions, land, require_columns
from extract.readers import arrow_table
from extract.rejects import rejects_resource, typed_only
from extract.settings import Settings, sqlalchemy_url

log = logging.getLogger(__name__)

__all__ = ["TABLES", "automation_source", "land_source", "source_row_counts"]


@dlt.source(name="automation", max_table_nesting=0)
def automation_source(
    credentials: ConnectionStringCredentials | str = dlt.secrets.value,
    schema: str | None = dlt.config.value,
    tables: list[str] | None = None,
    cursor_column: str = CURSOR_COLUMN,
    chunk_size: int = CHUNK_SIZE,
    cursor_lookback_seconds: float = DEFAULT_LOOKBACK_S,
    cursor_future_tolerance_seconds: float = DEFAULT_TOLERANCE_S,
) -> Iterator[DltResource]:
    """One resource per app table, incremental on ``cursor_column`` where the table has it (with a
    look-back window; rows dated beyond now + tolerance go to ``cursor_quarantine``, see
    ``extract.cursors``)."""
    url = sqlalchemy_url(credentials)
    engine = sa.create_engine(url)
    limit = ceiling(cursor_future_tolerance_seconds)
    cursors: dict[str, str] = {}

    as_read = typed_only(engine, nested_as_text)

    try:
        for table in tables or TABLES:
            has_cursor = cursor_column in columns_of(engine, table, schema or None)
            resource = arrow_table(
                engine,
                table,
                schema or None,
                chunk_size,
                reflection_level="full_with_precision",
                type_adapter_callback=adapt_types,
                query_adapter_callback=(
                    below_ceiling(engine, cursor_column, limit, as_read)
                    if has_cursor
                    else unless_unchanged(engine, schema or None, as_read)
                ),
            )
            incremental = None
            if has_cursor:
                cursors[table] = cursor_column
                incremental = safe_incremental(cursor_column, cursor_lookback_seconds)
            else:
                log.info(
                    "%s has no %s column: read whole when its fingerprint changed, only changed rows land",
                    table,
                    cursor_column,
                )
            if table in REQUIRED_COLUMNS:
                resource.add_map(require_columns("automation", table, REQUIRED_COLUMNS[table]))
            resource.apply_hints(
                primary_key="id",
                write_disposition={"disposition": "merge", "strategy": "upsert", "skip_unchanged_rows": True},
                incremental=incremental,
            )
            yield resource
        if cursors:
            yield quarantine_resource(engine, schema or None, cursors, limit, "automation")
        yield rejects_resource(engine, schema or None, list(tables or TABLES), "automation")
    finally:
        engine.dispose()


def land_source(settings: Settings, opts: RunOptions) -> LandResult:
    """Land the app tables named in ``opts.tables`` (all when none is ours)."""
    tables = [t for t in opts.tables if t in TABLES] or None
    return land(
        settings,
        "automation",
        automation_source(tables=tables),
        dry_run=opts.dry_run,
        full_refresh=opts.full_refresh,
    )


def source_row_counts(settings: Settings) -> dict[str, int]:
    """Rows per app table at the configured source (for `elt health`)."""
    url = sqlalchemy_url(dlt.secrets["sources.automation.credentials"])
    schema = dlt.config.get("sources.automation.schema") or None
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            count = sa.select(sa.func.count())
            return {
                t: int(conn.execute(count.select_from(sa.table(t, schema=schema))).scalar()) for t in TABLES
            }
    finally:
        engine.dispose()

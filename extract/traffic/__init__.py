"""Port traffic, DASSA (domain §1): operational tables, weekly exports and exits into ``raw_traffic``.

Settings (dlt, section ``sources.traffic``): ``credentials`` (secret URL of the operational
database), ``schema``, ``csv_folder`` (weekly exports; unset = skipped with a warning),
``csv_encoding``, ``csv_delimiter``, ``salidas_odbc`` (secret ODBC string of SQL Server, legacy env
``TRAFFIC_SALIDAS_ODBC``; unset = exits skipped with a warning), ``salidas_table``,
``salidas_lookback_days``. ``elt back-propagate`` lives in ``backpropagate.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import dlt
import sqlalchemy as sa
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource

from extract.cursors import (
    DEFAULT_LOOKBACK_S,
    DEFAULT_TOLERANCE_S,
    ceiling,
    count_beyond,
    quarantine_resource,
)
from extract.pipeline import LandResult, RunOptions, land, make_pipeline, require_columns
from extract.rejects import rejects_resource
from extract.settings import Settings, sqlalchemy_url
from extract.traffic.csv_exports import csv_resource
from extract.traffic.fingerprints import Fingerprints, state_resource, table_fingerprint
from extract.traffic.helpers import edits_resource, snapshot_resource
from extract.traffic.salidas import salidas_resource, skip_reason
from extract.traffic.settings import (
    CHUNK_SIZE,
    CSV_EXPORTS,
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_SALIDAS_TABLE,
    EDITS_CURSOR,
    EDITS_TABLE,
    REQUIRED_COLUMNS,
    RESOURCES,
    SALIDAS,
    SNAPSHOT_TABLES,
)

log = logging.getLogger(__name__)

__all__ = ["RESOURCES", "land_source", "traffic_source"]


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
    chunk_size: int = CHUNK_SIZE,
    tables: list[str] | None = None,
    cursor_lookback_seconds: float = DEFAULT_LOOKBACK_S,
    cursor_future_tolerance_seconds: float = DEFAULT_TOLERANCE_S,
    skip_unchanged: bool = True,
) -> Iterator[DltResource]:
    """The traffic resources named in ``tables`` (all when None); see ``helpers`` for each kind.

    With ``skip_unchanged`` (not on a full refresh), a table or export whose fingerprint equals the last
    landed run's (``fingerprints``) is left out: not read, and its raw table not truncated.
    """
    wanted = list(RESOURCES if tables is None else tables)
    unknown = [t for t in wanted if t not in RESOURCES]
    if unknown:
        raise ValueError(f"unknown traffic table {', '.join(unknown)}; known: {', '.join(RESOURCES)}")
    seen = Fingerprints(enabled=skip_unchanged)
    db_tables = [t for t in wanted if t in (*SNAPSHOT_TABLES, EDITS_TABLE)]
    if db_tables:
        engine = sa.create_engine(sqlalchemy_url(credentials))
        schema = schema or None
        try:
            snapshots = []
            for table in db_tables:
                if table == EDITS_TABLE:
                    limit = ceiling(cursor_future_tolerance_seconds)
                    # the edits' content, and how many wait beyond the ceiling (which moves with time)
                    if not seen.table_changed(
                        table,
                        lambda limit=limit: (
                            f"{table_fingerprint(engine, EDITS_TABLE, schema)}|"
                            f"{count_beyond(engine, schema, EDITS_TABLE, EDITS_CURSOR, limit)}"
                        ),
                    ):
                        continue
                    yield edits_resource(engine, schema, chunk_size, limit, cursor_lookback_seconds)
                    yield quarantine_resource(engine, schema, {table: EDITS_CURSOR}, limit, "traffic")
                elif seen.table_changed(table, lambda table=table: table_fingerprint(engine, table, schema)):
                    resource = snapshot_resource(engine, table, schema, chunk_size)
                    yield resource.add_map(require_columns("traffic", table, REQUIRED_COLUMNS[table]))
                    snapshots.append(table)
            if snapshots:  # the rejects of every table, from the tables' current rows
                every = [t for t in db_tables if t in SNAPSHOT_TABLES]
                yield rejects_resource(engine, schema, every, "traffic")
        finally:
            engine.dispose()
    csvs = [t for t in wanted if t in CSV_EXPORTS]
    if csvs and not csv_folder:
        log.warning("traffic: weekly CSV exports SKIPPED: sources.traffic.csv_folder is not set")
    elif csvs:
        for name in csvs:
            if not seen.file_changed(name, Path(csv_folder) / CSV_EXPORTS[name]):
                continue
            resource = csv_resource(csv_folder, name, encoding=csv_encoding, delimiter=csv_delimiter)
            if name in REQUIRED_COLUMNS:
                resource.add_map(require_columns("traffic", CSV_EXPORTS[name], REQUIRED_COLUMNS[name]))
            yield resource
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
    if seen.skipped:
        log.info("traffic: unchanged since the last run, not read: %s", ", ".join(seen.skipped))
    if seen.new:
        yield state_resource(seen)


def tables_for(opts: RunOptions) -> list[str] | None:
    """The traffic tables a run asks for: ours among ``--table`` (None = all)."""
    if not opts.tables:
        return None
    tables = [t for t in opts.tables if t in RESOURCES]
    if not tables:
        raise ValueError(f"no traffic table in {', '.join(opts.tables)}; known: {', '.join(RESOURCES)}")
    return tables


def land_source(settings: Settings, opts: RunOptions) -> LandResult:
    """Land the traffic sources into ``raw_traffic``: only the tables and exports that changed since the
    last landed run (all of them on a full refresh)."""
    make_pipeline(settings, "traffic", progress=False)  # active: the source reads its fingerprints
    data = traffic_source(tables=tables_for(opts), skip_unchanged=not opts.full_refresh)
    return land(settings, "traffic", data, dry_run=opts.dry_run, full_refresh=opts.full_refresh)

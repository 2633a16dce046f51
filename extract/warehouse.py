"""The one way the operating commands reach the warehouse: a DB-API connection and two helpers.

DuckDB is opened read-only unless asked otherwise, so a reader never blocks a running load; PostgreSQL
through psycopg2 with the settings' ``PG*`` connection; Spark (``ELT_TARGET=spark``) through the
process's Spark session, the one dbt-spark's ``session`` method uses (``spark_session``). dlt and dbt
reach the warehouse through their own clients (``extract.pipeline``, ``extract.dbt``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import psycopg2

from extract.settings import Settings


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be reached (server down, file missing or locked by a writer)."""


@contextmanager
def connect(settings: Settings, *, read_only: bool = True, timeout_s: int = 10) -> Iterator[Any]:
    """A DB-API connection to the warehouse (autocommit on PostgreSQL), closed after the block."""
    if settings.target == "spark":
        yield spark_session(settings)
        return
    try:
        if settings.target == "duckdb":
            if read_only and not settings.duckdb_path.exists():
                raise WarehouseUnavailable(f"no DuckDB file at {settings.duckdb_path}")
            settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            conn = duckdb.connect(str(settings.duckdb_path), read_only=read_only)
        else:
            pg = settings.postgres
            conn = psycopg2.connect(
                host=pg.host,
                port=pg.port,
                user=pg.user,
                password=pg.password or None,
                dbname=pg.database,
                connect_timeout=timeout_s,
                application_name="logistics-elt",
            )
            conn.autocommit = True
    except (duckdb.Error, psycopg2.Error) as exc:
        first = (str(exc).strip().splitlines() or [repr(exc)])[0]
        raise WarehouseUnavailable(f"{settings.warehouse_label}: {first}") from exc
    try:
        yield conn
    finally:
        conn.close()


def spark_session(settings: Settings) -> Any:
    """The Spark session of this process: the one dbt-spark (``method: session``) started, or a new one
    with the same settings as the ``spark`` target of profiles.yml (master, UTC, catalog under
    ``ELT_SPARK_DIR``), so a reader sees the tables dbt built."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    folder = settings.spark_dir
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in {
        "spark.master": settings.spark_master,
        "spark.app.name": "logistics-elt",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": f"{folder}/spark-warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={folder}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder}",
        # the same sizes as the profile's spark target: this session is the one dbt-spark then reuses
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.executor.memory": settings.spark_executor_memory,
        "spark.sql.shuffle.partitions": str(settings.spark_shuffle_partitions),
        "spark.ui.enabled": "false",
        "spark.sql.timeType.enabled": "true",
    }.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    _quiet(session)
    return session


# Spark's log lines that are no failure: a whole-stage method over 64 KB (the traffic date parsing)
# falls back to interpreted code after logging its generated Java at ERROR; every dbt-spark connection
# asks for the session again and is told it exists
_QUIET_LOGGERS = (
    "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator",
    "org.apache.spark.sql.execution.WholeStageCodegenExec",
    "org.apache.spark.sql.SparkSession",
    "org.apache.spark.sql.classic.SparkSession",
)


def _quiet(session: Any) -> None:
    jvm = session.sparkContext._jvm
    off = jvm.org.apache.logging.log4j.Level.OFF
    for name in _QUIET_LOGGERS:
        jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(name, off)


def fetch(conn: Any, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of ``sql``; ``?`` placeholders on every engine."""
    if isinstance(conn, duckdb.DuckDBPyConnection):
        return conn.execute(sql, params).fetchall()
    if hasattr(conn, "sparkContext"):
        return [tuple(row) for row in conn.sql(sql, args=list(params) if params else None).collect()]
    with conn.cursor() as cur:
        cur.execute(sql.replace("?", "%s"), params)
        return cur.fetchall() if cur.description else []


def table_exists(conn: Any, schema: str, table: str) -> bool:
    if hasattr(conn, "sparkContext"):  # Spark: the catalog (lake tables appear after a first build)
        return bool(conn.catalog.tableExists(f"{schema}.{table}"))
    rows = fetch(
        conn,
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        (schema, table),
    )
    return bool(rows and rows[0][0])


def query(settings: Settings, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one read-only query (a missing relation raises the engine's error)."""
    with connect(settings) as conn:
        return fetch(conn, sql, params)


def lake_tables(settings: Settings) -> list[str]:
    """The raw tables in the lake, ``raw_<source>/<table>`` (and ``ops/...``): one folder per table as
    dlt's filesystem destination writes them, dlt's staging datasets and bookkeeping left out except
    ``_dlt_loads``. dbt-spark declares them as external tables before each build (dbt var
    ``lake_tables``, macro ``lake_external_tables``). Read with dlt's own filesystem settings."""
    from dlt.common.configuration import resolve_configuration
    from dlt.common.storages import FilesystemConfiguration, fsspec_from_config

    config = resolve_configuration(
        FilesystemConfiguration(settings.lake_url), sections=("destination", "filesystem")
    )
    fs, root = fsspec_from_config(config)
    if not fs.exists(root):
        return []
    found = []
    for dataset in sorted(fs.ls(root, detail=False)):
        name = dataset.rstrip("/").rsplit("/", 1)[-1]
        if not (name.startswith("raw_") or name == "ops") or name.endswith("_staging"):
            continue
        for table in sorted(fs.ls(dataset, detail=False)):
            table_name = table.rstrip("/").rsplit("/", 1)[-1]
            if fs.isdir(table) and (table_name == "_dlt_loads" or not table_name.startswith("_dlt")):
                found.append(f"{name}/{table_name}")
    return found


def raw_tables(conn: Any, settings: Settings, dataset: str) -> list[str]:
    """The tables dlt landed in ``dataset`` (``raw_<source>``), dlt's own tables left out: from the
    catalog of DuckDB or PostgreSQL, from the lake's folders on Spark."""
    if settings.target == "spark":
        prefix = f"{dataset}/"
        return [t[len(prefix) :] for t in lake_tables(settings) if t.startswith(prefix) and "/_dlt" not in t]
    rows = fetch(conn, "select table_name from information_schema.tables where table_schema = ?", (dataset,))
    return sorted(r[0] for r in rows if not r[0].startswith("_dlt"))


def raw_relation(settings: Settings, dataset: str, table: str) -> str:
    """SQL naming a landed table: ``"dataset"."table"``, or on Spark its lake folder read as parquet
    (fresh file listing on every query, no catalog needed before the first build)."""
    if settings.target == "spark":
        return f"parquet.`{settings.lake_url.rstrip('/')}/{dataset}/{table}`"
    return f"{quote(dataset)}.{quote(table)}"


def quote(name: str) -> str:
    """An identifier quoted for DuckDB and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'

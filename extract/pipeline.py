"""The one pipeline factory, and landing a source with it.

Every dlt pipeline of the project is made here: name ``logistics_<dataset key>``, dataset
``raw_<source>`` (or ``ops``), pipelines folder per warehouse (``Settings.dlt_pipelines_dir``), so
dlt's own CLI finds them with ``--pipelines-dir``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
import pyarrow.parquet as pq
from dlt.common.destination.client import WithStagingDataset

from extract.progress import collector as progress_collector
from extract.settings import Settings
from extract.warehouse import WarehouseUnavailable, connect, fetch, quote, table_exists

log = logging.getLogger(__name__)

# Tests only: `ELT_TEST_KILL_AT=<phase>` makes a run SIGKILL itself at a named point, so the crash
# tests hit every phase deterministically (read, extract, normalize, load, dbt).
KILL_ENV = "ELT_TEST_KILL_AT"
KILL_PHASES = ("read", "extract", "normalize", "load", "dbt")

# Arrow batches as parquet, uncompressed: the fast path into both warehouses
# (PostgreSQL reads parquet through adbc-driver-postgresql).
LOADER_FILE_FORMAT = "parquet"


@dataclass(frozen=True)
class RunOptions:
    """What the user asked of a run; every source honours the same flags."""

    full_refresh: bool = False
    dry_run: bool = False
    verbose: bool = False
    tables: tuple[str, ...] = ()


def kill_point(phase: str) -> None:
    """SIGKILL this process when ``ELT_TEST_KILL_AT`` names ``phase`` (tests only; a no-op otherwise)."""
    if os.environ.get(KILL_ENV) == phase:
        print(f"{KILL_ENV}: killing the run at {phase}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


def _kill_during_load(pipeline: dlt.Pipeline) -> None:
    """Tests only: SIGKILL the run as soon as the load has completed its first job (a package then
    has written part of itself to the warehouse: the state the crash tests must recover from)."""
    if os.environ.get(KILL_ENV) != "load":
        return
    folder = Path(pipeline.working_dir) / "load" / "normalized"

    def watch() -> None:
        while True:
            if any(p.is_file() for p in folder.glob("*/completed_jobs/*")):
                kill_point("load")
            time.sleep(0.002)

    threading.Thread(target=watch, daemon=True, name="elt-test-kill").start()


def pipeline_name(source_name: str) -> str:
    return f"logistics_{source_name}"


def destination(settings: Settings) -> Any:
    """The dlt destination of the configured warehouse."""
    if settings.target == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(str(settings.duckdb_path))
    if settings.target == "spark":
        return lake_destination(settings)
    return dlt.destinations.postgres(settings.postgres.url())


def lake_destination(settings: Settings) -> Any:
    """ELT_TARGET=spark: dlt's ``filesystem`` destination writes each raw table as parquet files in its
    own folder, ``<ELT_LAKE_URL>/raw_<source>/<table>/``, which dbt-spark reads as external tables
    (macro ``lake_external_tables``; ``extract.warehouse.lake_tables`` lists the folders). Plain parquet
    cannot be merged into, so dlt appends where the other warehouses merge, and staging keeps the
    latest version of each key (macro ``latest_version``). Credentials of a remote lake (``s3://``,
    ``abfss://``) come from dlt's settings, ``destination.filesystem.credentials``."""
    if "://" not in settings.lake_url:
        Path(settings.lake_url).mkdir(parents=True, exist_ok=True)
    return dlt.destinations.filesystem(bucket_url=settings.lake_url)


def make_pipeline(
    settings: Settings,
    source_name: str,
    *,
    dataset_name: str | None = None,
    pipelines_dir: Path | None = None,
    progress: bool | None = None,
) -> dlt.Pipeline:
    """The pipeline of ``source_name``; it lands into ``raw_<source_name>`` unless told otherwise."""
    if progress is False:
        collector = None
    else:
        collector = progress_collector(logging.getLogger().isEnabledFor(logging.INFO))
    return dlt.pipeline(
        pipeline_name=pipeline_name(source_name),
        destination=destination(settings),
        dataset_name=dataset_name or f"raw_{source_name}",
        pipelines_dir=str(pipelines_dir or settings.dlt_pipelines_dir),
        progress=collector,
    )


class SchemaContractError(ValueError):
    """A source lost (or never had) a column the marts depend on."""


def require_columns(source: str, table: str, required: tuple[str, ...]) -> Any:
    """A map for a resource of Arrow tables: the first batch must carry ``required`` (raw names, as dlt
    normalises them), else the source's run fails naming the column, before anything is loaded: the raw
    table keeps its last good rows instead of nulls in the lost column."""
    from dlt.common.normalizers.naming.snake_case import NamingConvention

    naming = NamingConvention()
    checked = False

    def check(item: Any) -> Any:
        nonlocal checked
        if not checked and getattr(item, "num_rows", 0) and hasattr(item.schema, "names"):
            present = {naming.normalize_identifier(name) for name in item.schema.names}
            missing = [c for c in required if c not in present]
            if missing:
                raise SchemaContractError(
                    f"{source}: {table} has no column {', '.join(missing)} any more, which the marts depend "
                    f"on; nothing of {source} was loaded, the warehouse keeps its last good data"
                )
            checked = True
        return item

    return check


def _contract_error(exc: BaseException) -> SchemaContractError | None:
    """The schema contract violation behind a dlt step failure, if that is what it is."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SchemaContractError):
            return current
        seen.add(id(current))
        current = getattr(current, "exception", None) or current.__cause__ or current.__context__
    return None


class PendingLoadError(RuntimeError):
    """A load package left by an earlier run cannot complete; the message says why and how to clear it."""


@dataclass
class LandResult:
    """What one source landed: rows per raw table and the load ids, and what an earlier, interrupted
    run had left pending and this run completed first."""

    source: str
    rows: dict[str, int] = field(default_factory=dict)
    load_ids: list[str] = field(default_factory=list)
    dry_run: bool = False
    pending_rows: dict[str, int] = field(default_factory=dict)
    pending_load_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what failed although rows landed (exit 1)
    drift: list[str] = field(default_factory=list)  # columns the source added or retyped this run

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        verb = "would read" if self.dry_run else "read"
        if not self.rows:
            text = f"{self.source}: {verb} 0 rows (nothing new at the source)"
        else:
            tables = ", ".join(f"{t}={n}" for t, n in sorted(self.rows.items()))
            text = f"{self.source}: {verb} {self.total_rows} rows ({tables})"
        if self.drift:
            text += f"; schema drift: {', '.join(self.drift)}"
        if self.pending_load_ids:
            tables = ", ".join(f"{t}={n}" for t, n in sorted(self.pending_rows.items())) or "no rows"
            text += (
                f"; first completed {len(self.pending_load_ids)} load package(s) an interrupted run "
                f"left pending ({tables})"
            )
        return text


def _user_rows(row_counts: dict[str, int]) -> dict[str, int]:
    return {t: n for t, n in row_counts.items() if not t.startswith("_dlt")}


def _columns(pipeline: dlt.Pipeline) -> dict[str, set[str]]:
    """The user tables and columns of the pipeline's schema (empty before its first run)."""
    try:
        schema = pipeline.default_schema
    except Exception:  # no schema yet
        return {}
    return {
        name: {c for c in table.get("columns", {}) if not c.startswith("_dlt")}
        for name, table in schema.tables.items()
        if not name.startswith("_dlt")
    }


_NUMERIC = {"bigint", "double", "decimal", "wei"}


def _numeric_columns(pipeline: dlt.Pipeline) -> dict[str, dict[str, str]]:
    """Per user table, the columns the warehouse holds as numbers, with their dlt type."""
    try:
        tables = pipeline.default_schema.tables
    except Exception:  # no schema yet
        return {}
    return {
        name: {
            c: col["data_type"]
            for c, col in table.get("columns", {}).items()
            if col.get("data_type") in _NUMERIC
        }
        for name, table in tables.items()
        if not name.startswith("_dlt")
    }


def _retyped_to_text(pipeline: dlt.Pipeline, numeric: dict[str, dict[str, str]]) -> list[str]:
    """Numeric columns that the packages just extracted carry as text (Arrow sources: dlt keeps the
    stored type and the load would fail on the warehouse, leaving the package half loaded)."""
    found = []
    for load_id in pipeline.list_extracted_load_packages():
        package = Path(pipeline.working_dir) / "normalize" / "extracted" / load_id / "new_jobs"
        for job in sorted(package.glob("*.parquet")):
            table = job.name.split(".", 1)[0]
            for arrow_field in pq.read_schema(job):
                old = numeric.get(table, {}).get(arrow_field.name)
                if old and str(arrow_field.type) in ("string", "large_string"):
                    found.append(f"{table}.{arrow_field.name} ({old} -> text)")
    return sorted(set(found))


def _refuse_retyped(source_name: str, pipeline: dlt.Pipeline, numeric: dict[str, dict[str, str]]) -> None:
    """Fail the source naming the numeric columns that arrive as text, before anything is normalized or
    loaded: the extracted package is dropped (cursors stay where they were), the warehouse keeps its last
    good rows, and the next run says the same until the source is fixed or the table reloaded."""
    retyped = _retyped_to_text(pipeline, numeric)
    if not retyped:
        return
    pipeline.drop_pending_packages()
    raise SchemaContractError(
        f"{source_name}: column type changed at the source: {', '.join(retyped)}; nothing of "
        f"{source_name} was loaded, the warehouse keeps its last good data; fix the source, or take the new "
        f"type with `elt run --only {source_name} --full-refresh`"
    )


def _drift(before: dict[str, set[str]], after: dict[str, set[str]]) -> list[str]:
    """Columns that appeared in tables that existed before: new ones, and dlt's variant columns
    (``<column>__v_<type>``), which mean a column changed type at the source."""
    out = []
    for table, columns in sorted(after.items()):
        if table not in before:
            continue
        for column in sorted(columns - before[table]):
            if "__v_" in column:
                base, kind = column.split("__v_", 1)
                out.append(f"{table}.{base} retyped (values of type {kind} land in {column})")
            else:
                out.append(f"{table}.{column} added")
    return out


def _package_dir(pipeline: dlt.Pipeline, load_id: str) -> Path:
    return Path(pipeline.working_dir) / "load" / "normalized" / load_id


def _restart_package(package: Path) -> None:
    """Make a package that may already have written part of itself load again from its start.

    dlt resumes such a package job by job: a job that committed in the warehouse but was not yet marked
    done runs twice, which for a merge copies its rows into the staging table twice (the upsert then
    inserts both copies), and dlt skips truncating the staging and replace tables on a resumed package.
    So every job of a merge or replace table goes back to ``new_jobs``, follow-up (merge SQL) jobs are
    dropped to be made again, and the schema update is marked pending, so dlt truncates the staging and
    replace tables first: loading the whole package again is idempotent (upsert by key, replace).
    """
    applied = package / "applied_schema_updates.json"
    if not applied.is_file():
        return  # nothing of it reached the warehouse: dlt loads it as it is
    tables = json.loads((package / "schema.json").read_text()).get("tables", {})
    new_jobs = package / "new_jobs"
    for state in ("new_jobs", "started_jobs", "completed_jobs"):
        for job in sorted((package / state).glob("*")):
            if not job.is_file():
                continue
            if job.suffix == ".sql":
                job.unlink()
                continue
            disposition = tables.get(job.name.split(".", 1)[0], {}).get("write_disposition")
            if state == "started_jobs" or disposition in ("merge", "replace"):
                job.rename(new_jobs / job.name)
    transitions = package / ".pending_transitions"
    for leftover in transitions.glob("*"):
        leftover.unlink()
    (package / "schema_updates.json").write_text(applied.read_text())
    applied.unlink()


def _package_rows(package: Path) -> dict[str, int]:
    """Rows per user table in a package's jobs still to load (parquet footers, no data read)."""
    rows: dict[str, int] = {}
    for job in package.glob("new_jobs/*.parquet"):
        table = job.name.split(".", 1)[0]
        if table.startswith("_dlt"):
            continue
        try:
            rows[table] = rows.get(table, 0) + pq.read_metadata(job).num_rows
        except (OSError, ValueError) as exc:  # the load will say what is wrong with it
            log.warning("cannot count the rows of %s: %s", job.name, exc)
    return rows


def _clear_command(settings: Settings, pipeline: dlt.Pipeline) -> str:
    return (
        f"dlt pipeline --pipelines-dir {settings.dlt_pipelines_dir} {pipeline.pipeline_name} abort-packages"
    )


def drop_raw_dependents(settings: Settings, schema: str) -> list[str]:
    """PostgreSQL: drop (CASCADE) the views built on the tables of ``schema``, in one transaction, so dlt
    can drop those tables for a full refresh; dbt builds the views again. DuckDB tracks no such
    dependencies. Returns the views dropped."""
    if settings.target != "postgres":
        return []

    sql = """
        select distinct quote_ident(vn.nspname) || '.' || quote_ident(v.relname), v.relkind
        from pg_depend d
        join pg_rewrite r on r.oid = d.objid
        join pg_class v on v.oid = r.ev_class
        join pg_namespace vn on vn.oid = v.relnamespace
        join pg_class t on t.oid = d.refobjid
        join pg_namespace tn on tn.oid = t.relnamespace
        where tn.nspname = ? and t.relkind in ('r', 'p') and v.oid <> t.oid
    """
    with connect(settings, read_only=False) as conn:
        views = fetch(conn, sql, (schema,))
        if views:
            kinds = {"m": "materialized view"}
            statements = [f"drop {kinds.get(kind, 'view')} if exists {name} cascade" for name, kind in views]
            fetch(conn, "; ".join(statements))  # one statement list: one transaction
    return [name for name, _ in views]


def _has_drops(pipeline: dlt.Pipeline, load_ids: list[str]) -> bool:
    for load_id in load_ids:
        state = _package_dir(pipeline, load_id) / "load_package_state.json"
        if state.is_file() and json.loads(state.read_text()).get("dropped_tables"):
            return True
    return False


def _load(settings: Settings, pipeline: dlt.Pipeline, load_ids: list[str]) -> None:
    if _has_drops(pipeline, load_ids):
        dropped = drop_raw_dependents(settings, pipeline.dataset_name)
        if dropped:
            log.warning(
                "full refresh: dropped views on %s for dbt to rebuild: %s", pipeline.dataset_name, dropped
            )
    _kill_during_load(pipeline)
    info = pipeline.load()
    info.raise_on_failed_jobs()


def complete_pending(settings: Settings, pipeline: dlt.Pipeline) -> tuple[dict[str, int], list[str]]:
    """Load what an interrupted run left extracted or normalized, before anything new is extracted.

    A package that had started loading is loaded again from its start (``_restart_package``), so a kill
    at any moment of a load never duplicates rows. A package that cannot complete raises
    ``PendingLoadError`` with its cause and the command that clears it.
    """
    if not pipeline.has_pending_data:
        return {}, []
    try:
        if pipeline.list_extracted_load_packages():
            pipeline.normalize()
        load_ids = list(pipeline.list_normalized_load_packages())
        rows: dict[str, int] = {}
        for load_id in load_ids:
            package = _package_dir(pipeline, load_id)
            _restart_package(package)
            for table, n in _package_rows(package).items():
                rows[table] = rows.get(table, 0) + n
        log.warning(
            "%s: completing %d load package(s) left pending by an earlier run",
            pipeline.pipeline_name,
            len(load_ids),
        )
        _load(settings, pipeline, load_ids)
    except Exception as exc:
        from extract.errors import explain

        raise PendingLoadError(  # our message is the one to show: the fix first, then the cause
            f"a load package left pending by an earlier run cannot complete; clear it with "
            f"`{_clear_command(settings, pipeline)}` (it puts the cursors back to before that package) and "
            f"run again; cause: {explain(exc)[:160]}"
        ) from None
    return rows, load_ids


def _kill_on_read(data: Any) -> Any:
    """Tests only: with ``ELT_TEST_KILL_AT=read``, SIGKILL after the source handed over its first item."""
    if os.environ.get(KILL_ENV) != "read":
        return data

    def first_item(item: Any) -> Any:
        kill_point("read")
        return item

    for resource in getattr(data, "selected_resources", {}).values():
        resource.add_map(first_item)
    return data


def _replace_into_empty(settings: Settings, source_name: str, data: Any, full_refresh: bool) -> None:
    """A merge into an empty raw table is a plain load: the resources that merge into a table that is
    missing or empty in the warehouse (a first load; every table on a full refresh) load with
    ``replace`` this run, so their rows are written once instead of into a staging table and then
    merged. A kill during that load is safe too: the re-run loads the package again from its start,
    and ``replace`` truncates first. Not on Spark (the lake is append-only there)."""
    resources = getattr(data, "selected_resources", {})
    merging = {
        name: r
        for name, r in resources.items()
        if isinstance(r.table_name, str) and _disposition(r.write_disposition) == "merge"
    }
    if not merging or settings.target == "spark":
        return
    empty = set(merging) if full_refresh else _empty_tables(settings, f"raw_{source_name}", merging)
    for name in empty:
        merging[name].apply_hints(write_disposition="replace")
    if empty:
        log.info("%s: first load of %s: replace, no merge", source_name, ", ".join(sorted(empty)))


def _ensure_staging_dataset(pipeline: dlt.Pipeline) -> None:
    """dlt's ``drop_sources`` refresh deletes from the staging dataset's ``_dlt_version`` without asking
    whether it exists; a pipeline whose loads never merged (first loads replace) has none yet."""
    try:
        pipeline.default_schema  # noqa: B018 (no schema: nothing was loaded, nothing to drop)
    except Exception:
        return
    with pipeline.destination_client() as client:
        if isinstance(client, WithStagingDataset):
            with client.with_staging_dataset():
                client.initialize_storage()
                client.update_stored_schema()


def _disposition(hint: Any) -> str | None:
    return hint.get("disposition") if isinstance(hint, dict) else hint


def _empty_tables(settings: Settings, dataset: str, resources: dict[str, Any]) -> set[str]:
    """The resources whose raw table in ``dataset`` is missing or holds no row."""
    if settings.target == "duckdb" and not settings.duckdb_path.exists():
        return set(resources)
    empty = set()
    try:
        with connect(settings) as conn:
            for name, resource in resources.items():
                table = resource.table_name
                rows = f"select 1 from {quote(dataset)}.{quote(table)} limit 1"
                if not table_exists(conn, dataset, table) or not fetch(conn, rows):
                    empty.add(name)
    except WarehouseUnavailable:  # merge as configured: dlt reports the warehouse's own error
        return set()
    return empty


def land(
    settings: Settings,
    source_name: str,
    data: Any,
    *,
    dry_run: bool = False,
    full_refresh: bool = False,
) -> LandResult:
    """Extract, normalize and load ``data`` into ``raw_<source_name>``.

    Packages an interrupted run left pending are completed first and reported (``complete_pending``);
    then the new data is extracted, normalized and loaded in the same call.

    A dry run extracts and normalizes in a throwaway copy of the pipeline's working folder,
    reports the row counts and loads nothing, so cursors and the warehouse stay as they were.
    """
    refresh = "drop_sources" if full_refresh else None
    if dry_run and hasattr(data, "selected_resources") and not data.selected_resources:
        return LandResult(source_name, {}, dry_run=True)
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="elt-dry-") as tmp:
            live = settings.dlt_pipelines_dir / pipeline_name(source_name)
            if live.exists():
                shutil.copytree(live, Path(tmp) / live.name)
            pipeline = make_pipeline(settings, source_name, pipelines_dir=Path(tmp))
            pipeline.extract(data, refresh=refresh, loader_file_format=LOADER_FILE_FORMAT)
            info = pipeline.normalize()
            return LandResult(source_name, _user_rows(info.row_counts), dry_run=True)

    pipeline = make_pipeline(settings, source_name)
    pending_rows, pending_ids = complete_pending(settings, pipeline)
    if hasattr(data, "selected_resources") and not data.selected_resources:
        # the source found nothing changed (e.g. traffic's fingerprints): nothing to extract or load
        return LandResult(source_name, {}, pending_load_ids=pending_ids, pending_rows=pending_rows)
    if full_refresh:
        _ensure_staging_dataset(pipeline)
    _replace_into_empty(settings, source_name, data, full_refresh)
    columns_before = _columns(pipeline)
    numeric_before = {} if full_refresh else _numeric_columns(pipeline)
    try:
        pipeline.extract(_kill_on_read(data), refresh=refresh, loader_file_format=LOADER_FILE_FORMAT)
    except Exception as exc:
        contract = _contract_error(exc)
        if contract is not None:
            raise contract from exc
        raise
    _refuse_retyped(source_name, pipeline, numeric_before)
    kill_point("extract")
    normalized = pipeline.normalize()
    kill_point("normalize")
    load_ids = list(pipeline.list_normalized_load_packages())
    _load(settings, pipeline, load_ids)
    drift = _drift(columns_before, _columns(pipeline))
    for line in drift:
        log.warning("%s: schema drift at the source: %s", source_name, line)
    return LandResult(
        source_name,
        _user_rows(normalized.row_counts),
        load_ids,
        pending_rows=pending_rows,
        pending_load_ids=pending_ids,
        drift=drift,
    )

"""The one pipeline factory, and landing a source with it.

Every dlt pipeline of the project is made here: name ``logistics_<dataset key>``, dataset
``raw_<source>`` (or ``ops``), pipelines folder per warehouse (``Settings.dlt_pipelines_dir``), so
dlt's own CLI finds them with ``--pipelines-dir``.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from extract.settings import Settings

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


def show_progress() -> bool:
    """Live progress (dlt's counts and rates, dbt's own log) on a terminal or with --verbose; on a pipe
    (CI, cron) each source prints one summary line instead."""
    return sys.stdout.isatty() or logging.getLogger().isEnabledFor(logging.INFO)


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
    live = show_progress() if progress is None else progress
    return dlt.pipeline(
        pipeline_name=pipeline_name(source_name),
        destination=destination(settings),
        dataset_name=dataset_name or f"raw_{source_name}",
        pipelines_dir=str(pipelines_dir or settings.dlt_pipelines_dir),
        progress=progress_collector() if live else None,
    )


def progress_collector() -> Any:
    """dlt's tqdm collector (bars updated in place: rows, rate, elapsed) on a terminal; its log collector,
    without memory stats (no psutil warning), on a pipe with --verbose."""
    if sys.stdout.isatty():
        return "tqdm"
    from dlt.common.runtime.collector import LogCollector

    return LogCollector(dump_system_stats=False)


@dataclass
class LandResult:
    """What one source landed: rows per raw table and the load ids."""

    source: str
    rows: dict[str, int] = field(default_factory=dict)
    load_ids: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        verb = "would read" if self.dry_run else "read"
        if not self.rows:
            return f"{self.source}: {verb} 0 rows (nothing new at the source)"
        tables = ", ".join(f"{t}={n}" for t, n in sorted(self.rows.items()))
        return f"{self.source}: {verb} {self.total_rows} rows ({tables})"


def _user_rows(row_counts: dict[str, int]) -> dict[str, int]:
    return {t: n for t, n in row_counts.items() if not t.startswith("_dlt")}


def land(
    settings: Settings,
    source_name: str,
    data: Any,
    *,
    dry_run: bool = False,
    full_refresh: bool = False,
) -> LandResult:
    """Extract, normalize and load ``data`` into ``raw_<source_name>``.

    A dry run extracts and normalizes in a throwaway copy of the pipeline's working folder,
    reports the row counts and loads nothing, so cursors and the warehouse stay as they were.
    """
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="elt-dry-") as tmp:
            live = settings.dlt_pipelines_dir / pipeline_name(source_name)
            if live.exists():
                shutil.copytree(live, Path(tmp) / live.name)
            pipeline = make_pipeline(settings, source_name, pipelines_dir=Path(tmp))
            pipeline.extract(
                data, refresh="drop_sources" if full_refresh else None, loader_file_format=LOADER_FILE_FORMAT
            )
            info = pipeline.normalize()
            return LandResult(source_name, _user_rows(info.row_counts), dry_run=True)

    pipeline = make_pipeline(settings, source_name)
    load_info: LoadInfo = pipeline.run(
        data,
        loader_file_format=LOADER_FILE_FORMAT,
        refresh="drop_sources" if full_refresh else None,
    )
    load_info.raise_on_failed_jobs()
    trace = pipeline.last_trace
    normalized = trace.last_normalize_info if trace else None
    counts = normalized.row_counts if normalized else {}
    return LandResult(source_name, _user_rows(counts), list(load_info.loads_ids))

"""Packages left pending by a killed run: the re-run completes them, lands the new data in the same
invocation and reports both; a package that cannot complete is reported with its cause and the command
that clears it, and after that command the next run lands everything again."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract import sandbox
from extract.pipeline import RunOptions, pipeline_name
from extract.runner import run
from extract.sandbox.automation import AutomationDB
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import elt, query

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _source_counts(settings: Settings) -> dict[str, int]:
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        return {t: len(db.fetch(t)) for t in SOURCES["automation"].tables}


def _raw_counts(settings: Settings) -> dict[str, int]:
    return {
        t: query(settings, f"select count(*) from raw_automation.{t}")[0][0]
        for t in SOURCES["automation"].tables
    }


@pytest.fixture
def killed_at_normalize(duckdb_settings: Settings) -> Settings:
    sandbox.generate(duckdb_settings, ["automation"], sandbox.SandboxOptions(seed=8, scale=0.05, now=NOW))
    first = run(duckdb_settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert first.ok, first.lines()
    sandbox.change(duckdb_settings, ["automation"])
    done = elt(duckdb_settings, "run", "--only", "automation", "--no-build", ELT_TEST_KILL_AT="normalize")
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr
    return duckdb_settings


def test_rerun_completes_the_pending_package_then_lands_new_data(killed_at_normalize: Settings) -> None:
    settings = killed_at_normalize
    sandbox.change(settings, ["automation"])  # more changes after the killed run
    report = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert report.ok, report.lines()
    (landed,) = report.landed
    assert landed.pending_load_ids and landed.pending_rows, "the pending package was completed and counted"
    assert landed.load_ids and landed.total_rows > 0, "and the new data extracted in the same run"
    assert "left pending" in landed.describe()
    assert _raw_counts(settings) == _source_counts(settings)


def test_a_package_that_cannot_complete_names_its_cause_and_the_fix(killed_at_normalize: Settings) -> None:
    settings = killed_at_normalize
    folder = settings.dlt_pipelines_dir / pipeline_name("automation") / "load" / "normalized"
    (job,) = [p for p in folder.glob("*/new_jobs/order_batches.*.parquet")]
    job.write_bytes(b"not a parquet file")  # a package the warehouse cannot take any more

    report = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    error = report.failed["automation"]
    assert "left pending by an earlier run cannot complete" in error, error
    command = error.split("clear it with `", 1)[1].split("`", 1)[0]
    assert command.endswith("abort-packages")
    cleared = subprocess.run(  # -y: accept its confirmation
        [str(Path(sys.executable).parent / "dlt"), "-y", *command.split()[1:]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr

    after = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert after.ok, after.lines()
    assert _raw_counts(settings) == _source_counts(settings), "the next run lands every change again"

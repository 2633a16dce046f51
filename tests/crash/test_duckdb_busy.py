"""DuckDB allows one writing process and no writer beside a reader: a run waits for another process that
holds the file (``ELT_DUCKDB_WAIT_SECONDS``), then exits 75 naming it; runs of different sources take
turns instead of one failing with exit 1."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.exit_codes import EXIT_BUSY
from extract.locks import warehouse_writer
from extract.settings import PROJECT_ROOT, Settings
from tests.support import elt, elt_argv, elt_env

pytestmark = pytest.mark.e2e

READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("reading", flush=True)
sys.stdin.readline()
con.close()
"""


@pytest.fixture
def landed(duckdb_settings: Settings) -> Settings:
    """A DuckDB warehouse with automation landed once."""
    opts = sandbox.SandboxOptions(seed=2, scale=0.05, now=datetime(2026, 10, 1, tzinfo=UTC))
    sandbox.generate(duckdb_settings, ["automation"], opts)
    done = elt(duckdb_settings, "run", "--only", "automation", "--no-build")
    assert done.returncode == 0, done.stdout + done.stderr
    return duckdb_settings


def _reader(settings: Settings) -> subprocess.Popen:
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.duckdb_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "reading"
    return reader


def test_a_reader_makes_the_run_wait_then_exit_75_naming_it(landed: Settings) -> None:
    reader = _reader(landed)
    try:
        busy = elt(landed, "run", "--only", "automation", "--no-build", ELT_DUCKDB_WAIT_SECONDS="0.5")
    finally:
        reader.communicate("\n", timeout=30)
    assert busy.returncode == EXIT_BUSY, busy.stdout + busy.stderr
    assert "held by another process" in busy.stderr and "PID" in busy.stderr, busy.stderr


def test_the_run_waits_for_a_reader_to_close(landed: Settings) -> None:
    reader = _reader(landed)
    run = subprocess.Popen(
        elt_argv("run", "--only", "automation", "--no-build"),
        env=elt_env(landed, ELT_DUCKDB_WAIT_SECONDS="300"),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # the run says it waits (its own progress, no sleeping here); then the reader goes away
        assert "waiting up to 300s for the DuckDB file" in run.stderr.readline()
    finally:
        reader.communicate("\n", timeout=30)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, out + err


def test_runs_of_different_sources_take_turns_or_exit_75(landed: Settings) -> None:
    with warehouse_writer(landed, wait_s=0):  # another run (say of traffic) is writing
        busy = elt(landed, "run", "--only", "automation", "--no-build", ELT_DUCKDB_WAIT_SECONDS="0.5")
    assert busy.returncode == EXIT_BUSY, busy.stdout + busy.stderr
    assert "another duckdb writer run holds" in busy.stderr and "after waiting 0.5s" in busy.stderr
    done = elt(landed, "run", "--only", "automation", "--no-build")
    assert done.returncode == 0, done.stdout + done.stderr

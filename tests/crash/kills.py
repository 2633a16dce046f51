"""Shared by the test_kills_* files (one per source, so `--dist loadfile` spreads them over the
workers): a kill -9 at any moment of `elt run --only SOURCE`, then one plain re-run: every raw table and every
mart equals a clean run's, for all four sources.

Each test drives two warehouses over one sandbox: the crashed one, where every run after the first sync
is killed and then re-run once, and a clean one that makes the same runs without kills. After each
step (a change batch at the source, the killed run, its one re-run) the raw tables of both are compared
(row counts and an md5 of their rows, `tests/crash/support.py`); the last step is killed inside dbt,
and after its re-run the marts are compared too.

The kills come from the run itself (``ELT_TEST_KILL_AT=<phase>``, a test instrument, no sleeping):
``read`` after the source handed over its first item, ``extract`` and ``normalize`` after those dlt
steps, ``load`` as soon as the load completed its first job (part of the package is in the warehouse),
``dbt`` after dbt's first node.
"""

from __future__ import annotations

import signal
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import RunReport, run
from extract.settings import Settings
from extract.sources import SOURCES
from tests.crash.support import differing_rows, fingerprints, tables
from tests.support import elt, query

NOW = datetime(2026, 10, 1, tzinfo=UTC)
# small sandboxes: each phase only needs a package of several jobs to kill inside (CI budget)
SCALE = {"automation": 0.1, "traffic": 0.1, "fleet": 0.1, "inventory": 0.03}
LAND_PHASES = ("read", "extract", "normalize", "load")
# inventory's raw tables keep every download (keyed by lake run): compared as sets of distinct rows
DISTINCT = {"inventory"}

ALL = (*LAND_PHASES, "dbt")
# every phase for every source, on DuckDB and on PostgreSQL


def warehouse(request: pytest.FixtureRequest, source: str, target: str) -> Settings:
    """The warehouse of a case. The traffic sandbox keeps its exit table (SQL Server's stand-in) in
    PostgreSQL even for a DuckDB warehouse: a fresh database per test, so no other test writes to it."""
    if target == "postgres":
        return request.getfixturevalue("postgres_settings")
    found = request.getfixturevalue("duckdb_settings")
    if source == "traffic":
        found = replace(found, postgres=request.getfixturevalue("pg_database"))
    return found


def _run(settings: Settings, source: str, *, build: bool) -> RunReport:
    with sandbox.serving(settings):
        report = run(settings, [SOURCES[source]], RunOptions(), build=build)
    assert report.ok, report.lines()
    return report


def _killed(settings: Settings, source: str, phase: str) -> None:
    args = ["run", "--only", source] + ([] if phase == "dbt" else ["--no-build"])
    done = elt(settings, *args, ELT_TEST_KILL_AT=phase)
    assert done.returncode == -signal.SIGKILL, f"{phase}: {done.stdout}{done.stderr}"
    assert f"killing the run at {phase}" in done.stderr


def _assert_same(crashed: Settings, clean: Settings, schema: str, distinct: bool, step: str) -> None:
    names = tables(clean, schema)
    assert names, f"{step}: nothing in {schema}"
    got = fingerprints(crashed, schema, names, distinct=distinct)
    want = fingerprints(clean, schema, names, distinct=distinct)
    differ = {t: differing_rows(crashed, clean, schema, t) for t in names if got[t] != want[t]}
    assert not differ, f"{step}: {schema} differs from a clean run: {differ}"


def kill_each_phase_then_rerun(
    source: str, phases: tuple[str, ...], settings: Settings, clean_settings: Settings
) -> None:
    """The chain: first sync on both; per phase a change batch, the killed run, one re-run, a clean run."""
    sandbox.generate(settings, [source], sandbox.SandboxOptions(seed=5, scale=SCALE[source], now=NOW))
    sandbox.write_settings(settings)
    clean = replace(clean_settings, sandbox_dir=settings.sandbox_dir)
    raw, distinct = f"raw_{source}", source in DISTINCT
    for warehouse in (settings, clean):  # first sync
        _run(warehouse, source, build=False)

    for phase in phases:
        sandbox.change(settings, [source])  # the incremental case: new and changed rows
        _killed(settings, source, phase)
        rerun = _run(settings, source, build=phase == "dbt")
        if phase == "load":
            assert rerun.landed[0].pending_load_ids, f"{phase}: the re-run reported no pending package"
        _run(clean, source, build=phase == "dbt")
        _assert_same(settings, clean, raw, distinct, f"after a kill at {phase}")
        if source == "inventory":  # the re-run resumes the killed run's download instead of a second one
            downloads = "select count(*) from raw_inventory.lake_runs"
            assert query(settings, downloads) == query(clean, downloads), f"after a kill at {phase}"
        if source == "automation":
            for table in SOURCES["automation"].tables:
                ((rows, ids),) = query(settings, f"select count(*), count(distinct id) from {raw}.{table}")
                assert rows == ids, f"after a kill at {phase}: {table} holds {rows} rows for {ids} ids"
    if "dbt" in phases:
        _assert_same(settings, clean, source, False, "marts")

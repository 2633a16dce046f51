"""A first load merges nothing: the resources that merge into a missing or empty raw table load with
``replace`` (rows written once, no staging table), and a kill during that load is repaired by one re-run
like any other (the package is loaded again from its start; ``replace`` truncates first)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.settings import Settings
from tests.crash.kills import _assert_same, _killed, _run, warehouse
from tests.support import query

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)
STAGING_TABLES = (
    "select count(*) from information_schema.tables where table_schema = 'raw_automation_staging'"
)


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """This file's warehouse (overrides the both-warehouses fixture)."""
    return warehouse(request, "automation", "duckdb")


def test_a_killed_first_load_is_repaired_by_one_rerun_and_merges_nothing(
    settings: Settings, clean_settings: Settings
) -> None:
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=5, scale=0.1, now=NOW))
    sandbox.write_settings(settings)
    clean = replace(clean_settings, sandbox_dir=settings.sandbox_dir)

    _killed(settings, "automation", "load")  # the first load, killed after its first job
    rerun = _run(settings, "automation", build=False)
    assert rerun.landed[0].pending_load_ids, "the re-run completed the killed package"
    _run(clean, "automation", build=False)
    assert query(clean, STAGING_TABLES) == [(0,)], "a first load writes no merge staging table"
    _assert_same(settings, clean, "raw_automation", False, "after a killed first load")
    for table in ("order_batches", "escalation_logs", "assignment_logs"):
        ((rows, ids),) = query(settings, f"select count(*), count(distinct id) from raw_automation.{table}")
        assert rows == ids, f"{table} holds {rows} rows for {ids} ids"

    sandbox.change(settings, ["automation"])  # later runs merge as configured
    for target in (settings, clean):
        _run(target, "automation", build=False)
    assert query(clean, STAGING_TABLES)[0][0] > 0, "an incremental run merges through staging"
    _assert_same(settings, clean, "raw_automation", False, "after a change batch")

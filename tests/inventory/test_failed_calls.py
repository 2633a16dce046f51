"""Relbase calls that fail after every retry are counted in the run's output and history and make the run
fail (exit 1), while the rows that did arrive still land; the marts keep their last good values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

import extract.inventory as inventory
from extract.ops import history
from extract.pipeline import RunOptions
from extract.runner import run
from extract.settings import Settings
from extract.sources import SOURCES
from tests.inventory.support import FAST_CLIENT, FAST_SERVER, start_relbase
from tests.support import query

pytestmark = pytest.mark.e2e


def test_failed_api_calls_fail_the_run_and_reach_history(settings: Settings) -> None:
    # half the calls fail and are not retried; seed 5 lets the first five (warehouses, pages) through
    server = replace(FAST_SERVER, fault_rate=0.5, fault_kinds=("5xx",), seed=5)
    relbase = start_relbase(settings, server, replace(FAST_CLIENT, max_attempts=1))
    try:
        spec = replace(
            SOURCES["inventory"], land=lambda s, o: inventory.land_source(s, o, config=relbase.config)
        )
        started = datetime.now(UTC)
        report = run(settings, [spec], RunOptions())
    finally:
        relbase.server.stop()
    assert not report.ok
    error = report.failed["inventory"]
    assert "calls failed after retries" in error, error
    assert any("inventory: FAILED" in line and "failed after retries" in line for line in report.lines())
    assert report.landed and report.landed[0].total_rows > 0, "what arrived still lands"
    assert report.dbt is None, "no source built: the marts keep their last good values"

    history.record(settings, report, started=started, command="elt run --only inventory")
    rows = query(settings, "select status, error from ops.elt_run_history where step = 'inventory'")
    assert ("failed", error) in rows

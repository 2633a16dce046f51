"""One text value in a numeric column of a SQLite app database: the row lands with null there, the value
is listed with its reason in raw_automation.type_rejects, and every table still lands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.sandbox.automation import AutomationDB
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import query

pytestmark = pytest.mark.e2e


def test_a_text_value_in_a_numeric_column_is_rejected_alone(duckdb_settings: Settings) -> None:
    settings = duckdb_settings  # the sandbox app database is SQLite here
    opts = sandbox.SandboxOptions(seed=12, scale=0.05, now=datetime(2026, 10, 1, tzinfo=UTC))
    sandbox.generate(settings, ["automation"], opts)
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        assert db.kind == "sqlite"
        expected = {t: len(db.fetch(t)) for t in SOURCES["automation"].tables}
        bad = str(db.fetch("order_batches")[0]["id"])
        db.conn.cursor().execute(
            f"update order_batches set total_distance_km = 'about 12 km' where id = '{bad}'"
        )
        db.conn.commit()

    report = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert report.ok, report.lines()
    for table, count in expected.items():
        assert query(settings, f"select count(*) from raw_automation.{table}") == [(count,)], table
    rows = query(settings, "select total_distance_km from raw_automation.order_batches where id = ?", (bad,))
    assert rows == [(None,)]
    ((table, row_id, column, value, reason),) = query(
        settings,
        "select source_table, row_id, column_name, value, reason from raw_automation.type_rejects "
        "where row_id is not null",
    )
    assert (table, row_id, column, value) == ("order_batches", bad, "total_distance_km", "about 12 km")
    assert "not a number" in reason


def test_a_dropped_column_the_statistics_read_fails_by_name(duckdb_settings: Settings) -> None:
    settings = duckdb_settings
    opts = sandbox.SandboxOptions(seed=12, scale=0.05, now=datetime(2026, 10, 1, tzinfo=UTC))
    sandbox.generate(settings, ["automation"], opts)
    assert run(settings, [SOURCES["automation"]], RunOptions(), build=False).ok
    before = query(settings, "select id, total_value from raw_automation.order_batches order by id")
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        db.conn.cursor().execute("alter table order_batches drop column total_value")
        db.conn.commit()

    report = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert "order_batches has no column total_value" in report.failed["automation"], report.lines()
    assert query(settings, "select id, total_value from raw_automation.order_batches order by id") == before

"""A numeric NaN (or infinity) in the app database (PostgreSQL, read with ConnectorX) is read as null instead
of failing the whole table; the rest of the rows land and the statistics build."""

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

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_a_numeric_nan_is_read_as_null(postgres_settings: Settings) -> None:
    settings = postgres_settings
    opts = sandbox.SandboxOptions(seed=6, scale=0.05, now=datetime(2026, 10, 1, tzinfo=UTC))
    sandbox.generate(settings, ["automation"], opts)
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        first, second, *_ = [str(r["id"]) for r in db.fetch("order_batches")]
        cur = db.conn.cursor()
        table = db.table("order_batches")
        cur.execute(f"update {table} set total_distance_km = 'NaN' where id = '{first}'")
        cur.execute(f"update {table} set total_value = 'NaN' where id = '{second}'")
        db.conn.commit()
        expected = len(db.fetch("order_batches"))

    report = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert report.ok, report.lines()
    rows = dict(query(settings, "select id::text, total_distance_km from raw_automation.order_batches"))
    assert len(rows) == expected
    assert rows[first] is None
    ((value,),) = query(
        settings, "select total_value from raw_automation.order_batches where id::text = ?", (second,)
    )
    assert value is None

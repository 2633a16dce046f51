"""Incremental cursors are safe: one row dated 9999-12-31 at the source is quarantined with its reason and
does not move the cursor, so every later insert and update still lands (both warehouses)."""

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

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _land(settings: Settings) -> None:
    report = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert report.ok, report.lines()


def _source(settings: Settings, table: str) -> dict[str, datetime]:
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        return {str(r["id"]): r["updated_at"] for r in db.fetch(table)}


def test_a_future_cursor_value_is_quarantined_and_later_changes_land(settings: Settings) -> None:
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=3, scale=0.1, now=NOW))
    _land(settings)
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        poisoned = str(db.fetch("order_batches")[0]["id"])
        cur = db.conn.cursor()
        value = "'9999-12-31 00:00:00'" if db.kind == "sqlite" else "'9999-12-31 00:00:00+00'"
        cur.execute(f"update {db.table('order_batches')} set updated_at = {value} where id = '{poisoned}'")
        db.conn.commit()
    _land(settings)  # the poisoned row is quarantined, the cursor stays sane
    changed = sandbox.change(settings, ["automation"])["automation"]
    assert changed["order_batches.inserted"] + changed.get("order_batches.updated", 0) > 0
    _land(settings)

    source = _source(settings, "order_batches")
    raw = {str(i): u for i, u in query(settings, "select id, updated_at from raw_automation.order_batches")}
    assert set(raw) == set(source), "every inserted row landed"
    stale = [i for i, u in source.items() if i != poisoned and raw[i] != u]
    assert not stale, f"{len(stale)} updates never landed"
    ((table, row_id, reason),) = query(
        settings,
        "select source_table, row_id, reason from raw_automation.cursor_quarantine where row_id is not null",
    )
    assert (table, row_id) == ("order_batches", poisoned)
    assert "9999-12-31" in reason and "in the future" in reason

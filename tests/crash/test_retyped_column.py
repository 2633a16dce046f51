"""A numeric source column retyped to text between runs (PostgreSQL source, Arrow reads).

Before, dlt kept the stored numeric type, the load failed inside the warehouse client with a
``TypeError`` that named nothing, and the half-loaded package was retried and failed on every later
run. Now the run refuses the extracted package before anything loads, naming the column and the fix;
nothing is left pending, the raw rows keep their last good values, the next run says the same (no
pending-package failure), and once the source is fixed the next run lands every change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.pipeline import RunOptions, make_pipeline
from extract.runner import run
from extract.sandbox.automation import AutomationDB
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import query

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

NOW = datetime(2026, 10, 1, tzinfo=UTC)
RAW = "select id, total_value from raw_automation.order_batches order by id"


def _alter(settings: Settings, *statements: str) -> None:
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        cur = db.conn.cursor()
        for sql in statements:
            cur.execute(sql.format(t=db.table("order_batches")))
        db.conn.commit()


def test_a_column_retyped_to_text_is_refused_by_name_and_never_left_pending(
    postgres_settings: Settings,
) -> None:
    settings = postgres_settings
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=8, scale=0.05, now=NOW))
    first = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert first.ok, first.lines()
    before = query(settings, RAW)
    _alter(
        settings,
        "alter table {t} alter column total_value type text",
        "update {t} set total_value = 'n/a', updated_at = now() "
        "where id = (select id from {t} order by id limit 1)",
    )

    for attempt in ("first", "second"):
        report = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
        error = report.failed.get("automation", "")
        assert "column type changed at the source: order_batches.total_value (decimal -> text)" in error, (
            attempt,
            error,
        )
        assert "--full-refresh" in error and "left pending" not in error, (attempt, error)
        assert not make_pipeline(settings, "automation").has_pending_data, f"{attempt}: nothing pending"
        assert query(settings, RAW) == before, f"{attempt}: the raw rows keep their last good values"

    _alter(  # the source fixed: numbers again
        settings,
        "update {t} set total_value = '12.5' where total_value = 'n/a'",
        "alter table {t} alter column total_value type numeric(14,2) using total_value::numeric",
    )
    after = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert after.ok, after.lines()
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        source = sorted((r["id"], r["total_value"]) for r in db.fetch("order_batches"))
    assert _numbers(query(settings, RAW)) == _numbers(source), "every change landed, the fixed row too"


def _numbers(rows: list) -> list[tuple[str, float | None]]:
    return [(str(i), None if v is None else float(v)) for i, v in rows]


def test_full_refresh_takes_a_retyped_column(postgres_settings: Settings) -> None:
    """The fix the refusal names: `--full-refresh` reloads the table with the new type, the models
    read it (the text holds numbers), the statistics equal the ones before, and plain runs go on."""
    settings = postgres_settings
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=8, scale=0.05, now=NOW))
    first = run(settings, [SOURCES["automation"]], RunOptions())
    assert first.ok, first.lines()
    stats = "select date, total_value from automation.batch_performance_stats order by date"
    before = query(settings, stats)
    _alter(settings, "alter table {t} alter column total_value type text")

    refused = run(settings, [SOURCES["automation"]], RunOptions(), build=False)
    assert "order_batches.total_value (decimal -> text)" in refused.failed.get("automation", "")

    refreshed = run(settings, [SOURCES["automation"]], RunOptions(full_refresh=True))
    assert refreshed.ok, refreshed.lines()
    ((kind,),) = query(
        settings,
        "select data_type from information_schema.columns "
        "where table_schema = 'raw_automation' and table_name = 'order_batches' "
        "and column_name = 'total_value'",
    )
    assert kind in ("text", "character varying"), "the raw column took the source's new type"
    assert _numbers(query(settings, stats)) == _numbers(before), "the statistics read the text as numbers"
    again = run(settings, [SOURCES["automation"]], RunOptions())
    assert again.ok, again.lines()

"""Dispatch automation end to end, on DuckDB and PostgreSQL: sandbox -> dlt -> dbt -> marts.

Every mart is compared with an independent Python computation over the app rows read straight
from the sandbox database (tests/automation/expected.py), not with the models' SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.sandbox.automation import TABLES, AutomationDB, change_into
from extract.settings import Settings
from extract.sources import SOURCES
from tests.automation.support import MARTS
from tests.support import close, query, query_dicts

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)
INT_MODELS = {
    "auto_dispatch_stats": "int_automation__assignments_daily",
    "route_optimization_stats": "int_automation__route_optimizations_daily",
    "batch_performance_stats": "int_automation__batches_daily",
    "escalation_stats": "int_automation__escalations_daily",
}


def _generate(settings: Settings) -> None:
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=7, scale=0.2, now=NOW))


def _run(settings: Settings, **opts) -> None:
    report = run(settings, [SOURCES["automation"]], RunOptions(**opts))
    assert report.ok, report.lines()


def _source_rows(settings: Settings) -> dict[str, list[dict]]:
    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        return {table: db.fetch(table) for table in TABLES}


def _assert_marts_match(settings: Settings, rows: dict[str, list[dict]]) -> None:
    for mart, (table, compute, _) in MARTS.items():
        expected = compute(rows[table])
        actual = {r["date"]: r for r in query_dicts(settings, f"select * from automation.{mart}")}
        assert set(actual) == set(expected), f"{mart}: days differ"
        for day, values in expected.items():
            for column, value in values.items():
                got = actual[day][column]
                assert close(got, value), f"{mart} {day} {column}: warehouse {got!r}, expected {value!r}"


def _computed_at(settings: Settings) -> dict[str, dict[date, object]]:
    return {
        mart: dict(query(settings, f"select date, _computed_at from intermediate.{model}"))
        for mart, model in INT_MODELS.items()
    }


def _touched_days(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> dict[str, set[date]]:
    """Per mart, the days of rows that are new or changed between two reads of the app tables."""
    touched: dict[str, set[date]] = {}
    for mart, (table, _, day_column) in MARTS.items():
        old = {r["id"]: r for r in before[table]}
        days = set()
        for row in after[table]:
            previous = old.get(row["id"])
            if previous == row:
                continue
            for version in (previous, row):
                if version is not None and version[day_column] is not None:
                    days.add(version[day_column].astimezone(ZoneInfo("UTC")).date())
        touched[mart] = days
    return touched


def test_marts_equal_independent_computation(settings: Settings) -> None:
    _generate(settings)
    _run(settings)
    rows = _source_rows(settings)
    _assert_marts_match(settings, rows)
    # every raw row landed once
    for table in TABLES:
        [(count,)] = query(settings, f"select count(*) from raw_automation.{table}")
        assert count == len(rows[table]), table


def test_incremental_recomputes_only_touched_days(settings: Settings) -> None:
    _generate(settings)
    _run(settings)
    before_rows = _source_rows(settings)
    before = _computed_at(settings)

    changed = change_into(sandbox.entry(settings, "automation"), batch=1)
    assert sum(changed.values()) > 0
    after_rows = _source_rows(settings)
    _run(settings)
    after = _computed_at(settings)

    touched = _touched_days(before_rows, after_rows)
    for mart, days in after.items():
        recomputed = {d for d, at in days.items() if before[mart].get(d) != at}
        assert recomputed == touched[mart], (
            f"{mart}: recomputed {sorted(recomputed)} != touched {sorted(touched[mart])}"
        )
        assert touched[mart], f"{mart}: the change batch should touch some day"
        assert len(recomputed) < len(days), f"{mart}: every day was recomputed"
    _assert_marts_match(settings, after_rows)

    # a re-run with no source change rewrites no row
    if settings.target == "postgres":
        xmin_before = {
            m: query(settings, f"select date, xmin::text from intermediate.{t}")
            for m, t in INT_MODELS.items()
        }
    _run(settings)
    assert _computed_at(settings) == after
    if settings.target == "postgres":
        for mart, model in INT_MODELS.items():
            assert (
                query(settings, f"select date, xmin::text from intermediate.{model}") == xmin_before[mart]
            ), mart


def test_dry_run_lands_nothing_and_keeps_cursors(settings: Settings) -> None:
    _generate(settings)
    _run(settings)
    counts = {t: query(settings, f"select count(*) from raw_automation.{t}")[0][0] for t in TABLES}
    change_into(sandbox.entry(settings, "automation"), batch=1)

    report = run(settings, [SOURCES["automation"]], RunOptions(dry_run=True))
    assert report.ok and report.dbt is None
    [landed] = report.landed
    assert landed.dry_run and landed.rows["assignment_logs"] > 0
    assert {t: query(settings, f"select count(*) from raw_automation.{t}")[0][0] for t in TABLES} == counts

    _run(settings)  # the real run still sees the changes the dry run saw
    _assert_marts_match(settings, _source_rows(settings))


@pytest.mark.parametrize("zone", ["America/Argentina/Buenos_Aires"])
def test_stats_zone_var_changes_days(duckdb_settings: Settings, zone: str) -> None:
    """With the zone var set, days follow that zone (full refresh after changing it)."""
    from extract.dbt import run_dbt

    _generate(duckdb_settings)
    _run(duckdb_settings)
    run_dbt(
        duckdb_settings,
        ["build", "--full-refresh", "--select", "source:automation+"],
        vars={"automation_stats_time_zone": zone},
    )
    rows = _source_rows(duckdb_settings)
    for mart, (table, compute, _) in MARTS.items():
        expected = compute(rows[table], zone)
        actual = {r["date"]: r for r in query_dicts(duckdb_settings, f"select * from automation.{mart}")}
        assert set(actual) == set(expected), mart
        first = next(iter(expected.values()))
        column = next(iter(first))
        assert all(close(actual[d][column], v[column]) for d, v in expected.items()), mart


def test_file_rotation_at_stream_end_loads(
    postgres_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: when the Arrow stream ends exactly at a file rotation, the empty last batch must not
    become an empty parquet file (dlt's ADBC load into PostgreSQL fails on one)."""
    _generate(postgres_settings)
    rows = _source_rows(postgres_settings)
    batch = len(rows["assignment_logs"]) // 2  # two full batches, then the stream's end
    assert batch * 2 == len(rows["assignment_logs"])
    monkeypatch.setenv("SOURCES__AUTOMATION__CHUNK_SIZE", str(batch))
    monkeypatch.setenv("DATA_WRITER__FILE_MAX_ITEMS", str(batch))
    monkeypatch.setenv("NORMALIZE__DATA_WRITER__FILE_MAX_ITEMS", str(batch))
    report = run(postgres_settings, [SOURCES["automation"]], RunOptions(tables=("assignment_logs",)))
    assert not report.failed, report.lines()
    [(count,)] = query(postgres_settings, "select count(*) from raw_automation.assignment_logs")
    assert count == len(rows["assignment_logs"])

"""The automation sandbox generator: deterministic, realistic, awkward on purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from extract.sandbox.automation import (
    BASE_ROWS,
    ENUMS,
    TABLES,
    AutomationDB,
    GenerateOptions,
    apply_changes,
    build,
    generate,
)

OPTS = GenerateOptions(seed=3, scale=0.5, now=datetime(2026, 10, 1, tzinfo=UTC))


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert generate(OPTS) == generate(OPTS)
    other = generate(GenerateOptions(seed=4, scale=0.5, now=OPTS.now))
    assert other["assignment_logs"][0]["id"] != generate(OPTS)["assignment_logs"][0]["id"]


def test_columns_and_enums_match_the_app_schema() -> None:
    data = generate(OPTS)
    for table, rows in data.items():
        assert rows, table
        assert set(rows[0]) == {c for c, _ in TABLES[table]}
    assert {r["assignment_type"] for r in data["assignment_logs"]} == set(ENUMS["assignment_type"])
    assert {r["status"] for r in data["order_batches"]} == set(ENUMS["batch_status"])
    assert {r["escalation_type"] for r in data["escalation_logs"]} == set(ENUMS["escalation_type"])
    assert "updated_at" not in {c for c, _ in TABLES["escalation_logs"]}  # as in production


def test_awkward_rows_are_there() -> None:
    data = generate(OPTS)
    logs = data["assignment_logs"]
    assert any(r["total_score"] is None for r in logs), "null scores"
    assert any(r["total_score"] is not None and not 0 <= r["total_score"] <= 100 for r in logs), (
        "out of range"
    )
    assert any(r["assigned_at"] is None for r in logs), "never assigned"
    orders = [r["order_id"] for r in logs]
    assert len(orders) > len(set(orders)), "reassigned orders"
    near_midnight = [
        r
        for r in logs
        if abs(
            (
                r["created_at"] - r["created_at"].replace(hour=0, minute=0, second=0, microsecond=0)
            ).total_seconds()
        )
        <= 600
        or (r["created_at"].hour == 23 and r["created_at"].minute >= 50)
    ]
    assert near_midnight, "events around midnight UTC"
    assert any(
        r["distance_saved_km"] is not None and r["distance_saved_km"] < 0 for r in data["route_optimizations"]
    )
    assert all(r["created_at"] <= OPTS.now for t in data.values() for r in t)
    assert len(logs) == int(BASE_ROWS["assignment_logs"] * OPTS.scale) * 51 // 50


def test_sqlite_round_trip_and_change_batch(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    written = build(url, OPTS)
    with AutomationDB(url) as db:
        before = {t: db.fetch(t) for t in TABLES}
        assert {t: len(r) for t, r in before.items()} == written
        assert before["assignment_logs"][0] == generate(OPTS)["assignment_logs"][0]
        changed = apply_changes(db, OPTS, batch=1)
        after = {t: {r["id"]: r for r in db.fetch(t)} for t in TABLES}
    for table in TABLES:
        assert len(after[table]) == len(before[table]) + changed[f"{table}.inserted"]
    resolved = [r for r in after["escalation_logs"].values() if r["resolution"] == "late"]
    assert len(resolved) == changed["escalation_logs.updated"] > 0
    assert all(r["resolved_at"] == OPTS.now + timedelta(hours=1) for r in resolved)

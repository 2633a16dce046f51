"""Schema contract: a traffic source table that drops a column the marts read ("Chofer") fails the
traffic run with a message naming it, loads nothing, and keeps the last good raw rows (no nulls written
over them)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.ops import history
from extract.pipeline import RunOptions
from extract.runner import run
from extract.sandbox.traffic import TrafficDB
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import query

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def test_a_dropped_column_fails_the_run_by_name_and_keeps_the_data(settings: Settings) -> None:
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=4, scale=0.1, now=NOW))
    first = run(settings, [SOURCES["traffic"]], RunOptions(), build=False)
    assert first.ok, first.lines()
    before = query(settings, "select id, chofer from raw_traffic.arribos order by id")
    assert any(chofer for _, chofer in before)

    found = sandbox.entry(settings, "traffic")
    with TrafficDB(found["credentials"], found["schema"], bool(found.get("expo_with_id"))) as db:
        db.conn.cursor().execute(f'alter table {db.table("arribos")} drop column "Chofer"')
        db.conn.commit()

    report = run(settings, [SOURCES["traffic"]], RunOptions(), build=False)
    assert not report.ok
    error = report.failed["traffic"]
    assert "arribos has no column chofer" in error, error
    assert query(settings, "select id, chofer from raw_traffic.arribos order by id") == before

    again = run(settings, [SOURCES["traffic"]], RunOptions(), build=False)
    assert "arribos has no column chofer" in again.failed["traffic"], "the same cause, nothing left pending"
    assert query(settings, "select id, chofer from raw_traffic.arribos order by id") == before


def test_a_text_value_in_a_numeric_column_is_rejected_alone(duckdb_settings: Settings) -> None:
    settings = duckdb_settings  # the sandbox's operational tables are SQLite here
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=4, scale=0.1, now=NOW))
    found = sandbox.entry(settings, "traffic")
    with TrafficDB(found["credentials"], found["schema"], bool(found.get("expo_with_id"))) as db:
        cur = db.conn.cursor()
        cur.execute(f"update {db.table('pendiente_desconsolidar')} set \"Cantidad\" = 'tres' where id = 1")
        db.conn.commit()
        ((rows,),) = cur.execute(f"select count(*) from {db.table('pendiente_desconsolidar')}").fetchall()

    report = run(settings, [SOURCES["traffic"]], RunOptions(), build=False)
    assert report.ok, report.lines()
    assert query(settings, "select count(*) from raw_traffic.pendiente_desconsolidar") == [(rows,)]
    assert query(settings, "select cantidad from raw_traffic.pendiente_desconsolidar where id = 1") == [
        (None,)
    ]
    rejected = query(
        settings,
        "select source_table, row_id, column_name, value from raw_traffic.type_rejects "
        "where row_id is not null",
    )
    assert rejected == [("pendiente_desconsolidar", "1", "Cantidad", "tres")]


def test_a_column_added_at_the_source_is_reported_by_name(duckdb_settings: Settings) -> None:
    settings = duckdb_settings
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=4, scale=0.1, now=NOW))
    first = run(settings, [SOURCES["traffic"]], RunOptions(), build=False)
    assert first.ok, first.lines()
    found = sandbox.entry(settings, "traffic")
    with TrafficDB(found["credentials"], found["schema"], bool(found.get("expo_with_id"))) as db:
        db.conn.cursor().execute(
            f"alter table {db.table('arribos')} add column \"Patente\" text default 'AB123CD'"
        )
        db.conn.commit()

    report = run(settings, [SOURCES["traffic"]], RunOptions(), build=False)
    assert report.ok, report.lines()
    assert report.landed[0].drift == ["arribos.patente added"]
    assert any("schema drift: arribos.patente added" in line for line in report.lines())
    history.record(settings, report, started=datetime.now(UTC), command="elt run --only traffic")
    assert query(settings, "select schema_drift from ops.elt_run_history where step = 'traffic'") == [
        ("arribos.patente added",)
    ]

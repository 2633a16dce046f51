"""Fuzzing the port traffic source: 10,000 generated bad rows (`tests/crash/fuzz.py`, seeded) across the
four operational tables and the four weekly CSV exports, then one `elt run --only traffic`.

Zero crashes: the run lands and builds every traffic mart. Every input row is accounted for: it landed
(the validated model of its table or file holds as many rows as the source), and it is either valid
(in its mart, found by `source_id`, or by booking for the aggregated expo mart; for an export, valid
for the reconciliation and the container assignment) or in `traficov2_rejects` with its reasons.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.sandbox.automation import AutomationDB
from extract.sandbox.traffic import CSV_FILES, TrafficDB
from extract.settings import Settings
from extract.sources import SOURCES
from tests.crash.fuzz import AUTOMATION, Fuzzer, append_to_export, automation_rows
from tests.support import query

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)
BAD_ROWS = {
    "arribos": 2_000,
    "pendiente_desconsolidar": 1_500,
    "remisiones": 1_500,
    "arribos_expo_ctns": 1_000,
    "arribos_semana.csv": 1_500,
    "pendiente_desconsolidar.csv": 1_000,
    "remisiones_semana.csv": 1_000,
    "arribos_expo_semana_ctns.csv": 500,
}
# table -> (its mart, how a valid row is found there)
MARTS = {
    "arribos": ("traficov2_arribos", "m.source_id = v.source_id"),
    "pendiente_desconsolidar": ("traficov2_pendiente_desconsolidar", "m.source_id = v.source_id"),
    "remisiones": ("traficov2_remisiones", "m.source_id = v.source_id"),
    "arribos_expo_ctns": ("traficov2_arribos_ctns_expo", 'm."Booking" = v.booking'),
}
EXPORTS = {
    "arribos_semana.csv": "int_traffic__arribos_export_validated",
    "pendiente_desconsolidar.csv": "int_traffic__pendiente_export_validated",
    "remisiones_semana.csv": "int_traffic__remisiones_export_validated",
    "arribos_expo_semana_ctns.csv": "int_traffic__expo_available_validated",
}


def _fuzz(settings: Settings, fuzzer: Fuzzer) -> dict[str, int]:
    """Adds the bad rows at the source; the number of input rows per table and file."""
    found = sandbox.entry(settings, "traffic")
    inputs: dict[str, int] = {}
    with TrafficDB(found["credentials"], found["schema"], bool(found.get("expo_with_id"))) as db:
        for table, (_mart, _found) in MARTS.items():
            existing = db.fetch(table)
            start = (db.max_id(table) if db.key(table) == "id" else len(existing)) + 1
            db.insert(table, fuzzer.operational(table, start, BAD_ROWS[table], existing))
            inputs[table] = len(db.fetch(table))
    folder = Path(found["csv_folder"])
    for name in CSV_FILES:
        _before, inputs[name] = append_to_export(folder / name, fuzzer, BAD_ROWS[name])
    return inputs


def _rejected(settings: Settings) -> dict[str, int]:
    sql = "select source_table, count(*) from traffic.traficov2_rejects where reasons <> '' group by 1"
    return dict(query(settings, sql))


def test_ten_thousand_bad_rows_crash_nothing_and_every_row_is_accounted_for(
    duckdb_settings: Settings,
) -> None:
    settings = duckdb_settings
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=11, scale=0.1, now=NOW))
    inputs = _fuzz(settings, Fuzzer(seed=2026))
    assert sum(BAD_ROWS.values()) == 10_000

    report = run(settings, [SOURCES["traffic"]], RunOptions())
    assert report.ok, report.lines()
    assert report.dbt is not None and report.dbt.count("model", "skipped") == 0, report.lines()

    rejected = _rejected(settings)
    accounting = {}
    for table, (mart, matches) in MARTS.items():
        validated = f"intermediate.int_traffic__{table}_validated"
        ((landed,),) = query(settings, f"select count(*) from {validated}")
        ((in_mart,),) = query(
            settings,
            f"select count(*) from {validated} as v where v.rejection_reasons is null "
            f"and exists (select 1 from traffic.{mart} as m where {matches})",
        )
        accounting[table] = (inputs[table], landed, in_mart, rejected.get(table, 0))
    for name, model in EXPORTS.items():
        ((landed, valid),) = query(
            settings,
            f"select count(*), count(*) filter (where rejection_reasons is null) from intermediate.{model}",
        )
        accounting[name] = (inputs[name], landed, valid, rejected.get(name, 0))

    unaccounted = {
        name: f"{n_in} in, {landed} landed, {kept} kept, {n_rejected} rejected"
        for name, (n_in, landed, kept, n_rejected) in accounting.items()
        if not (n_in == landed == kept + n_rejected)
    }
    assert not unaccounted, unaccounted
    assert all(n_rejected > 0 for *_, n_rejected in accounting.values()), accounting
    # the bad rows did not just vanish into the rejects: most kinds of spoilt value are named
    found = query(settings, "select distinct reasons from traffic.traficov2_rejects")
    reasons = " ".join(r for (r,) in found)
    for reason in ("invalid container", "duplicate", "unparseable", "missing"):
        assert reason in reasons, (reason, reasons[:500])


def test_the_fuzzed_exports_hold_the_rows_that_were_written(tmp_path: Path) -> None:
    """The generator itself: appended rows read back as written, quotes and newlines included."""
    path = tmp_path / "x.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["Contenedor", "Cliente", "Cantidad"], ["OOCU-048760-4", "Arcor", "1"]])
    before, after = append_to_export(path, Fuzzer(seed=1), 200)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert (before, after, len(rows) - 1) == (1, 201, 201)
    again = [Fuzzer(seed=1).export_rows(rows[0], rows[1:2], 5) for _ in range(2)]
    assert again[0] == again[1], "seeded: the same rows every time"


def test_bad_automation_rows_crash_nothing_and_every_row_is_counted_or_rejected(
    duckdb_settings: Settings,
) -> None:
    settings = duckdb_settings  # the sandbox app database is SQLite here: it stores any value anywhere
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=11, scale=0.05, now=NOW))
    found = sandbox.entry(settings, "automation")
    fuzzer = Fuzzer(seed=7)
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        assert db.kind == "sqlite"
        for table in AUTOMATION:
            automation_rows(fuzzer, db.conn, table, 500)
        inputs = {t: db.conn.execute(f"select count(*) from {t}").fetchone()[0] for t in AUTOMATION}

    report = run(settings, [SOURCES["automation"]], RunOptions())
    assert report.ok, report.lines()
    assert report.dbt is not None and report.dbt.count("model", "skipped") == 0, report.lines()

    # (input rows, landed, quarantined by the cursor, counted by a statistic, pending, rejected)
    stats = {
        "assignment_logs": ("auto_dispatch_stats", "total_assignments"),
        "route_optimizations": ("route_optimization_stats", "total_optimizations"),
        "order_batches": ("batch_performance_stats", "total_batches"),
        "escalation_logs": ("escalation_stats", "total_escalations"),
    }
    accounting = {}
    for table, (mart, total) in stats.items():
        dated = AUTOMATION[table][0]
        ((landed, pending),) = query(
            settings, f"select count(*), count(*) - count({dated}) from raw_automation.{table}"
        )
        ((counted,),) = query(settings, f"select coalesce(sum({total}), 0) from automation.{mart}")
        ((quarantined,),) = query(
            settings,
            "select count(*) from raw_automation.cursor_quarantine "
            f"where source_table = '{table}' and row_id is not null",
        )
        ((rejected,),) = query(
            settings, f"select count(*) from automation.automation_rejects where source_table = '{table}'"
        )
        if rejected:  # a rejected row has no day: it is not pending too
            pending -= rejected
        accounting[table] = (inputs[table], landed, quarantined, counted, pending, rejected)
    unaccounted = {
        t: a for t, a in accounting.items() if not (a[0] == a[1] + a[2] and a[1] == a[3] + a[4] + a[5])
    }
    assert not unaccounted, unaccounted
    assert accounting["order_batches"][5] > 0 and accounting["escalation_logs"][5] > 0, accounting
    ((spoilt,),) = query(
        settings, "select count(*) from raw_automation.type_rejects where row_id is not null"
    )
    assert spoilt > 0, "the values that fit no column are listed with their reasons"

"""Traffic costs what changed: a run with nothing new at the source lands nothing and builds nothing of
traffic; a change to one table or one weekly export lands only it and rebuilds only its downstream.
On DuckDB (SQLite source) and PostgreSQL, through the runner, from the real sandbox."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import RunReport, run
from extract.sandbox.traffic import TrafficDB, ground_truth
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import iso6346_check_digit, query, query_dicts
from tests.traffic.support import clean, key_of, valid_rows

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _run(settings: Settings) -> RunReport:
    report = run(settings, [SOURCES["traffic"]], RunOptions())
    assert report.ok, report.lines()
    return report


def _built(report: RunReport) -> set[str]:
    """The names of the models and snapshots dbt built in this run."""
    assert report.dbt is not None, report.lines()
    return {
        r.node.name
        for r in report.dbt.result.results
        if r.node.resource_type in ("model", "snapshot") and str(r.status) == "success"
    }


def _raw_counts(settings: Settings) -> dict[str, int]:
    tables = [t for t in SOURCES["traffic"].tables if t != "salidas"]
    return {t: query(settings, f"select count(*) from raw_traffic.{t}")[0][0] for t in tables}


@pytest.fixture
def first(tsettings: Settings) -> Settings:
    """The sandbox landed and built once."""
    sandbox.generate(tsettings, ["traffic"], sandbox.SandboxOptions(seed=5, scale=0.1, now=NOW))
    report = _run(tsettings)
    assert report.landed[0].total_rows > 0 and report.dbt is not None
    return tsettings


# The exits' look-back window (SQL Server through ODBC, read when a driver is installed) is read again
# until a run finds it identical to the last one; it lands no changed row, so it is left out here.
WINDOW = {"salidas"}


def _read(report: RunReport) -> dict[str, int]:
    """Rows read per raw table, without the exits' look-back window."""
    return {t: n for t, n in report.landed[0].rows.items() if t not in WINDOW}


def test_no_change_lands_nothing_and_builds_nothing(first: Settings) -> None:
    raw = _raw_counts(first)
    report = _run(first)
    assert _read(report) == {}, report.lines()
    assert report.changed["traffic"] == {}
    assert report.dbt is None and report.build_skipped, report.lines()
    assert _raw_counts(first) == raw, "an unchanged table must keep its rows (no replace by nothing)"


def test_touched_identical_export_lands_nothing(first: Settings) -> None:
    export = Path(sandbox.entry(first, "traffic")["csv_folder"]) / "arribos_semana.csv"
    later = export.stat().st_mtime_ns + 60 * 10**9
    os.utime(export, ns=(later, later))
    report = _run(first)
    assert sum(_read(report).values()) == 0, report.lines()
    assert report.dbt is None, report.lines()
    # recorded: the next run does not even hash it again, and still lands nothing
    assert sum(_read(_run(first)).values()) == 0


def _new_container(used: set[str]) -> str:
    for serial in range(100000, 999999):
        code = f"ZZZU{serial:06d}"
        key = code + str(iso6346_check_digit(code))
        if key not in used:
            return key
    raise AssertionError("no free container number")


def test_one_table_change_lands_it_and_rebuilds_its_downstream(first: Settings) -> None:
    entry = sandbox.entry(first, "traffic")
    truth = ground_truth(entry)
    arribos = truth["tables"]["arribos"]
    shown = {key_of(r["Contenedor"]) for r in query_dicts(first, "select * from traffic.traficov2_arribos")}
    valid = valid_rows("arribos", arribos)
    template = next(
        r for r in arribos if key_of(r["Contenedor"]) in shown and key_of(r["Contenedor"]) in valid
    )
    container = _new_container({key_of(r["Contenedor"]) for r in arribos})
    row = {**template, "Contenedor": container, "id": max(r["id"] for r in arribos) + 1}
    with TrafficDB(entry["credentials"], entry["schema"], bool(entry.get("expo_with_id"))) as db:
        db.insert("arribos", [row])

    report = _run(first)
    assert set(_read(report)) - {"type_rejects"} == {"arribos"}, report.lines()
    assert set(report.changed["traffic"]) == {"arribos"}
    built = _built(report)
    assert {"stg_traffic__arribos", "traficov2_arribos"} <= built
    # not downstream of arribos: not rebuilt
    assert not built & {"stg_traffic__remisiones", "stg_traffic__remisiones_export", "traficov2_remisiones"}
    mart = {key_of(r["Contenedor"]) for r in query_dicts(first, "select * from traffic.traficov2_arribos")}
    assert container in mart

    # and then nothing again
    assert _run(first).dbt is None


def test_one_export_change_lands_it_and_shows_in_the_mart(first: Settings) -> None:
    folder = Path(sandbox.entry(first, "traffic")["csv_folder"])
    export = folder / "arribos_semana.csv"
    with export.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    week = valid_rows("arribos", rows, export=True)
    mart = {key_of(r["Contenedor"]): r for r in query_dicts(first, "select * from traffic.traficov2_arribos")}
    key = next(k for k in week if k in mart and clean(week[k].get("Peso")) != "1234.5")
    for r in rows:
        if key_of(r["Contenedor"]) == key:
            r["Peso"] = "1234.5"
    with export.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)

    report = _run(first)
    assert set(_read(report)) == {"csv_arribos_semana"}, report.lines()
    assert set(report.changed["traffic"]) == {"csv_arribos_semana"}
    built = _built(report)
    assert "traficov2_arribos" in built
    assert not built & {"stg_traffic__remisiones", "stg_traffic__pendiente_desconsolidar"}
    [(peso,)] = query(
        first,
        "select \"Peso\" from traffic.traficov2_arribos where upper(replace(\"Contenedor\", '-', '')) = ?",
        (key,),
    )
    assert Decimal(str(peso)) == Decimal("1234.5")

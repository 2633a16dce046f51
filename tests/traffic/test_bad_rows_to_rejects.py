"""A bad input row goes to the rejects models with its reason before the tests see it, so one bad
row never stops a mart: duplicate containers in the expo weekly export and bad manual edits leave the
four traffic marts, the sync log and the write-back built, with every bad row in the rejects."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.sandbox.traffic import TrafficDB
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import query

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)
EXPO_CSV = "arribos_expo_semana_ctns.csv"
DUPLICATES = 153
MARTS = (
    "traficov2_arribos",
    "traficov2_pendiente_desconsolidar",
    "traficov2_remisiones",
    "traficov2_arribos_ctns_expo",
)


def _duplicate_expo_containers(folder: Path, n: int) -> list[int]:
    """Appends ``n`` rows repeating containers already in the expo export; their row numbers."""
    path = folder / EXPO_CSV
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = header.index("Contenedor")
    with_container = [r for r in body if r[col].strip() not in ("", "-")]
    added = [list(with_container[i % len(with_container)]) for i in range(n)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([header, *body, *added])
    return list(range(len(body) + 1, len(body) + n + 1))


def test_bad_export_rows_and_manual_edits_go_to_rejects(duckdb_settings: Settings) -> None:
    settings = duckdb_settings
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=4, scale=0.1, now=NOW))
    found = sandbox.entry(settings, "traffic")
    duplicate_rows = _duplicate_expo_containers(Path(found["csv_folder"]), DUPLICATES)
    with TrafficDB(found["credentials"], found["schema"], bool(found.get("expo_with_id"))) as db:
        next_id = db.max_id("traficov2_manual_edits") + 1
        bad_edits = [
            {
                "id": next_id,
                "table_name": "traficov2_arribos",
                "business_key": "OOCU0487604",
                "field": "Cliente",
                "value": "x",
                "edited_at": NOW,
                "edited_by": "despacho1",
            },
            {
                "id": next_id + 1,
                "table_name": "traficov2_nada",
                "business_key": "OOCU0487604",
                "field": "Chofer",
                "value": "x",
                "edited_at": NOW,
                "edited_by": "despacho1",
            },
            {
                "id": next_id + 2,
                "table_name": "traficov2_arribos",
                "business_key": None,
                "field": "Chofer",
                "value": "x",
                "edited_at": None,
                "edited_by": "despacho1",
            },
        ]
        db.insert("traficov2_manual_edits", bad_edits)

    report = run(settings, [SOURCES["traffic"]], RunOptions())
    assert report.ok, report.lines()
    assert report.dbt is not None and report.dbt.count("model", "skipped") == 0, report.lines()
    for mart in (*MARTS, "traficov2_sync_log"):
        assert query(settings, f"select count(*) from traffic.{mart}")[0][0] > 0, mart
    # the write-back is built (empty here: no edit changes a Chofer yet)
    query(settings, "select count(*) from traffic.traficov2_chofer_writeback")

    rejects = {
        (table, row): reasons
        for table, row, reasons in query(
            settings, "select source_table, source_row, reasons from traffic.traficov2_rejects"
        )
    }
    for row in duplicate_rows:
        assert "duplicate container_key" in rejects[(EXPO_CSV, row)], row
    edits = {row: reasons for (table, row), reasons in rejects.items() if table == "traficov2_manual_edits"}
    assert edits == {
        next_id: "unknown field",
        next_id + 1: "unknown table_name",
        next_id + 2: "missing business_key",
    }
    # kept out of the marts: the bad edits are in no mart's status, no duplicate container assigned twice
    statuses = {r for (r,) in query(settings, "select edit_id from traffic.traficov2_manual_edit_status")}
    assert not statuses & set(edits)

"""Port traffic end to end, on DuckDB and PostgreSQL: the real sandbox -> dlt -> dbt -> back-propagation.

The marts are checked against the generator's source rows with an independent container check
(ISO 6346 computed here, not by the models), and the write-back is checked on the source tables.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.sandbox.traffic import ground_truth
from extract.settings import Settings
from extract.sources import SOURCES
from extract.traffic.backpropagate import back_propagate
from tests.support import iso6346_check_digit, query, query_dicts
from tests.traffic.support import RECONCILED, clean, expected_reconciliation, key_of, valid_rows

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _key(value: str | None) -> str:
    return re.sub(r"[-\s]", "", (value or "").strip().upper())


def _valid_container(key: str) -> bool:
    """ISO 6346: 4 letters, 7 digits, the last one the check digit."""
    return bool(re.fullmatch(r"[A-Z]{4}[0-9]{7}", key)) and iso6346_check_digit(key) == int(key[10])


def _run(settings: Settings) -> None:
    report = run(settings, [SOURCES["traffic"]], RunOptions())
    assert report.ok, report.lines()


def test_sandbox_to_marts_rejects_and_back(settings: Settings) -> None:
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=11, scale=0.3, now=NOW))
    _run(settings)
    truth = ground_truth(sandbox.entry(settings, "traffic"))

    for table, mart in (
        ("arribos", "traficov2_arribos"),
        ("pendiente_desconsolidar", "traficov2_pendiente_desconsolidar"),
    ):
        keys = {_key(r["Contenedor"]) for r in truth["tables"][table]} - {"", "-"}
        invalid = {k for k in keys if not _valid_container(k)}
        assert invalid, f"the sandbox should hold invalid containers in {table}"
        in_mart = {_key(c) for (c,) in query(settings, f'select "Contenedor" from traffic.{mart}')}
        rejected = {
            _key(c)
            for (c,) in query(
                settings, f"select contenedor from traffic.traficov2_rejects where source_table = '{table}'"
            )
        }
        assert not in_mart & invalid, f"{table}: invalid containers reached the mart"
        assert invalid <= rejected, (
            f"{table}: invalid containers missing from rejects: {sorted(invalid - rejected)[:5]}"
        )
        assert keys <= in_mart | rejected, f"{table}: rows neither in the mart nor in rejects"
        [(reasonless,)] = query(
            settings, "select count(*) from traffic.traficov2_rejects where reasons is null"
        )
        assert reasonless == 0

    # back-propagation: the resolved Chofer goes to the source, then nothing is left to write
    planned = query(
        settings, "select count(*) from traffic.traficov2_chofer_writeback where source_table = 'arribos'"
    )
    first = back_propagate(settings)
    assert first.rows_updated >= planned[0][0] > 0
    _run(settings)
    [(left,)] = query(
        settings, "select count(*) from traffic.traficov2_chofer_writeback where source_table = 'arribos'"
    )
    assert left == 0
    again = back_propagate(settings)
    assert again.rows_updated == 0 and not again.changes


# the marts with dispatchers' edits: mart -> (its key from a mart row, the key of an edit)
EDITED_MARTS = {
    "traficov2_arribos": (lambda r: key_of(r["Contenedor"]), key_of),
    "traficov2_pendiente_desconsolidar": (lambda r: key_of(r["Contenedor"]), key_of),
    "traficov2_remisiones": (
        lambda r: f"{key_of(r['Contenedor'])}|{r['Operacion']}",
        lambda k: f"{key_of(k.split('|')[0])}|{k.split('|')[1].strip().upper()}",
    ),
    "traficov2_arribos_ctns_expo": (lambda r: r["Booking"], lambda k: k.strip().upper()),
}


def _marts(settings: Settings) -> dict[str, dict[str, dict]]:
    out = {}
    for mart, (key, _) in EDITED_MARTS.items():
        out[mart] = {key(r): r for r in query_dicts(settings, f"select * from traffic.{mart}")}
    return out


def _latest_edits(edits: list[dict]) -> dict[tuple[str, str, str], dict]:
    """(mart, key, field) -> the edit that counts: the latest (by time, then id)."""
    latest: dict[tuple[str, str, str], dict] = {}
    for e in sorted(edits, key=lambda e: (e["edited_at"], e["id"])):
        latest[(e["table_name"], EDITED_MARTS[e["table_name"]][1](e["business_key"]), e["field"])] = e
    return latest


def test_sandbox_edits_show_and_weekly_exports_are_reconciled(settings: Settings) -> None:
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=11, scale=0.3, now=NOW))
    _run(settings)
    truth = ground_truth(sandbox.entry(settings, "traffic"))

    # 1. the dispatchers' edits (all older than the first sync) show wherever the mart has the row
    edits = truth["tables"]["traficov2_manual_edits"]
    assert all(e["edited_at"] < datetime.now(UTC) for e in edits)
    marts = _marts(settings)
    shown = {
        e["id"]: (mart, key, field, e["value"])
        for (mart, key, field), e in _latest_edits(edits).items()
        if key in marts[mart]
    }
    assert len(shown) >= len(edits) // 2, "most sandbox edits are on rows the marts hold"
    for mart, key, field, value in shown.values():
        assert marts[mart][key][field] == value, (mart, key, field)
    status = dict(query(settings, "select edit_id, status from traffic.traficov2_manual_edit_status"))
    assert {i for i, s in status.items() if s == "applied"} == set(shown)
    assert set(status) == {e["id"] for e in edits}

    # 2. each weekly export against its table, computed here
    found = {
        (r["table_name"], r["business_key"]): (r["discrepancy"], r["differing_fields"])
        for r in query_dicts(settings, "select * from traffic.traficov2_export_reconciliation")
    }
    expected = expected_reconciliation(truth)
    assert found == expected
    kinds = {(table, d) for (table, _), (d, _) in expected.items()}
    assert kinds == {(t, d) for t in RECONCILED for d in ("only_in_export", "only_in_table", "fields_differ")}

    # 3. arribos' export-only fields, from the export's valid row of the same container
    week = valid_rows("arribos", truth["csv"]["arribos_semana.csv"], export=True)
    for key, row in marts["traficov2_arribos"].items():
        source = week.get(key, {})
        flag = clean(source.get("arribado"))
        weight = clean(source.get("Peso"))
        assert (row["arribado"], row["TLAT"], row["Peso"], row["Peligrosa"]) == (
            int(flag) if flag else None,
            clean(source.get("TLAT")),
            Decimal(weight) if weight else None,
            clean(source.get("Peligrosa")),
        ), key
    assert any(row["TLAT"] for row in marts["traficov2_arribos"].values())

    # 4. the exports' invalid containers are rejects, named by file and row
    rejected = set(query(settings, "select source_table, source_row from traffic.traficov2_rejects"))
    for table, (file_name, _, _) in RECONCILED.items():
        bad = {
            (file_name, i)
            for i, r in enumerate(truth["csv"][file_name], start=1)
            if key_of(r["Contenedor"]) and not _valid_container(key_of(r["Contenedor"]))
        }
        assert bad and bad <= rejected, table

    # 5. a change batch: a field the source really changes now shows the source's value; an edit of a
    # field the source left alone still shows (arribos and remisiones, whose rows are the source's own;
    # remisiones with an exit are left out: their Estado comes from Salidas)
    sandbox.change(settings, ["traffic"])
    _run(settings)
    after = ground_truth(sandbox.entry(settings, "traffic"))
    exits = {key_of(s["contenedor"]) for s in after["salidas"] or []}
    marts = _marts(settings)
    kept = 0
    for (mart, key, field), e in _latest_edits(after["tables"]["traficov2_manual_edits"]).items():
        table = {"traficov2_arribos": "arribos", "traficov2_remisiones": "remisiones"}.get(mart)
        if table is None or key not in marts[mart] or key.split("|")[0] in exits:
            continue
        before_row = valid_rows(table, truth["tables"][table]).get(key)
        after_row = valid_rows(table, after["tables"][table])[key]
        if before_row is not None and clean(before_row[field]) != clean(after_row[field]):
            assert marts[mart][key][field] == clean(after_row[field]), (mart, key, field)
        else:
            assert marts[mart][key][field] == e["value"], (mart, key, field)
            kept += 1
    assert kept > 0

"""Traffic extraction, end to end on both warehouses: sandbox -> land -> raw tables hold exactly the source.

Expected values come from the sandbox source itself (read back with plain SQL / the csv module),
never from the extractor's code.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from extract.pipeline import RunOptions, land
from extract.sandbox import traffic as sb
from extract.settings import Settings, activate, sqlalchemy_url
from extract.traffic import land_source, tables_for, traffic_source
from tests.support import query, query_dicts
from tests.traffic.support import make_sandbox

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

# legacy column -> raw column, written out by hand (the contract), not computed by the code under test
RAW_NAMES = {
    "Tipo CNT": "tipo_cnt",
    "Oper.": "oper",
    "Vto. Vacio": "vto_vacio",
    "Obs.": "obs",
    "e-tally": "e_tally",
}
CONTRACT = {
    "arribos": "id terminal turno contenedor cliente booking tipo_cnt oper tiempo estado chofer dimension "
    "fecha",
    "pendiente_desconsolidar": "id contenedor cliente entrega vto_vacio tipo peso cantidad envase estado "
    "chofer",
    "remisiones": "id dia cliente operacion booking contenedor volumen precinto observaciones estado hora "
    "e_tally",
    "arribos_expo_ctns": "id fecha booking cliente cantidad contenedor precinto origen obs estado",
}
CSV_TABLES = {
    "arribos_semana.csv": "csv_arribos_semana",
    "pendiente_desconsolidar.csv": "csv_pendiente_desconsolidar",
    "remisiones_semana.csv": "csv_remisiones_semana",
    "arribos_expo_semana_ctns.csv": "csv_arribos_expo_semana_ctns",
}


def raw(col: str) -> str:
    return RAW_NAMES.get(col, col.lower())


def assert_operational_tables_match(settings: Settings, entry: dict[str, Any]) -> None:
    truth = sb.ground_truth(entry)["tables"]
    for table, cols in CONTRACT.items():
        columns = cols.split()
        got = query(
            settings,
            f"select {', '.join(columns)}, _source_row from raw_traffic.{table} order by _source_row",
        )
        expected = [
            tuple(row.get(next((c for c in row if raw(c) == name), name)) for name in columns)
            for row in truth[table]
        ]
        assert [r[-1] for r in got] == list(range(1, len(expected) + 1)), table
        assert [tuple(r[:-1]) for r in got] == expected, table


def test_land_holds_exactly_the_source(tsettings: Settings) -> None:
    entry = make_sandbox(tsettings)
    result = land_source(tsettings, RunOptions())
    truth = sb.ground_truth(entry)

    assert_operational_tables_match(tsettings, entry)
    # the expo table has no id in the source (as in production): it lands a null id, in physical order
    assert "id" not in truth["tables"]["arribos_expo_ctns"][0]
    assert query(tsettings, "select count(*) from raw_traffic.arribos_expo_ctns where id is not null") == [
        (0,)
    ]
    assert result.rows["arribos"] == len(truth["tables"]["arribos"])

    # contract types
    types = dict(
        query(
            tsettings,
            "select table_name || '.' || column_name, lower(data_type) from information_schema.columns "
            "where table_schema = 'raw_traffic'",
        )
    )
    assert types["arribos.id"] == "bigint"
    assert types["arribos_expo_ctns.id"] == "bigint"
    assert types["arribos_expo_ctns._source_row"] == "bigint"
    assert types["pendiente_desconsolidar.cantidad"] == "bigint"
    assert types["pendiente_desconsolidar.peso"].startswith(("numeric", "decimal"))
    assert types["arribos.oper"] in ("text", "character varying", "varchar")

    # manual edits: every row, typed
    edits = query_dicts(tsettings, "select * from raw_traffic.traficov2_manual_edits order by id")
    src = truth["tables"]["traficov2_manual_edits"]
    assert [
        (e["id"], e["table_name"], e["business_key"], e["field"], e["value"], e["edited_by"]) for e in edits
    ] == [(e["id"], e["table_name"], e["business_key"], e["field"], e["value"], e["edited_by"]) for e in src]
    assert [e["edited_at"].astimezone(UTC) for e in edits] == [e["edited_at"] for e in src]

    # weekly exports: verbatim text, file order
    for file_name, table in CSV_TABLES.items():
        with (Path(entry["csv_folder"]) / file_name).open(newline="", encoding="utf-8") as fh:
            header, *lines = list(csv.reader(fh))
        columns = [raw(c) for c in header]
        got = query(
            tsettings,
            f"select {', '.join(columns)}, _file_name, _row_number "
            f"from raw_traffic.{table} order by _row_number",
        )
        assert [tuple(r[:-2]) for r in got] == [tuple(line) for line in lines], table
        assert {r[-2] for r in got} == {file_name}
        assert [r[-1] for r in got] == list(range(1, len(lines) + 1))
    turns = {r[0] for r in query(tsettings, "select turno from raw_traffic.csv_arribos_semana")}
    assert any(t.endswith(" ") for t in turns), "trailing spaces kept"
    assert (
        query(tsettings, "select count(*) from raw_traffic.csv_arribos_semana where contenedor = '-'")[0][0]
        > 0
    )

    # exits, when the sandbox has them (PostgreSQL + ODBC driver present)
    if truth["salidas"] is not None:
        got = query(
            tsettings, "select contenedor, fecha_egr, validada from raw_traffic.salidas order by 2, 1"
        )
        assert got == [(s["contenedor"], s["fecha_egr"], s["validada"]) for s in truth["salidas"]]


def test_change_batch_replaces_snapshots(tsettings: Settings) -> None:
    entry = make_sandbox(tsettings, expo_with_id=True)
    land_source(tsettings, RunOptions())
    before = {t: {r[0] for r in query(tsettings, f"select id from raw_traffic.{t}")} for t in CONTRACT}

    changed = sb.change_into(entry, 1)
    land_source(tsettings, RunOptions())

    assert_operational_tables_match(tsettings, entry)
    truth = sb.ground_truth(entry)["tables"]
    for table in CONTRACT:
        now_ids = {r["id"] for r in truth[table]}
        gone = before[table] - now_ids
        assert len(gone) == changed[f"{table}.deleted"] > 0, table
        landed = {r[0] for r in query(tsettings, f"select id from raw_traffic.{table}")}
        assert landed == now_ids and not (gone & landed), table
    # the remisiones export of an odd batch is empty: one placeholder row
    rows = query(tsettings, "select * from raw_traffic.csv_remisiones_semana")
    assert len(rows) == 1
    assert query(
        tsettings, "select cliente, contenedor, _row_number from raw_traffic.csv_remisiones_semana"
    ) == [("-", "-", 1)]
    edits = query(tsettings, "select count(*) from raw_traffic.traficov2_manual_edits")[0][0]
    assert edits == len(truth["traficov2_manual_edits"])


def test_dry_run_lands_nothing(duckdb_settings: Settings) -> None:
    make_sandbox(duckdb_settings, salidas=False)
    result = land_source(duckdb_settings, RunOptions(dry_run=True))
    assert result.dry_run and result.rows["arribos"] > 0
    assert not duckdb_settings.duckdb_path.exists() or query(
        duckdb_settings, "select count(*) from information_schema.tables where table_schema = 'raw_traffic'"
    ) == [(0,)]


def test_one_table_only(duckdb_settings: Settings) -> None:
    make_sandbox(duckdb_settings, salidas=False)
    result = land_source(duckdb_settings, RunOptions(tables=("arribos",)))
    # the values of arribos that do not fit their column land beside it, with their reasons
    assert set(result.rows) - {"type_rejects"} == {"arribos"}
    with pytest.raises(ValueError, match="known: arribos"):
        tables_for(RunOptions(tables=("nope",)))


def test_expo_without_id_keeps_physical_order_after_changes(tsettings: Settings) -> None:
    """Without id, physical order (SQLite rowid, PostgreSQL ctid) is the source order, also after changes."""
    entry = make_sandbox(tsettings)
    sb.change_into(entry, 2)
    land(tsettings, "traffic", traffic_source())
    assert_operational_tables_match(tsettings, entry)
    peso = query(tsettings, "select peso from raw_traffic.pendiente_desconsolidar order by _source_row")
    truth = sb.ground_truth(entry)["tables"]["pendiente_desconsolidar"]
    assert [p[0] for p in peso] == [Decimal(r["Peso"]) for r in truth]


def _execute(entry: dict[str, Any], sql: str) -> None:
    """``sql`` on the sandbox's operational database (SQLite file or PostgreSQL schema)."""
    engine = sa.create_engine(sqlalchemy_url(entry["credentials"]))
    with engine.begin() as conn:
        if entry["schema"]:
            conn.execute(sa.text(f'set search_path to "{entry["schema"]}"'))
        conn.execute(sa.text(sql))
    engine.dispose()


def test_emptied_source_empties_raw(duckdb_settings: Settings) -> None:
    """Every row deleted at the source (and a header-only export) -> the raw snapshot is empty too."""
    entry = make_sandbox(duckdb_settings, salidas=False)
    opts = RunOptions(tables=("remisiones", "csv_remisiones_semana"))
    land_source(duckdb_settings, opts)
    _execute(entry, "delete from remisiones")
    export = Path(entry["csv_folder"]) / "remisiones_semana.csv"
    export.write_text(export.read_text(encoding="utf-8").splitlines()[0] + "\r\n", encoding="utf-8")
    land_source(duckdb_settings, opts)
    assert query(duckdb_settings, "select count(*) from raw_traffic.remisiones") == [(0,)]
    assert query(duckdb_settings, "select count(*) from raw_traffic.csv_remisiones_semana") == [(0,)]


@pytest.mark.postgres
def test_emptied_postgres_table_empties_raw(postgres_settings: Settings) -> None:
    """The same from a PostgreSQL source, read through ConnectorX (whose stream of an empty table is one
    empty batch), into DuckDB."""
    entry = make_sandbox(postgres_settings, salidas=False)
    settings = replace(postgres_settings, target="duckdb")
    activate(settings)
    opts = RunOptions(tables=("remisiones", "arribos"))
    land_source(settings, opts)
    _execute(entry, "delete from remisiones")
    land_source(settings, opts)
    assert query(settings, "select count(*) from raw_traffic.remisiones") == [(0,)]
    assert query(settings, "select count(*) from raw_traffic.arribos") == [(entry["rows"]["arribos"],)]


@pytest.mark.postgres
def test_a_numeric_nan_is_read_as_null(postgres_settings: Settings) -> None:
    """A ``Peso`` NaN in the PostgreSQL operational table (which ConnectorX cannot convert) lands as null
    instead of failing the table; every other row and value lands as it is."""
    entry = make_sandbox(postgres_settings, salidas=False)
    _execute(entry, "update pendiente_desconsolidar set \"Peso\" = 'NaN' where id in (1, 2)")
    truth = sb.ground_truth(entry)["tables"]["pendiente_desconsolidar"]

    land_source(postgres_settings, RunOptions(tables=("pendiente_desconsolidar",)))

    got = query(postgres_settings, "select id, peso from raw_traffic.pendiente_desconsolidar order by id")
    expected = [(r["id"], None if r["id"] in (1, 2) else Decimal(r["Peso"])) for r in truth]
    assert got == expected

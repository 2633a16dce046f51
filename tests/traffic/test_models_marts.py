"""The traffic dbt models on both warehouses, from raw tables created by the test.

Each test writes hand-made raw rows (the `raw_traffic` contract), runs `dbt build` on the traffic
models and compares the marts with expectations worked out by hand from those rows.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from extract.dbt import run_dbt
from extract.settings import Settings
from tests.support import execute, query, query_dicts
from tests.traffic.support import (
    A1,
    A2,
    A3,
    E1,
    E2,
    E3,
    E4,
    F1,
    LOAD_1,
    LOAD_2,
    P1,
    P2,
    R1,
    R2,
    T1,
    as_export,
    base_tables,
    container,
    write_raw,
)

SELECT = ["build", "--select", "+tag:traffic"]
# later runs skip the data and unit tests (the first test runs them): the machine is shared
FAST = ["--exclude-resource-type", "test", "unit_test"]


def build(settings: Settings, *extra: str) -> None:
    result = run_dbt(settings, [*SELECT, *extra], quiet=True)
    assert result.ok, result.failures


def rows_by(settings: Settings, table: str, key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in query_dicts(settings, f"select * from traffic.{table}")}


def sync_log(settings: Settings) -> list[dict[str, Any]]:
    rows = query_dicts(settings, "select * from traffic.traficov2_sync_log order by sync_timestamp, event_id")
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


def pick(row: dict[str, Any], *columns: str) -> tuple:
    return tuple(row[c] for c in columns)


def test_marts_equal_hand_computed_rows(settings: Settings) -> None:
    write_raw(settings, base_tables(), LOAD_1)
    build(settings)

    arribos = rows_by(settings, "traficov2_arribos", "Contenedor")
    cols = (
        "Terminal",
        "Turno",
        "Cliente",
        "Booking",
        "Tipo CNT",
        "Oper.",
        "Tiempo",
        "Estado",
        "Chofer",
        "Dimension",
        "Fecha",
        "source_id",
    )
    assert {k: pick(v, *cols) for k, v in arribos.items()} == {
        "OOCU-048760-4": (
            "TRP",
            dt.time(8, 30),
            "Maderera Del Sur",
            "BK20261001",
            "40HC",
            "IMPO",
            "2",
            "Pendiente arribo",
            "Perez",
            "70",
            dt.date(2026, 11, 19),
            11,
        ),
        A2: (
            "Exolgan",
            dt.time(14, 30),
            "Quimica Ar",
            None,
            "20DV",
            "IMPO",
            "1",
            "14:30 Arribado",
            None,
            "30",
            dt.date(2026, 11, 18),
            12,
        ),
    }
    assert A1 == "OOCU-048760-4"

    pendiente = rows_by(settings, "traficov2_pendiente_desconsolidar", "Contenedor")
    cols = ("Cliente", "Entrega", "Vto. Vacio", "Tipo", "Peso", "Cantidad", "Envase", "Estado", "Chofer")
    assert {k: pick(v, *cols) for k, v in pendiente.items()} == {
        # exit 2026-11-19 16:45 (Argentina local) -> Realizado; '02/01' loaded 2026-11-20 -> 2027
        P1: (
            "Textil Norte",
            "Deposito",
            dt.date(2027, 1, 2),
            "40HC",
            Decimal("12500.5"),
            3,
            "Pallets",
            "Realizado 19/11/2026 16:45 2026-11-19 17:02",
            "Gomez",
        ),
        P2: (
            "Vinos Sa",
            "Cliente",
            dt.date(2026, 11, 25),
            "20DV",
            Decimal("8000"),
            10,
            "Cajas",
            "Pte. Desc.",
            None,
        ),
    }

    remisiones = rows_by(settings, "traficov2_remisiones", "Operacion")
    cols = (
        "Dia",
        "Contenedor",
        "Booking",
        "Observaciones",
        "Estado",
        "Hora",
        "e-tally",
        "Chofer",
        "Fecha y Hora Fin",
    )
    assert {k: pick(v, *cols) for k, v in remisiones.items()} == {
        "5012-1-1": (
            dt.date(2026, 11, 20),
            R1,
            "EBKG0001",
            "Fragil",
            "07:05 Realizado",
            dt.time(9, 5),
            "ET-1",
            None,
            dt.datetime(2026, 11, 20, 7, 5),
        ),
        "5012-1-2": (
            dt.date(2026, 11, 20),
            R2,
            "EBKG0001",
            None,
            "En curso",
            dt.time(10, 15),
            "ET-2",
            None,
            None,
        ),
    }

    expo = rows_by(settings, "traficov2_arribos_ctns_expo", "Booking")
    cols = ("Fecha", "Cliente", "Cantidad", "Contenedor", "Precinto", "Origen", "Obs.", "Estado")
    assert {k: pick(v, *cols) for k, v in expo.items()} == {
        "64179524": (
            dt.date(2026, 11, 20),
            "Frigorifico",
            2,
            f"{T1}, {F1}",
            "S-88",
            "Zarate",
            "urgente",
            "Pendiente",
        ),
        # 3 expanded rows take E1, E2 (E4 is already used by the booking's own row); E4 comes after
        "EXPBK777001": (
            dt.date(2026, 11, 21),
            "Granos Sa",
            4,
            f"{E1}, {E2}, {E4}",
            None,
            "Rosario",
            None,
            "Pendiente",
        ),
        # 2 expanded rows, one available container: the surplus row stays without one
        "EXPBK777002": (dt.date(2026, 11, 21), "Granos Sa", 2, E3, None, "Rosario", None, "Pendiente"),
    }
    assert f"{T1}, {F1}" == "TCLU-953831-4, FANU-117537-6"
    # the raw expo table has no `id` (as in production): source_id is the first row's position
    assert {k: v["source_id"] for k, v in expo.items()} == {"64179524": 1, "EXPBK777001": 3, "EXPBK777002": 4}

    rejects = {
        (r[0], r[1]): r[2]
        for r in query(settings, "select source_table, source_row, reasons from traffic.traficov2_rejects")
    }
    assert rejects == {
        ("arribos", 3): "invalid container check digit",
        ("arribos", 4): "missing contenedor",
        ("arribos", 5): "invalid booking",
        ("arribos", 6): "duplicate container_key",
        ("arribos", 7): "invalid container format",
        ("arribos", 8): "unparseable fecha; unparseable turno",
        ("pendiente_desconsolidar", 3): "cantidad not positive",
        ("remisiones", 3): "missing operacion",
        ("arribos_expo_ctns", 6): "invalid booking",
        ("arribos_expo_ctns", 7): "missing cliente",
    }
    # a rejected row is in no mart
    assert A3 not in arribos and "TGHU-1234" not in arribos and F1 not in arribos
    assert T1 not in arribos and "BAD" not in expo and "EXPBK777003" not in expo
    assert all(row["fecha_registro"] == row["fecha_modificacion"] for row in arribos.values())

    log = sync_log(settings)
    assert sorted((r["table_name"], r["operation"], r["target_id"]) for r in log) == sorted(
        [("traficov2_arribos", "INSERT", k) for k in ("OOCU0487604", "CSQU3054383")]
        + [("traficov2_pendiente_desconsolidar", "INSERT", k.replace("-", "")) for k in (P1, P2)]
        + [
            ("traficov2_remisiones", "INSERT", f"{R1.replace('-', '')}|5012-1-1"),
            ("traficov2_remisiones", "INSERT", f"{R2.replace('-', '')}|5012-1-2"),
        ]
        + [("traficov2_arribos_ctns_expo", "INSERT", k) for k in ("64179524", "EXPBK777001", "EXPBK777002")]
    )
    insert = next(r for r in log if r["target_id"] == "OOCU0487604")
    assert insert["details"]["Chofer"] == {"old": None, "new": "Perez"}
    assert insert["source_table"] == "arribos" and insert["source_id"] == 11
    assert query(settings, "select count(*) from traffic.traficov2_chofer_writeback") == [(0,)]


def test_history_sync_log_and_manual_edits(settings: Settings) -> None:
    """Change batch -> exact sync-log events; no-change re-run writes nothing; edits survive."""
    tables = base_tables()
    write_raw(settings, tables, LOAD_1)
    build(settings, *FAST)
    first_log = sync_log(settings)
    first_arribos = rows_by(settings, "traficov2_arribos", "Contenedor")

    # a re-run without any source change writes nothing and moves nothing
    write_raw(settings, tables, LOAD_2)
    build(settings, *FAST)
    assert sync_log(settings) == first_log
    assert rows_by(settings, "traficov2_arribos", "Contenedor") == first_arribos

    # change batch: one row changed, one container removed (both its rows), one added; an expo
    # booking row now carries its container; plus dispatchers' edits made after the first sync
    arribos = [dict(r) for r in tables["arribos"]]
    arribos[0]["estado"] = "08:40 Arribado"
    arribos[0]["turno"] = "0830"  # only the trailing space removed: no real change
    new_container = container("MSKU", "556617")
    added = {**arribos[1], "id": 19, "contenedor": new_container, "cliente": "Nuevo", "_source_row": 9}
    arribos = [arribos[0], *arribos[2:5], *arribos[6:], added]
    expo = [dict(r) for r in tables["arribos_expo_ctns"]]
    expo[3].update(contenedor=E3, cantidad=1)
    now = dt.datetime.now(dt.UTC)
    edits = [
        {
            "id": 1,
            "table_name": "traficov2_arribos",
            "business_key": A1,
            "field": "Chofer",
            "value": "Rodriguez",
            "edited_at": now,
            "edited_by": "despacho1",
        },
        {
            "id": 2,
            "table_name": "traficov2_remisiones",
            "business_key": f"{R2}|5012-1-2",
            "field": "Observaciones",
            "value": "Revisar precinto",
            "edited_at": now,
            "edited_by": "despacho2",
        },
        {
            "id": 3,
            "table_name": "traficov2_arribos_ctns_expo",
            "business_key": "64179524",
            "field": "Obs.",
            "value": "Prioridad",
            "edited_at": now,
            "edited_by": "despacho1",
        },
        {
            "id": 4,
            "table_name": "traficov2_arribos_ctns_expo",
            "business_key": "64179524",
            "field": "Chofer",
            "value": "Sosa",
            "edited_at": now,
            "edited_by": "despacho1",
        },
        # an older edit of the same field loses to the later one
        {
            "id": 5,
            "table_name": "traficov2_arribos",
            "business_key": A1,
            "field": "Chofer",
            "value": "Viejo",
            "edited_at": now - dt.timedelta(seconds=1),
            "edited_by": "despacho3",
        },
    ]
    changed = {**tables, "arribos": arribos, "arribos_expo_ctns": expo, "traficov2_manual_edits": edits}
    write_raw(settings, changed, LOAD_2)
    build(settings, *FAST)

    known = {e["event_id"] for e in first_log}
    new_events = [r for r in sync_log(settings) if r["event_id"] not in known]
    summary = sorted((r["table_name"], r["operation"], r["target_id"], r["source_id"]) for r in new_events)
    assert summary == sorted(
        [
            ("traficov2_arribos", "UPDATE", "OOCU0487604", 11),
            ("traficov2_arribos", "DELETE", "CSQU3054383", 12),
            ("traficov2_arribos", "INSERT", new_container.replace("-", ""), 19),
            # expo has no `id`: the booking's first row's position (source_row 4)
            ("traficov2_arribos_ctns_expo", "UPDATE", "EXPBK777002", 4),
        ]
    )
    by_key = {r["target_id"]: r for r in new_events}
    assert by_key["OOCU0487604"]["details"] == {
        "Estado": {"old": "Pendiente arribo", "new": "08:40 Arribado"}
    }
    assert by_key["EXPBK777002"]["details"] == {"Cantidad": {"old": "2", "new": "1"}}
    assert by_key["CSQU3054383"]["details"]["Contenedor"] == {"old": A2, "new": None}
    assert by_key[new_container.replace("-", "")]["details"]["Cliente"] == {"old": None, "new": "Nuevo"}

    arribos_mart = rows_by(settings, "traficov2_arribos", "Contenedor")
    assert set(arribos_mart) == {A1, new_container}
    assert arribos_mart[A1]["fecha_registro"] == first_arribos[A1]["fecha_registro"]
    assert arribos_mart[A1]["fecha_modificacion"] > first_arribos[A1]["fecha_modificacion"]
    assert all(
        r["fecha_modificacion"] == r["fecha_registro"]
        for r in rows_by(settings, "traficov2_pendiente_desconsolidar", "Contenedor").values()
    )

    def assert_edits_applied() -> None:
        assert rows_by(settings, "traficov2_arribos", "Contenedor")[A1]["Chofer"] == "Rodriguez"
        remision = rows_by(settings, "traficov2_remisiones", "Operacion")["5012-1-2"]
        assert remision["Observaciones"] == "Revisar precinto"
        expo_row = rows_by(settings, "traficov2_arribos_ctns_expo", "Booking")["64179524"]
        assert (expo_row["Obs."], expo_row["Chofer"]) == ("Prioridad", "Sosa")
        writeback = {
            pick(r, "source_table", "contenedor", "chofer", "source_chofer")
            for r in query_dicts(settings, "select * from traffic.traficov2_chofer_writeback")
        }
        assert writeback == {
            ("arribos", " oocu-048760-4 ", "Rodriguez", "Perez"),
            ("arribos_expo_ctns", T1, "Sosa", None),
            ("arribos_expo_ctns", F1, "Sosa", None),
        }

    assert_edits_applied()
    log_after_change = sync_log(settings)

    # full refresh: edits re-applied, history kept, no new events
    build(settings, *FAST, "--full-refresh")
    assert_edits_applied()
    assert sync_log(settings) == log_after_change

    # later source change of the edited field wins (field by field); the removed container returns
    arribos[0]["chofer"] = "Lopez"
    back = {**tables["arribos"][1], "_source_row": 10}
    write_raw(settings, {**changed, "arribos": [*arribos, back]}, LOAD_2)
    build(settings, *FAST)
    assert rows_by(settings, "traficov2_arribos", "Contenedor")[A1]["Chofer"] == "Lopez"
    assert rows_by(settings, "traficov2_remisiones", "Operacion")["5012-1-2"]["Observaciones"] == (
        "Revisar precinto"
    )
    assert (
        query(
            settings,
            "select contenedor from traffic.traficov2_chofer_writeback where source_table = 'arribos'",
        )
        == []
    )
    returned = [r["operation"] for r in sync_log(settings) if r["target_id"] == "CSQU3054383"]
    assert returned == ["INSERT", "DELETE", "INSERT"]
    chofer_update = [
        r for r in sync_log(settings) if r["target_id"] == "OOCU0487604" and r not in log_after_change
    ]
    assert [r["details"] for r in chofer_update] == [{"Chofer": {"old": "Perez", "new": "Lopez"}}]


def test_sync_log_incremental_equals_full_refresh_and_reads_only_new_versions(settings: Settings) -> None:
    """After several change batches the incremental sync log equals a rebuild from every snapshot
    version; an incremental run computes only the new versions' events, so an old event removed by
    hand comes back only with `--full-refresh`."""
    log_only = ["--select", "+traficov2_sync_log", *FAST]
    tables = base_tables()
    write_raw(settings, tables, LOAD_1)
    build(settings, *log_only)

    # batch 1: a change, a container removed (both its rows), an expo booking gets its container
    arribos = [dict(r) for r in tables["arribos"]]
    arribos[0]["estado"] = "08:40 Arribado"
    expo = [dict(r) for r in tables["arribos_expo_ctns"]]
    expo[3].update(contenedor=E3, cantidad=1)
    batch = {**tables, "arribos": [arribos[0], *arribos[2:5], *arribos[6:]], "arribos_expo_ctns": expo}
    write_raw(settings, batch, LOAD_2)
    build(settings, *log_only)
    # batch 2: the removed container returns, another field of the changed row changes
    arribos[0]["chofer"] = "Lopez"
    back = {**tables["arribos"][1], "_source_row": 10}
    batch = {**batch, "arribos": [*batch["arribos"], back]}
    write_raw(settings, batch, LOAD_2)
    build(settings, *log_only)
    # batch 3: the first container removed, the returned one changes
    back["cliente"] = "Quimica Sur"
    batch = {**batch, "arribos": [r for r in batch["arribos"] if r is not arribos[0]]}
    write_raw(settings, batch, LOAD_2)
    build(settings, *log_only)

    incremental = sync_log(settings)
    a1_key = A1.replace("-", "")
    a2_key = A2.replace("-", "")
    assert [r["operation"] for r in incremental if r["target_id"] == a1_key] == [
        "INSERT",
        "UPDATE",
        "UPDATE",
        "DELETE",
    ]
    assert [r["operation"] for r in incremental if r["target_id"] == a2_key] == [
        "INSERT",
        "DELETE",
        "INSERT",
        "UPDATE",
    ]
    build(settings, "--select", "traficov2_sync_log", *FAST, "--full-refresh")
    assert sync_log(settings) == incremental

    # arribos' oldest event removed by hand (its table has later events): an incremental run does
    # not compute it again
    oldest = next(r for r in incremental if r["table_name"] == "traficov2_arribos")
    assert (
        oldest["sync_timestamp"]
        < incremental[-1]["sync_timestamp"]
        == max(r["sync_timestamp"] for r in incremental if r["table_name"] == "traficov2_arribos")
    )
    execute(settings, f"delete from traffic.traficov2_sync_log where event_id = '{oldest['event_id']}'")
    build(settings, *log_only)
    assert sync_log(settings) == [r for r in incremental if r is not oldest]
    build(settings, "--select", "traficov2_sync_log", *FAST, "--full-refresh")
    assert sync_log(settings) == incremental


def test_optional_sources_not_landed_yet_and_rules_configurable(settings: Settings) -> None:
    """Without exits (no ODBC driver), manual edits or the CSV list the models still build; the
    validation rules follow the dbt vars (here: no ISO 6346 check digit, Booking optional)."""
    tables = base_tables()
    operational = ("arribos", "pendiente_desconsolidar", "remisiones", "arribos_expo_ctns")
    write_raw(settings, {name: tables[name] for name in operational}, LOAD_1)
    rules = {
        "traffic_container_check_digit": False,
        "traffic_required_fields": {  # a dict var is replaced as a whole
            "arribos": ["contenedor"],
            "pendiente_desconsolidar": ["contenedor"],
            "remisiones": ["contenedor", "operacion"],
            "arribos_expo_ctns": ["cliente", "cantidad"],
        },
    }
    result = run_dbt(settings, [*SELECT, *FAST], vars=rules, quiet=True)
    assert result.ok, result.failures
    assert A3 in rows_by(settings, "traficov2_arribos", "Contenedor")
    rejects = {
        (r[0], r[1])
        for r in query(settings, "select source_table, source_row from traffic.traficov2_rejects")
    }
    assert ("arribos", 3) not in rejects and ("arribos", 7) in rejects and ("arribos", 4) in rejects
    pendiente = rows_by(settings, "traficov2_pendiente_desconsolidar", "Contenedor")
    assert pendiente[P1]["Estado"] == "Pte. Desc."
    expo = rows_by(settings, "traficov2_arribos_ctns_expo", "Booking")
    assert {k: v["Contenedor"] for k, v in expo.items()} == {
        "64179524": f"{T1}, {F1}",
        "EXPBK777001": E4,
        "EXPBK777002": "-",
    }


def edit(edit_id: int, table: str, key: str, field: str, value: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "id": edit_id,
        "table_name": table,
        "business_key": key,
        "field": field,
        "value": value,
        "edited_at": at,
        "edited_by": "despacho1",
    }


def test_edits_older_than_the_first_sync_apply_until_the_source_changes_the_field(settings: Settings) -> None:
    """Dispatchers edit rows that exist, often before this project first sees them: first sight is no
    source change, so those edits show; a later real change of the field at the source wins."""
    before = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    tables = base_tables()
    tables["traficov2_manual_edits"] = [
        edit(1, "traficov2_arribos", A1, "Chofer", "Sosa L.", before),
        edit(2, "traficov2_arribos", A2, "Estado", "Pendiente ingreso", before),
        edit(3, "traficov2_remisiones", f"{R2}|5012-1-2", "Observaciones", "Revisar precinto", before),
        edit(4, "traficov2_arribos_ctns_expo", "64179524", "Obs.", "Prioridad", before),
        # a later edit of the same field replaces an earlier one
        edit(5, "traficov2_pendiente_desconsolidar", P2, "Chofer", "Viejo", before - dt.timedelta(hours=1)),
        edit(6, "traficov2_pendiente_desconsolidar", P2, "Chofer", "Diaz C.", before),
        # a rejected row (bad check digit) is in no mart: its edit cannot show
        edit(7, "traficov2_arribos", A3, "Chofer", "Ruiz H.", before),
    ]
    write_raw(settings, tables, LOAD_1)
    build(settings, *FAST)

    arribos = rows_by(settings, "traficov2_arribos", "Contenedor")
    assert arribos[A1]["Chofer"] == "Sosa L."
    assert arribos[A2]["Estado"] == "Pendiente ingreso"
    assert rows_by(settings, "traficov2_remisiones", "Operacion")["5012-1-2"]["Observaciones"] == (
        "Revisar precinto"
    )
    assert rows_by(settings, "traficov2_arribos_ctns_expo", "Booking")["64179524"]["Obs."] == "Prioridad"
    assert rows_by(settings, "traficov2_pendiente_desconsolidar", "Contenedor")[P2]["Chofer"] == "Diaz C."
    # an edit older than the first sighting does not move fecha_modificacion before fecha_registro
    assert arribos[A1]["fecha_modificacion"] == arribos[A1]["fecha_registro"]
    status = dict(query(settings, "select edit_id, status from traffic.traficov2_manual_edit_status"))
    assert status == {
        1: "applied",
        2: "applied",
        3: "applied",
        4: "applied",
        5: "superseded",
        6: "applied",
        7: "no_current_row",
    }

    # the source changes A1's Chofer (a real change, after the edit): the source wins for that field
    # only; A2's Estado edit stays while A2 changes another field
    changed = [dict(r) for r in tables["arribos"]]
    changed[0]["chofer"] = "Lopez"
    changed[1]["tiempo"] = "3"
    write_raw(settings, {**tables, "arribos": changed}, LOAD_2)
    build(settings, *FAST)
    arribos = rows_by(settings, "traficov2_arribos", "Contenedor")
    assert arribos[A1]["Chofer"] == "Lopez"
    assert (arribos[A2]["Estado"], arribos[A2]["Tiempo"]) == ("Pendiente ingreso", "3")
    status = dict(query(settings, "select edit_id, status from traffic.traficov2_manual_edit_status"))
    assert status[1] == "source_changed" and status[2] == "applied"


def test_weekly_exports_reconciled_rejected_and_export_fields_carried(settings: Settings) -> None:
    """Three weekly exports against their tables: rows only in the export, only in the table, fields
    that differ; invalid export rows rejected with reasons; arribos' export-only fields in the mart."""
    tables = base_tables()
    arribos, pendiente = tables["arribos"], tables["pendiente_desconsolidar"]
    remisiones = tables["remisiones"]
    only_in_export = container("MSKU", "556617")
    bad_digit = container("TRHU", "100200", valid=False)
    extra = {"arribado": "1", "tlat": "TLAT-4411", "peso": "12500,5", "peligrosa": "NO"}
    arribos_export = [
        {**arribos[0], "estado": "08:40 Arribado", **extra},  # A1, Estado differs from the table
        # A2: the same as the table (a turn written another way is the same turn)
        {**arribos[1], "turno": "1430", "arribado": "0", "tlat": "", "peso": "8000", "peligrosa": "SI"},
        {k: "-" for k in arribos[0]},  # placeholder row: no data
        {**arribos[1], "contenedor": only_in_export, "cliente": "Solo Export", "arribado": "0"},
        {**arribos[1], "contenedor": bad_digit, "arribado": "0"},  # rejected: check digit
        {**arribos[1], "contenedor": container("TRHU", "100201"), "peso": "mucho"},  # rejected: peso
    ]
    pendiente_export = [{**pendiente[0], "peso": "12500.50"}]  # P1 only; P2 only in the table
    remisiones_export = [{k: "-" for k in remisiones[0]}]  # an empty week: one placeholder row
    write_raw(
        settings,
        {
            **tables,
            "csv_arribos_semana": as_export("arribos_semana.csv", arribos_export),
            "csv_pendiente_desconsolidar": as_export("pendiente_desconsolidar.csv", pendiente_export),
            "csv_remisiones_semana": as_export("remisiones_semana.csv", remisiones_export),
        },
        LOAD_1,
    )
    build(settings, *FAST)

    found = {
        (r["table_name"], r["business_key"]): r
        for r in query_dicts(settings, "select * from traffic.traficov2_export_reconciliation")
    }
    summary = {k: (r["export_file"], r["discrepancy"], r["differing_fields"]) for k, r in found.items()}
    p2_key = P2.replace("-", "")
    assert summary == {
        ("arribos", "OOCU0487604"): ("arribos_semana.csv", "fields_differ", "Estado"),
        ("arribos", only_in_export.replace("-", "")): ("arribos_semana.csv", "only_in_export", None),
        ("pendiente_desconsolidar", p2_key): ("pendiente_desconsolidar.csv", "only_in_table", None),
        ("remisiones", f"{R1.replace('-', '')}|5012-1-1"): ("remisiones_semana.csv", "only_in_table", None),
        ("remisiones", f"{R2.replace('-', '')}|5012-1-2"): ("remisiones_semana.csv", "only_in_table", None),
    }
    details = found[("arribos", "OOCU0487604")]["details"]
    details = json.loads(details) if isinstance(details, str) else details
    assert details == {"Estado": {"export": "08:40 Arribado", "table": "Pendiente arribo"}}
    assert pick(found[("arribos", "OOCU0487604")], "export_row", "source_row", "source_id") == (1, 1, 11)
    assert pick(found[("pendiente_desconsolidar", p2_key)], "export_row", "source_row", "source_id") == (
        None,
        2,
        22,
    )

    rejects = {
        (r[0], r[1]): r[2]
        for r in query(
            settings,
            "select source_table, source_row, reasons from traffic.traficov2_rejects where source_table"
            " not in ('arribos', 'pendiente_desconsolidar', 'remisiones', 'arribos_expo_ctns')",
        )
    }
    assert rejects == {
        ("arribos_semana.csv", 5): "invalid container check digit",
        ("arribos_semana.csv", 6): "unparseable peso",
    }

    arribos_mart = rows_by(settings, "traficov2_arribos", "Contenedor")
    cols = ("arribado", "TLAT", "Peso", "Peligrosa")
    assert {k: pick(v, *cols) for k, v in arribos_mart.items()} == {
        A1: (1, "TLAT-4411", Decimal("12500.5"), "NO"),
        A2: (0, None, Decimal("8000"), "SI"),
    }
    assert only_in_export not in arribos_mart  # the export adds fields, never rows

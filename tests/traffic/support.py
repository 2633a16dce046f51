"""Support of the traffic tests: hand-made raw rows (the raw contract of `raw_traffic`) and helpers to
write them, and the sandbox of the extraction tests.

The tables are created directly with SQL, as dlt would land them: operational tables and CSV
exports replaced as a whole on every load, every source value text, `_source_row`/`_row_number`
for source order and `_dlt_load_id` (the load's unix time as text).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb
import psycopg2

from extract.sandbox import SandboxOptions, write_entry
from extract.sandbox import traffic as sb
from extract.settings import Settings, activate
from tests.support import iso6346_check_digit

LOAD_1 = "1795176000.000001"  # 2026-11-20 12:00 UTC
LOAD_2 = "1795262400.000001"  # 2026-11-21 12:00 UTC

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "arribos": [
        ("id", "bigint"),
        ("terminal", "text"),
        ("turno", "text"),
        ("contenedor", "text"),
        ("cliente", "text"),
        ("booking", "text"),
        ("tipo_cnt", "text"),
        ("oper", "text"),
        ("tiempo", "text"),
        ("estado", "text"),
        ("chofer", "text"),
        ("dimension", "text"),
        ("fecha", "text"),
        ("_source_row", "bigint"),
    ],
    "pendiente_desconsolidar": [
        ("id", "bigint"),
        ("contenedor", "text"),
        ("cliente", "text"),
        ("entrega", "text"),
        ("vto_vacio", "text"),
        ("tipo", "text"),
        ("peso", "numeric"),
        ("cantidad", "bigint"),
        ("envase", "text"),
        ("estado", "text"),
        ("chofer", "text"),
        ("_source_row", "bigint"),
    ],
    "remisiones": [
        ("id", "bigint"),
        ("dia", "text"),
        ("cliente", "text"),
        ("operacion", "text"),
        ("booking", "text"),
        ("contenedor", "text"),
        ("volumen", "text"),
        ("precinto", "text"),
        ("observaciones", "text"),
        ("estado", "text"),
        ("hora", "text"),
        ("e_tally", "text"),
        ("_source_row", "bigint"),
    ],
    # production table without `id`: the models must cope
    "arribos_expo_ctns": [
        ("fecha", "text"),
        ("booking", "text"),
        ("cliente", "text"),
        ("cantidad", "bigint"),
        ("contenedor", "text"),
        ("precinto", "text"),
        ("origen", "text"),
        ("obs", "text"),
        ("estado", "text"),
        ("_source_row", "bigint"),
    ],
    "csv_arribos_expo_semana_ctns": [
        ("fecha", "text"),
        ("booking", "text"),
        ("cliente", "text"),
        ("contenedor", "text"),
        ("_file_name", "text"),
        ("_row_number", "bigint"),
    ],
    # the weekly exports reconciled with their tables: every column text, as the files hold them
    "csv_arribos_semana": [
        (name, "text")
        for name in (
            "terminal",
            "turno",
            "contenedor",
            "cliente",
            "booking",
            "tipo_cnt",
            "oper",
            "tiempo",
            "estado",
            "chofer",
            "dimension",
            "fecha",
            "arribado",
            "tlat",
            "peso",
            "peligrosa",
            "_file_name",
        )
    ]
    + [("_row_number", "bigint")],
    "csv_pendiente_desconsolidar": [
        (name, "text")
        for name in (
            "contenedor",
            "cliente",
            "entrega",
            "vto_vacio",
            "tipo",
            "peso",
            "cantidad",
            "envase",
            "estado",
            "chofer",
            "_file_name",
        )
    ]
    + [("_row_number", "bigint")],
    "csv_remisiones_semana": [
        (name, "text")
        for name in (
            "dia",
            "cliente",
            "operacion",
            "booking",
            "contenedor",
            "volumen",
            "precinto",
            "observaciones",
            "estado",
            "hora",
            "e_tally",
            "_file_name",
        )
    ]
    + [("_row_number", "bigint")],
    "salidas": [("contenedor", "text"), ("fecha_egr", "timestamp"), ("validada", "text")],
    "traficov2_manual_edits": [
        ("id", "bigint"),
        ("table_name", "text"),
        ("business_key", "text"),
        ("field", "text"),
        ("value", "text"),
        ("edited_at", "timestamptz"),
        ("edited_by", "text"),
    ],
}


def container(owner: str, serial: str, valid: bool = True) -> str:
    """A container written the legacy way, `ABCU-123456-7`, with a right or wrong check digit."""
    digit = iso6346_check_digit(owner + serial)
    if not valid:
        digit = (digit + 1) % 10
    return f"{owner}-{serial}-{digit}"


def write_raw(settings: Settings, tables: dict[str, list[dict[str, Any]]], load_id: str) -> None:
    """Replace the given raw tables with these rows (every table stamped with `load_id`)."""
    statements: list[tuple[str, list[tuple]]] = [("create schema if not exists raw_traffic", [])]
    for table, rows in tables.items():
        cols = COLUMNS[table] + [("_dlt_load_id", "text")]
        ddl = ", ".join(f"{name} {ctype}" for name, ctype in cols)
        # like dlt's `replace` (truncate-and-insert): the table stays, views on it keep working
        statements.append((f"create table if not exists raw_traffic.{table} ({ddl})", []))
        statements.append((f"delete from raw_traffic.{table}", []))
        if rows:
            names = [name for name, _ in cols]
            values = [tuple({**row, "_dlt_load_id": load_id}.get(n) for n in names) for row in rows]
            marks = ", ".join(["?"] * len(names))
            statements.append(
                (f"insert into raw_traffic.{table} ({', '.join(names)}) values ({marks})", values)
            )
    if settings.target == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(settings.duckdb_path))
        try:
            for sql, values in statements:
                if values:
                    con.executemany(sql, values)
                else:
                    con.execute(sql)
        finally:
            con.close()
        return
    conn = psycopg2.connect(settings.postgres.dsn())
    try:
        with conn, conn.cursor() as cur:
            for sql, values in statements:
                if values:
                    cur.executemany(sql.replace("?", "%s"), values)
                else:
                    cur.execute(sql)
    finally:
        conn.close()


def as_export(file_name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a weekly export as landed: every value text as written (None -> empty cell), with
    `_file_name` and `_row_number`."""
    return [
        {
            **{k: "" if v is None else str(v) for k, v in row.items() if not k.startswith("_") and k != "id"},
            "_file_name": file_name,
            "_row_number": i,
        }
        for i, row in enumerate(rows, start=1)
    ]


def with_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number rows in source order (`_source_row` = 1-based position, `id` when missing)."""
    return [{**row, "_source_row": i} for i, row in enumerate(rows, start=1)]


A1 = container("OOCU", "048760")  # OOCU-048760-4 (domain example)
A2 = container("CSQU", "305438")  # CSQU-305438-3
A3 = container("MSCU", "123456", valid=False)
T1 = container("TCLU", "953831")  # TCLU-953831-4
F1 = container("FANU", "117537")  # FANU-117537-6
P1 = container("MSKU", "778812")
P2 = container("TGHU", "210014")
R1 = container("SEGU", "441207")
R2 = container("HLXU", "650032")
E1 = container("MRKU", "118240")
E2 = container("MRKU", "118241")
E3 = container("MRKU", "118242")
E4 = container("CAIU", "700311")


def base_tables() -> dict[str, list[dict[str, Any]]]:
    """The first load: valid rows of every kind plus one bad row per validation rule."""
    arribos = with_rows(
        [
            {
                "id": 11,
                "terminal": "10057",
                "turno": "0830 ",
                "contenedor": " oocu-048760-4 ",
                "cliente": "Maderera Del Sur",
                "booking": " bk20261001 ",
                "tipo_cnt": "40HC",
                "oper": "IMPO",
                "tiempo": "2",
                "estado": "Pendiente arribo",
                "chofer": "Perez",
                "dimension": "40",
                "fecha": "19/11",
            },
            {
                "id": 12,
                "terminal": "Exolgan",
                "turno": "14:30",
                "contenedor": A2,
                "cliente": "Quimica Ar",
                "booking": "-",
                "tipo_cnt": "20DV",
                "oper": "IMPO",
                "tiempo": "1",
                "estado": "14:30 Arribado",
                "chofer": "-",
                "dimension": "30",
                "fecha": "2026-11-18",
            },
            {
                "id": 13,
                "terminal": "10068",
                "turno": "0915",
                "contenedor": A3,
                "cliente": "Bad Digit",
                "booking": "BK20261003",
                "tipo_cnt": "40DV",
                "oper": "IMPO",
                "tiempo": "1",
                "estado": "Pendiente arribo",
                "chofer": None,
                "dimension": "60",
                "fecha": "18/11/2026",
            },
            {
                "id": 14,
                "terminal": "10057",
                "turno": "1000",
                "contenedor": "-",
                "cliente": "No Container",
                "booking": "BK20261004",
                "tipo_cnt": "20DV",
                "oper": "IMPO",
                "tiempo": "1",
                "estado": "Pendiente arribo",
                "chofer": None,
                "dimension": "20",
                "fecha": "20/11/2026",
            },
            {
                "id": 15,
                "terminal": "10057",
                "turno": "1100",
                "contenedor": T1,
                "cliente": "Junk Booking",
                "booking": ": 0",
                "tipo_cnt": "20DV",
                "oper": "IMPO",
                "tiempo": "1",
                "estado": "Pendiente ingreso",
                "chofer": None,
                "dimension": "20",
                "fecha": "20/11/2026",
            },
            {
                "id": 16,
                "terminal": "10073",
                "turno": "1200",
                "contenedor": "csqu 3054383",
                "cliente": "Duplicate",
                "booking": None,
                "tipo_cnt": "20DV",
                "oper": "IMPO",
                "tiempo": "1",
                "estado": "Pendiente arribo",
                "chofer": None,
                "dimension": "20",
                "fecha": "20/11/2026",
            },
            {
                "id": 17,
                "terminal": "10073",
                "turno": "1300",
                "contenedor": "TGHU-1234",
                "cliente": "Short",
                "booking": None,
                "tipo_cnt": "20DV",
                "oper": "IMPO",
                "tiempo": "1",
                "estado": "Pendiente arribo",
                "chofer": None,
                "dimension": "20",
                "fecha": "20/11/2026",
            },
            {
                "id": 18,
                "terminal": "10073",
                "turno": "2500",
                "contenedor": F1,
                "cliente": "Bad Time",
                "booking": None,
                "tipo_cnt": "20DV",
                "oper": "IMPO",
                "tiempo": "1",
                "estado": "Pendiente arribo",
                "chofer": None,
                "dimension": "20",
                "fecha": "31/02/2026",
            },
        ]
    )
    pendiente = with_rows(
        [
            {
                "id": 21,
                "contenedor": P1,
                "cliente": "Textil Norte",
                "entrega": "Deposito",
                "vto_vacio": "02/01",
                "tipo": "40HC",
                "peso": 12500.5,
                "cantidad": 3,
                "envase": "Pallets",
                "estado": "Pte. Desc.",
                "chofer": "Gomez",
            },
            {
                "id": 22,
                "contenedor": P2,
                "cliente": "Vinos Sa",
                "entrega": "Cliente",
                "vto_vacio": "25/11",
                "tipo": "20DV",
                "peso": 8000,
                "cantidad": 10,
                "envase": "Cajas",
                "estado": "Pte. Desc.",
                "chofer": None,
            },
            {
                "id": 23,
                "contenedor": container("MSKU", "778813"),
                "cliente": "Zero Qty",
                "entrega": "-",
                "vto_vacio": "-",
                "tipo": "20DV",
                "peso": 1,
                "cantidad": 0,
                "envase": "-",
                "estado": "Vacio",
                "chofer": None,
            },
        ]
    )
    remisiones = with_rows(
        [
            {
                "id": 31,
                "dia": "20/11",
                "cliente": "Aceitera",
                "operacion": "5012-1-1",
                "booking": "EBKG0001",
                "contenedor": R1,
                "volumen": "28",
                "precinto": "PR123",
                "observaciones": "Fragil",
                "estado": "Pendiente",
                "hora": "9:05",
                "e_tally": "ET-1",
            },
            {
                "id": 32,
                "dia": "20/11",
                "cliente": "Aceitera",
                "operacion": "5012-1-2",
                "booking": "EBKG0001",
                "contenedor": R2,
                "volumen": "30",
                "precinto": "PR124",
                "observaciones": None,
                "estado": "En curso",
                "hora": "10:15",
                "e_tally": "ET-2",
            },
            {
                "id": 33,
                "dia": "20/11",
                "cliente": "Aceitera",
                "operacion": "-",
                "booking": "EBKG0001",
                "contenedor": container("HLXU", "650033"),
                "volumen": "1",
                "precinto": None,
                "observaciones": None,
                "estado": "Pendiente",
                "hora": "10:20",
                "e_tally": None,
            },
        ]
    )
    expo = with_rows(
        [
            {
                "fecha": "20/11/2026",
                "booking": "64179524",
                "cliente": "Frigorifico",
                "cantidad": 1,
                "contenedor": T1,
                "precinto": None,
                "origen": "Zarate",
                "obs": None,
                "estado": "Pendiente",
            },
            {
                "fecha": "20/11/2026",
                "booking": "64179524",
                "cliente": "Frigorifico Sa",
                "cantidad": 1,
                "contenedor": F1,
                "precinto": "S-88",
                "origen": None,
                "obs": "urgente",
                "estado": "Pendiente",
            },
            {
                "fecha": "21/11",
                "booking": "EXPBK777001",
                "cliente": "Granos Sa",
                "cantidad": 3,
                "contenedor": "-",
                "precinto": None,
                "origen": "Rosario",
                "obs": None,
                "estado": "Pendiente",
            },
            {
                "fecha": "21/11",
                "booking": "EXPBK777002",
                "cliente": "Granos Sa",
                "cantidad": 2,
                "contenedor": "",
                "precinto": None,
                "origen": "Rosario",
                "obs": None,
                "estado": "Pendiente",
            },
            {
                "fecha": "21/11",
                "booking": "EXPBK777001",
                "cliente": "Granos Sa",
                "cantidad": 1,
                "contenedor": E4,
                "precinto": None,
                "origen": None,
                "obs": None,
                "estado": "08:10 Arribado",
            },
            {
                "fecha": "21/11",
                "booking": "BAD",
                "cliente": "Short Booking",
                "cantidad": 1,
                "contenedor": "-",
                "precinto": None,
                "origen": None,
                "obs": None,
                "estado": "Pendiente",
            },
            {
                "fecha": "21/11",
                "booking": "EXPBK777003",
                "cliente": None,
                "cantidad": 1,
                "contenedor": "-",
                "precinto": None,
                "origen": None,
                "obs": None,
                "estado": "Pendiente",
            },
        ]
    )
    csv_ctns = [
        {"booking": "EXPBK777001", "contenedor": E1, "fecha": "21/11", "cliente": "Granos Sa"},
        {
            "booking": "EXPBK777001",
            "contenedor": E4,
            "fecha": "21/11",
            "cliente": "Granos Sa",
        },  # already used
        {"booking": "EXPBK777002", "contenedor": E3, "fecha": "21/11", "cliente": "Granos Sa"},
        {"booking": "EXPBK777001", "contenedor": E2, "fecha": "21/11", "cliente": "Granos Sa"},
        {"booking": "-", "contenedor": "-", "fecha": "-", "cliente": "-"},
    ]
    csv_ctns = [
        {**row, "_file_name": "arribos_expo_semana_ctns.csv", "_row_number": i}
        for i, row in enumerate(csv_ctns, start=1)
    ]
    salidas = [
        {"contenedor": P1, "fecha_egr": dt.datetime(2026, 11, 19, 16, 45), "validada": "2026-11-19 17:02"},
        {"contenedor": P1, "fecha_egr": dt.datetime(2026, 8, 1, 9, 0), "validada": "old"},
        {"contenedor": R1, "fecha_egr": dt.datetime(2026, 11, 20, 7, 5), "validada": None},
    ]
    return {
        "arribos": arribos,
        "pendiente_desconsolidar": pendiente,
        "remisiones": remisiones,
        "arribos_expo_ctns": expo,
        "csv_arribos_expo_semana_ctns": csv_ctns,
        "salidas": salidas,
        "traficov2_manual_edits": [],
    }


SANDBOX_NOW = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
SANDBOX_SCALE = 0.15


def make_sandbox(settings: Settings, *, expo_with_id: bool = False, salidas: bool = True) -> dict[str, Any]:
    """The traffic sandbox; ``salidas=False`` for tests on the plain ``duckdb_settings``, whose PostgreSQL
    database is the shared default one (the exit table goes only into per-test databases)."""
    opts = SandboxOptions(seed=7, scale=SANDBOX_SCALE, now=SANDBOX_NOW)
    entry = sb.build(settings, opts, expo_with_id=expo_with_id, with_salidas=salidas)
    write_entry(settings, "traffic", entry)
    activate(settings)  # the sources read the sandbox's settings file, as `elt` does
    return entry


# ---------------------------------------------------------------- independent checks on the sandbox


def key_of(value: Any) -> str:
    """The container key: upper case, hyphens and spaces removed."""
    return re.sub(r"[-\s]", "", str(value or "").strip().upper())


def clean(value: Any) -> str | None:
    """Trimmed text; `-` and empty mean unknown."""
    text = "" if value is None else str(value).strip()
    return None if text in ("", "-") else text


def valid_container(key: str) -> bool:
    """ISO 6346: 4 letters, 7 digits, the last one the check digit."""
    return bool(re.fullmatch(r"[A-Z]{4}[0-9]{7}", key)) and iso6346_check_digit(key[:10]) == int(key[10])


def _number(value: Any, kind: type) -> Any:
    text = clean(value)
    if text is None:
        return None
    try:
        return kind(text.replace(",", ".")) if kind is Decimal else kind(text)
    except (InvalidOperation, ValueError):
        return "unparseable"


# table -> (export file, fields compared: legacy names in the reconciliation's order, numeric ones)
RECONCILED: dict[str, tuple[str, list[str], dict[str, type]]] = {
    "arribos": (
        "arribos_semana.csv",
        [
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
        ],
        {},
    ),
    "pendiente_desconsolidar": (
        "pendiente_desconsolidar.csv",
        ["Cliente", "Entrega", "Vto. Vacio", "Tipo", "Peso", "Cantidad", "Envase", "Estado", "Chofer"],
        {"Peso": Decimal, "Cantidad": int},
    ),
    "remisiones": (
        "remisiones_semana.csv",
        ["Dia", "Cliente", "Booking", "Volumen", "Precinto", "Observaciones", "Estado", "Hora", "e-tally"],
        {},
    ),
}


def business_key(table: str, row: dict[str, Any]) -> str | None:
    """The mart's key of a source or export row (legacy column names), None when it has none."""
    key = key_of(row.get("Contenedor")) or None
    if table != "remisiones":
        return key
    operacion = clean(row.get("Operacion"))
    return f"{key}|{operacion.upper()}" if key and operacion else None


def valid_rows(table: str, rows: list[dict[str, Any]], export: bool = False) -> dict[str, dict[str, Any]]:
    """Key -> row of the rows every rule accepts, computed here (the sandbox's dates and times always
    parse): container format and check digit, booking, Cantidad, export numbers, first of a key."""
    seen: set[str] = set()
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if export and all(clean(v) is None for v in row.values()):
            continue  # a placeholder row is no data
        key = business_key(table, row)
        first = key is not None and key not in seen
        if key is not None:
            seen.add(key)
        booking = (clean(row.get("Booking")) or "").upper()
        booking_ok = not booking or re.fullmatch(r"[A-Z0-9]{8,12}", booking)
        booking_ok = booking_ok or table == "pendiente_desconsolidar"
        ok = first and valid_container(key_of(row.get("Contenedor"))) and bool(booking_ok)
        if table == "pendiente_desconsolidar":
            cantidad = _number(row.get("Cantidad"), int)
            peso = _number(row.get("Peso"), Decimal)
            ok = ok and cantidad != "unparseable" and peso != "unparseable"
            ok = ok and (cantidad is None or 0 < cantidad <= 9999)
        if table == "arribos" and export:
            ok = ok and clean(row.get("arribado")) in (None, "0", "1")
            ok = ok and _number(row.get("Peso"), Decimal) != "unparseable"
        if ok:
            out[key] = row
    return out


def _compared(row: dict[str, Any], field: str, numbers: dict[str, type]) -> Any:
    if field in numbers:
        return _number(row.get(field), numbers[field])
    text = clean(row.get(field))
    return text.upper() if text and field == "Booking" else text


def expected_reconciliation(truth: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(table, key) -> (discrepancy, differing fields) between each export and its table."""
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for table, (file_name, fields, numbers) in RECONCILED.items():
        live = valid_rows(table, truth["tables"][table])
        week = valid_rows(table, truth["csv"][file_name], export=True)
        for key in week.keys() - live.keys():
            out[(table, key)] = ("only_in_export", None)
        for key in live.keys() - week.keys():
            out[(table, key)] = ("only_in_table", None)
        for key in week.keys() & live.keys():
            differing = [
                f for f in fields if _compared(week[key], f, numbers) != _compared(live[key], f, numbers)
            ]
            if differing:
                out[(table, key)] = ("fields_differ", ", ".join(differing))
    return out

"""Sandbox of the DASSA port-traffic systems (domain §1): seeded, realistic, with the legacy quirks.

What it builds:
- the operational tables ``arribos``, ``pendiente_desconsolidar``, ``remisiones``,
  ``arribos_expo_ctns`` and ``traficov2_manual_edits`` with the legacy quoted column names
  ("Tipo CNT", "Oper.", "Vto. Vacio", "Obs.", "e-tally"), in PostgreSQL (schema ``sandbox_traffic``)
  or in a SQLite file (embedded demo). ``arribos_expo_ctns`` has no ``id`` column, as in production,
  unless ``expo_with_id`` is asked for;
- the four weekly CSV exports in a folder, with their real formats (day-first dates in three shapes,
  ``HHMM`` turns with trailing spaces, ``-`` placeholder rows; an empty export is one ``-`` row);
- the SQL Server exit table ``Salidas`` (contenedor, fecha_egr, validada) as ``"DASSA"."Salidas"`` in
  PostgreSQL, read by the extractor over ODBC.

Awkward values on purpose: containers with valid and invalid ISO 6346 check digits, hyphenated
(``OOCU-048760-4``), compact, lower-case or padded; ``-`` and empty placeholders; junk bookings
(``: 0``); numeric-looking bookings with leading zeros; expo bookings with ``Cantidad`` > 1 and no
container yet; truncated client names; exits for some ``pendiente`` containers.

``ground_truth(entry)`` returns what the source holds now (rows in source order), for tests.
"""

from __future__ import annotations

import csv
import io
import logging
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from extract.sandbox.db import SandboxDB
from extract.sandbox.options import SandboxOptions
from extract.settings import PostgresConn, Settings

log = logging.getLogger(__name__)

SANDBOX_PG_SCHEMA = "sandbox_traffic"
SALIDAS_SCHEMA = "DASSA"
SALIDAS_TABLE = "Salidas"
ARGENTINA = timedelta(hours=-3)  # source clocks are Argentina local time (UTC-3, no DST)

# table -> [(legacy column name, PostgreSQL type)]; "id" is dropped from expo when it has none.
TABLES: dict[str, list[tuple[str, str]]] = {
    "arribos": [
        ("id", "bigint"),
        ("Terminal", "text"),
        ("Turno", "text"),
        ("Contenedor", "text"),
        ("Cliente", "text"),
        ("Booking", "text"),
        ("Tipo CNT", "text"),
        ("Oper.", "text"),
        ("Tiempo", "text"),
        ("Estado", "text"),
        ("Chofer", "text"),
        ("Dimension", "text"),
        ("Fecha", "text"),
    ],
    "pendiente_desconsolidar": [
        ("id", "bigint"),
        ("Contenedor", "text"),
        ("Cliente", "text"),
        ("Entrega", "text"),
        ("Vto. Vacio", "text"),
        ("Tipo", "text"),
        ("Peso", "numeric(12,2)"),
        ("Cantidad", "bigint"),
        ("Envase", "text"),
        ("Estado", "text"),
        ("Chofer", "text"),
    ],
    "remisiones": [
        ("id", "bigint"),
        ("Dia", "text"),
        ("Cliente", "text"),
        ("Operacion", "text"),
        ("Booking", "text"),
        ("Contenedor", "text"),
        ("Volumen", "text"),
        ("Precinto", "text"),
        ("Observaciones", "text"),
        ("Estado", "text"),
        ("Hora", "text"),
        ("e-tally", "text"),
    ],
    "arribos_expo_ctns": [
        ("id", "bigint"),
        ("Fecha", "text"),
        ("Booking", "text"),
        ("Cliente", "text"),
        ("Cantidad", "bigint"),
        ("Contenedor", "text"),
        ("Precinto", "text"),
        ("Origen", "text"),
        ("Obs.", "text"),
        ("Estado", "text"),
    ],
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
OPERATIONAL = ("arribos", "pendiente_desconsolidar", "remisiones", "arribos_expo_ctns")

# export file -> (source table, extra columns only the export has)
CSV_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "arribos_semana.csv": ("arribos", ("arribado", "TLAT", "Peso", "Peligrosa")),
    "pendiente_desconsolidar.csv": ("pendiente_desconsolidar", ()),
    "remisiones_semana.csv": ("remisiones", ()),
    "arribos_expo_semana_ctns.csv": ("arribos_expo_ctns", ()),
}

BASE_ROWS = {"arribos": 400, "pendiente_desconsolidar": 300, "remisiones": 300, "arribos_expo_ctns": 250}

OWNERS = ("OOCU", "TCLU", "FANU", "MSCU", "MAEU", "TGHU", "CAIU", "SEGU", "HLXU", "CMAU", "TRHU", "MRKU")
CLIENTS = (
    "Cargill S.A.C.I.",
    "Bunge Argentina S.A.",
    "Molinos Rio De La Plata",
    "Arcor Saic",
    "Aceitera General Deheza",
    "Louis Dreyfus Company",
    "Quilmes Cerveceria",
    "Mastellone Hnos",
    "Ledesma Saai",
    "Toyota Argentina",
)
DRIVERS = (
    "Gomez J.",
    "Fernandez R.",
    "Lopez M.",
    "Diaz C.",
    "Martinez P.",
    "Sosa L.",
    "Romero A.",
    "Ruiz H.",
)
TIPOS = ("20DV", "40DV", "40HC", "20RF", "40RH")
DIMENSION = {"20DV": "30", "20RF": "30", "40HC": "70", "40RH": "70", "40DV": "60"}
TERMINALS = ("10057", "10073", "10068")
ORIGENES = ("TRP", "Exolgan", "Terminal 4", "Deposito Dock Sud")
ENVASES = ("Bolsas", "Pallets", "Cajas", "Big bags", "Tambores")
EDITORS = ("despacho1", "despacho2", "supervisor")


# ---------------------------------------------------------------------------- values


def check_digit(code10: str) -> int:
    """ISO 6346 check digit of owner code + category + 6-digit serial (10 characters)."""
    values: dict[str, int] = {}
    n = 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if n % 11 == 0:
            n += 1
        values[letter] = n
        n += 1
    total = sum((values[c] if c.isalpha() else int(c)) * 2**i for i, c in enumerate(code10))
    return total % 11 % 10


class _Gen:
    """Seeded value helpers; every value is text exactly as the legacy systems write it."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now  # UTC
        self.local_now = (now + ARGENTINA).replace(tzinfo=None)
        self.used: set[str] = set()

    def container(self, p_invalid: float = 0.06) -> str:
        """A container number, mostly hyphenated; some with a wrong check digit."""
        rng = self.rng
        while True:
            owner = rng.choice(OWNERS)
            serial = f"{rng.randrange(1_000_000):06d}"
            digit = check_digit(owner + serial)
            if rng.random() < p_invalid:
                digit = (digit + rng.randint(1, 9)) % 10
            key = owner + serial
            if key not in self.used:
                self.used.add(key)
                break
        shape = rng.random()
        if shape < 0.80:
            return f"{owner}-{serial}-{digit}"
        if shape < 0.92:
            return f"{owner}{serial}{digit}"
        if shape < 0.97:
            return f"{owner.lower()}-{serial}-{digit}"
        return f" {owner}{serial}{digit} "

    def maybe_container(self, p_missing: float = 0.05) -> str | None:
        r = self.rng.random()
        if r < p_missing * 0.5:
            return "-"
        if r < p_missing * 0.8:
            return ""
        if r < p_missing:
            return None
        return self.container()

    def booking(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.02:
            return ": 0"  # junk seen in production
        if r < 0.04:
            return "-"
        if r < 0.30:
            return f"{rng.randrange(10_000_000, 99_999_999)}"
        if r < 0.40:
            return f"00{rng.randrange(10_000_000, 99_999_999)}"  # numeric-looking, leading zeros
        if r < 0.45:
            return f"{rng.choice(('ebkg', 'medu', 'hlcu'))}{rng.randrange(1_000_000, 9_999_999)}"
        return f"{rng.choice(('EBKG', 'MEDU', 'HLCU', 'MAEU', 'CMAU'))}{rng.randrange(1_000_000, 99_999_999)}"

    def client(self) -> str:
        name = self.rng.choice(CLIENTS)
        if self.rng.random() < 0.1:
            name = name[: self.rng.randint(8, 16)]  # truncated by the dashboard
        return name

    def day(self, back: int = 10, ahead: int = 10) -> datetime:
        return self.local_now + timedelta(days=self.rng.randint(-back, ahead))

    def fecha(self) -> str:
        """`YYYY-MM-DD`, `dd/mm/YYYY` or `dd/mm`: always day first."""
        d = self.day()
        shape = self.rng.random()
        if shape < 0.5:
            return d.strftime("%Y-%m-%d")
        if shape < 0.85:
            return d.strftime("%d/%m/%Y")
        return d.strftime("%d/%m")

    def ddmm(self) -> str:
        return self.day().strftime("%d/%m")

    def hhmm(self) -> str:
        h, m = self.rng.randint(6, 22), self.rng.choice((0, 15, 30, 45))
        shape = self.rng.random()
        if shape < 0.6:
            return f"{h:02d}{m:02d}"
        if shape < 0.8:
            return f"{h:02d}{m:02d} "  # trailing space
        return f"{h:02d}:{m:02d}"

    def hora(self) -> str:
        return f"{self.rng.randint(6, 22)}:{self.rng.choice((0, 10, 20, 30, 40, 50)):02d}"

    def clock(self) -> str:
        return f"{self.rng.randint(6, 22):02d}:{self.rng.randint(0, 59):02d}"

    def driver(self, p_null: float = 0.3) -> str | None:
        return None if self.rng.random() < p_null else self.rng.choice(DRIVERS)


def _arribo(g: _Gen) -> dict[str, Any]:
    rng = g.rng
    tipo = rng.choice(TIPOS)
    estado = rng.choices(("Pendiente arribo", "arribado", "Pendiente ingreso"), weights=(50, 35, 15))[0]
    if estado == "arribado":
        estado = f"{g.clock()} Arribado"
    return {
        "Terminal": rng.choice(TERMINALS),
        "Turno": g.hhmm(),
        "Contenedor": g.maybe_container(),
        "Cliente": g.client(),
        "Booking": g.booking(),
        "Tipo CNT": tipo,
        "Oper.": rng.choice(("IMPO", "IMPO", "TRANSITO")),
        "Tiempo": f"{rng.randint(5, 180)} min",
        "Estado": estado,
        "Chofer": g.driver(),
        "Dimension": DIMENSION[tipo] if rng.random() < 0.8 else tipo[:2],
        "Fecha": g.fecha(),
    }


def _pendiente(g: _Gen) -> dict[str, Any]:
    rng = g.rng
    return {
        "Contenedor": g.maybe_container(0.03),
        "Cliente": g.client(),
        "Entrega": g.ddmm(),
        "Vto. Vacio": g.ddmm(),
        "Tipo": rng.choice(TIPOS),
        "Peso": Decimal(rng.randint(50_000, 2_800_000)) / 100,
        "Cantidad": rng.choice((0, 1, 10, 20, 24, 40, 100, 350)) if rng.random() > 0.02 else -1,
        "Envase": rng.choice(ENVASES),
        "Estado": rng.choices(("Pte. Desc.", "Vacio"), weights=(80, 20))[0],
        "Chofer": g.driver(0.5),
    }


def _remision(g: _Gen, n: int) -> dict[str, Any]:
    rng = g.rng
    estado = rng.choices(("Pendiente", "En curso", "done"), weights=(50, 20, 30))[0]
    if estado == "done":
        estado = f"{g.clock()} Realizado"
    return {
        "Dia": g.ddmm(),
        "Cliente": g.client(),
        "Operacion": f"{100_000 + n}-{rng.randint(1, 3)}-{rng.randint(1, 12)}",
        "Booking": g.booking(),
        "Contenedor": g.maybe_container(),
        "Volumen": str(rng.randint(1, 30)),
        "Precinto": rng.choice((f"ARG{rng.randrange(100_000, 999_999)}", "", "-")),
        "Observaciones": rng.choice(("", "", "Carga fragil", "Esperar turno", "Falta documentacion")),
        "Estado": estado,
        "Hora": g.hora(),
        "e-tally": rng.choice((f"ET-{rng.randrange(10_000, 99_999)}", "")),
    }


def _expo_booking(g: _Gen) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of one expo booking, and the containers the weekly export lists for it.

    Either one row per container (some bookings with several rows), or one row with ``Cantidad`` > 1
    and no container yet; the export then lists some (not always all) of its containers.
    """
    rng = g.rng
    booking = g.booking()
    common = {
        "Fecha": g.fecha(),
        "Booking": booking,
        "Cliente": g.client(),
        "Origen": rng.choice(ORIGENES),
        "Obs.": rng.choice(("", "", "Urgente", "Retira por la tarde")),
    }
    rows: list[dict[str, Any]] = []
    available: list[str] = []
    if rng.random() < 0.3:
        qty = rng.randint(2, 4)
        rows.append(
            {
                **common,
                "Cantidad": qty,
                "Contenedor": rng.choice(("-", "")),
                "Precinto": "",
                "Estado": "Pendiente",
            }
        )
        available = [g.container(0.02) for _ in range(rng.randint(0, qty + 1))]
    else:
        for _ in range(rng.choices((1, 2, 3), weights=(70, 20, 10))[0]):
            estado = "Pendiente" if rng.random() < 0.6 else f"{g.clock()} Arribado"
            rows.append(
                {
                    **common,
                    "Cantidad": 1,
                    "Contenedor": g.maybe_container(0.05),
                    "Precinto": rng.choice((f"ARG{rng.randrange(100_000, 999_999)}", "")),
                    "Estado": estado,
                }
            )
    return rows, available


def generate(seed: int, scale: float, now: datetime) -> dict[str, Any]:
    """Rows of every table, the extra CSV values and the exits; deterministic for the arguments."""
    rng = random.Random(seed)
    g = _Gen(rng, now)

    def n(table: str) -> int:
        return max(3, int(BASE_ROWS[table] * scale))

    tables: dict[str, list[dict[str, Any]]] = {
        "arribos": [_arribo(g) for _ in range(n("arribos"))],
        "pendiente_desconsolidar": [_pendiente(g) for _ in range(n("pendiente_desconsolidar"))],
        "remisiones": [_remision(g, i) for i in range(n("remisiones"))],
        "arribos_expo_ctns": [],
    }
    available: list[tuple[str, str]] = []
    while len(tables["arribos_expo_ctns"]) < n("arribos_expo_ctns"):
        rows, extra = _expo_booking(g)
        tables["arribos_expo_ctns"].extend(rows)
        available.extend((rows[0]["Booking"], c) for c in extra)
    # the same container twice in arribos (a second turn), so back-propagation updates both rows
    arr = tables["arribos"]
    for i in range(0, len(arr) // 40):
        arr[-1 - i]["Contenedor"] = arr[i]["Contenedor"]
    for name in OPERATIONAL:
        for i, row in enumerate(tables[name], start=1):
            row["id"] = i
    shown = _editable(tables)
    edits = [
        _edit(g, shown, i + 1, now - timedelta(hours=rng.randint(1, 72))) for i in range(n("arribos") // 20)
    ]
    tables["traficov2_manual_edits"] = edits
    salidas = _exits(g, tables["pendiente_desconsolidar"], 0.3, back_days=60)
    return {"tables": tables, "available": available, "salidas": salidas}


def _business_key(table: str, row: dict[str, Any]) -> str:
    if table == "remisiones":
        return f"{row['Contenedor'] or ''}|{row['Operacion']}"
    if table == "arribos_expo_ctns":
        return row["Booking"] or ""
    return row["Contenedor"] or ""


EDIT_TARGETS = {
    "arribos": ("traficov2_arribos", ("Chofer", "Estado")),
    "pendiente_desconsolidar": ("traficov2_pendiente_desconsolidar", ("Chofer", "Estado")),
    "remisiones": ("traficov2_remisiones", ("Observaciones", "Estado")),
    "arribos_expo_ctns": ("traficov2_arribos_ctns_expo", ("Obs.", "Estado")),
}


def _editable(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Rows a dispatcher can edit: those the dashboard shows, with a real business key that every
    rule accepts (a rejected row is in no mart, so nobody edits it)."""
    return {t: [r for r in tables[t] if _shown(t, r)] for t in OPERATIONAL}


def _shown(table: str, row: dict[str, Any]) -> bool:
    if _business_key(table, row).strip() in ("", "-"):
        return False
    if table != "arribos_expo_ctns":
        return _clean_row(table, row)
    container = _key_of(row.get("Contenedor"))
    return (
        bool(_BOOKING.match(str(row.get("Booking") or "").strip().upper()))
        and bool(str(row.get("Cliente") or "").strip())
        and 0 < (row.get("Cantidad") or 0) <= 9999
        and (not container or _valid_key(container))
    )


def _edit(g: _Gen, editable: dict[str, list[dict[str, Any]]], edit_id: int, at: datetime) -> dict[str, Any]:
    rng = g.rng
    source = rng.choice(("arribos", "arribos", "pendiente_desconsolidar", "remisiones", "arribos_expo_ctns"))
    target, fields = EDIT_TARGETS[source]
    row = rng.choice(editable[source])
    field = rng.choice(fields)
    value = {
        "Chofer": rng.choice(DRIVERS),
        "Estado": rng.choice(("Pendiente ingreso", "Vacio", "En curso", "Pendiente")),
        "Observaciones": "Editado por despacho",
        "Obs.": "Confirmado por despacho",
    }[field]
    return {
        "id": edit_id,
        "table_name": target,
        "business_key": _business_key(source, row),
        "field": field,
        "value": value,
        "edited_at": at,
        "edited_by": rng.choice(EDITORS),
    }


def _exits(g: _Gen, pendiente: list[dict[str, Any]], share: float, back_days: int) -> list[dict[str, Any]]:
    """Exit records (local clock, naive) for a share of the pendiente containers, plus unrelated ones."""
    rng = g.rng
    out = []
    for row in pendiente:
        cont = row["Contenedor"]
        if not cont or cont == "-" or rng.random() >= share:
            continue
        out.append(_exit(g, cont.strip().replace("-", "").upper(), back_days))
    for _ in range(max(2, len(out) // 3)):
        out.append(_exit(g, g.container(0.0).strip().replace("-", "").upper(), back_days))
    return out


def _exit(g: _Gen, container: str, back_days: int, at: datetime | None = None) -> dict[str, Any]:
    rng = g.rng
    when = at or g.local_now - timedelta(minutes=rng.randint(10, back_days * 24 * 60))
    when = when.replace(microsecond=0)
    validada = rng.choice(
        (None, "S", "N", (when + timedelta(minutes=rng.randint(5, 90))).strftime("%Y-%m-%d %H:%M:%S"))
    )
    return {"contenedor": container, "fecha_egr": when, "validada": validada}


# ---------------------------------------------------------------------------- writing


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class TrafficDB(SandboxDB):
    """The operational database of the sandbox: PostgreSQL (psycopg2, COPY) or SQLite."""

    def __init__(self, url: str, schema: str | None, expo_with_id: bool) -> None:
        super().__init__(url, schema)
        self.expo_with_id = expo_with_id

    def table(self, name: str) -> str:
        return _q(name) if self.kind == "sqlite" else f"{_q(self.schema or 'public')}.{_q(name)}"

    def columns(self, table: str) -> list[tuple[str, str]]:
        cols = TABLES[table]
        if table == "arribos_expo_ctns" and not self.expo_with_id:
            cols = [c for c in cols if c[0] != "id"]
        return cols

    def mark(self) -> str:
        return "?" if self.kind == "sqlite" else "%s"

    def physical_order(self) -> str:
        """What a table without id is ordered by: its physical position (the extractor does the same)."""
        return "rowid" if self.kind == "sqlite" else "ctid"

    def key(self, table: str) -> str:
        return "id" if any(c == "id" for c, _ in self.columns(table)) else self.physical_order()

    def create(self) -> None:
        cur = self.conn.cursor()
        if self.kind == "postgres":
            cur.execute(f"create schema if not exists {_q(self.schema or 'public')}")
        for table in TABLES:
            cur.execute(f"drop table if exists {self.table(table)}")
            cols = ", ".join(
                f"{_q(c)} {_sqlite_type(t) if self.kind == 'sqlite' else t}"
                + (" primary key" if c == "id" else "")
                for c, t in self.columns(table)
            )
            cur.execute(f"create table {self.table(table)} ({cols})")
        self.conn.commit()

    def insert(self, table: str, rows: Iterable[dict[str, Any]]) -> int:
        columns = [c for c, _ in self.columns(table)]
        cur = self.conn.cursor()
        count = 0
        if self.kind == "postgres":
            buf = io.StringIO()
            for row in rows:
                buf.write("\t".join(_copy_value(row.get(c)) for c in columns) + "\n")
                count += 1
                if count % 100_000 == 0:
                    _copy(cur, self.table(table), columns, buf)
                    buf = io.StringIO()
            _copy(cur, self.table(table), columns, buf)
        else:
            marks = ", ".join("?" for _ in columns)
            batch = [[_sqlite_value(r.get(c)) for c in columns] for r in rows]
            cur.executemany(
                f"insert into {self.table(table)} ({', '.join(map(_q, columns))}) values ({marks})", batch
            )
            count = len(batch)
        self.conn.commit()
        return count

    def fetch(self, table: str) -> list[dict[str, Any]]:
        """Every row in source order (by id, or physical order without id), typed as generated."""
        columns = [c for c, _ in self.columns(table)]
        cur = self.conn.cursor()
        cur.execute(
            f"select {', '.join(map(_q, columns))} from {self.table(table)} order by {self.key(table)}"
        )
        out = []
        for rec in cur.fetchall():
            row = dict(zip(columns, rec, strict=True))
            if "Peso" in row and row["Peso"] is not None:
                row["Peso"] = Decimal(str(row["Peso"]))
            if isinstance(row.get("edited_at"), str):
                row["edited_at"] = datetime.fromisoformat(row["edited_at"]).replace(tzinfo=UTC)
            out.append(row)
        return out

    def locators(self, table: str) -> list[Any]:
        """The id (or rowid/ctid) of every row, in source order."""
        cur = self.conn.cursor()
        key = self.key(table)
        cur.execute(
            f"select {key}{'::text' if key == 'ctid' else ''} from {self.table(table)} order by {key}"
        )
        return [r[0] for r in cur.fetchall()]

    def where_key(self, table: str) -> str:
        key = self.key(table)
        return f"{key} = {self.mark()}" + ("::tid" if key == "ctid" else "")

    def update(self, table: str, locator: Any, values: dict[str, Any]) -> int:
        conv = _sqlite_value if self.kind == "sqlite" else (lambda v: v)
        sets = ", ".join(f"{_q(c)} = {self.mark()}" for c in values)
        cur = self.conn.cursor()
        cur.execute(
            f"update {self.table(table)} set {sets} where {self.where_key(table)}",
            [*(conv(v) for v in values.values()), locator],
        )
        return cur.rowcount

    def delete(self, table: str, locator: Any) -> int:
        cur = self.conn.cursor()
        cur.execute(f"delete from {self.table(table)} where {self.where_key(table)}", [locator])
        return cur.rowcount

    def max_id(self, table: str) -> int:
        cur = self.conn.cursor()
        cur.execute(f"select max(id) from {self.table(table)}")
        return int(cur.fetchone()[0] or 0)


def _copy(cur: Any, table: str, columns: Sequence[str], buf: io.StringIO) -> None:
    buf.seek(0)
    cur.copy_expert(f"copy {table} ({', '.join(map(_q, columns))}) from stdin", buf)


def _copy_value(value: Any) -> str:
    """A value in COPY's text format: ``\\N`` is null, an empty field the empty string."""
    if value is None:
        return "\\N"
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite_type(pg_type: str) -> str:
    if pg_type.startswith("numeric"):
        return pg_type.upper()
    return {"bigint": "INTEGER", "text": "TEXT", "timestamptz": "DATETIME", "timestamp": "DATETIME"}[pg_type]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, Decimal):
        return str(value)
    return value


# ---------------------------------------------------------------------------- the exit table (ODBC)


class SalidasDB:
    """``"DASSA"."Salidas"`` in a PostgreSQL database, standing in for SQL Server's DEPOFIS.DASSA.Salidas."""

    def __init__(self, conn: PostgresConn) -> None:
        import psycopg2

        self.conn = psycopg2.connect(conn.dsn())
        self.table = f"{_q(SALIDAS_SCHEMA)}.{_q(SALIDAS_TABLE)}"

    def __enter__(self) -> SalidasDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def create(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute(f"create schema if not exists {_q(SALIDAS_SCHEMA)}")
            cur.execute(f"drop table if exists {self.table}")
            cur.execute(
                f"create table {self.table} (contenedor varchar(20), fecha_egr timestamp, validada text)"
            )
        self.conn.commit()

    def insert(self, rows: list[dict[str, Any]]) -> int:
        from psycopg2.extras import execute_values

        with self.conn.cursor() as cur:
            execute_values(
                cur,
                f"insert into {self.table} (contenedor, fecha_egr, validada) values %s",
                [(r["contenedor"], r["fecha_egr"], r["validada"]) for r in rows],
                page_size=5000,
            )
        self.conn.commit()
        return len(rows)

    def fetch(self) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(
                f"select contenedor, fecha_egr, validada from {self.table} order by fecha_egr, contenedor"
            )
            return [{"contenedor": c, "fecha_egr": f, "validada": v} for c, f, v in cur.fetchall()]


def odbc_driver() -> str | None:
    """The installed PostgreSQL ODBC driver's name (unixODBC), or None when there is none."""
    try:
        import pyodbc
    except ImportError:
        return None
    drivers = pyodbc.drivers()
    for preferred in ("PostgreSQL Unicode", "PostgreSQL ANSI"):
        if preferred in drivers:
            return preferred
    return next((d for d in drivers if "postgres" in d.lower()), None)


def odbc_connection_string(conn: PostgresConn, driver: str) -> str:
    """A DSN-less ODBC connection string to ``conn`` through the PostgreSQL ODBC driver."""
    parts = [
        f"Driver={{{driver}}}",
        f"Server={conn.host}",
        f"Port={conn.port}",
        f"Database={conn.database}",
        f"Uid={conn.user}",
        f"Pwd={{{conn.password}}}" if conn.password else "Pwd=",
    ]
    return ";".join(parts) + ";"


# ---------------------------------------------------------------------------- CSV exports


# A week's export is not the live table: this share of the rows has left the table since the export
# (only in the export), is new since (only in the table), or has moved on (another Estado).
EXPORT_DRIFT = 0.02
DRIFT_ESTADOS = {
    "arribos": ("Pendiente arribo", "Pendiente ingreso"),
    "pendiente_desconsolidar": ("Pte. Desc.", "Vacio"),
    "remisiones": ("Pendiente", "En curso"),
}
_BOOKING = re.compile(r"^[A-Z0-9]{8,12}$")


def _key_of(value: Any) -> str:
    return re.sub(r"[-\s]", "", str(value or "").strip().upper())


def _valid_key(key: str) -> bool:
    """A container key of the right format with the right ISO 6346 check digit."""
    return bool(re.fullmatch(r"[A-Z]{4}[0-9]{7}", key)) and check_digit(key[:10]) == int(key[10])


def _clean_row(table: str, row: dict[str, Any]) -> bool:
    """A row every rule accepts (so drift on it shows in the reconciliation, not in the rejects)."""
    if not _valid_key(_key_of(row.get("Contenedor"))):
        return False
    booking = str(row.get("Booking") or "").strip().upper()
    if booking not in ("", "-") and not _BOOKING.match(booking):
        return False
    return table != "pendiente_desconsolidar" or row.get("Cantidad") is None or 0 < row["Cantidad"] <= 9999


def _export_drift(table: str, rows: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """The rows of a week's export of ``table``: its rows with ``EXPORT_DRIFT`` of them left out,
    as many with another Estado, and as many rows the table no longer holds (a new container)."""
    if table not in DRIFT_ESTADOS or not rows:
        return rows
    keys = Counter(_key_of(r.get("Contenedor")) for r in rows)
    stable = [
        i for i, r in enumerate(rows) if keys[_key_of(r.get("Contenedor"))] == 1 and _clean_row(table, r)
    ]
    k = max(1, int(len(rows) * EXPORT_DRIFT))
    picked = rng.sample(stable, min(len(stable), 3 * k))
    left_out, moved_on, gone = set(picked[:k]), set(picked[k : 2 * k]), picked[2 * k :]
    out = []
    for i, row in enumerate(rows):
        if i in left_out:
            continue
        if i in moved_on:
            row = {**row, "Estado": next(e for e in DRIFT_ESTADOS[table] if e != row.get("Estado"))}
        out.append(row)
    for i in gone:
        while True:
            owner, serial = rng.choice(OWNERS), f"{rng.randrange(1_000_000):06d}"
            key = f"{owner}{serial}{check_digit(owner + serial)}"
            if keys[key] == 0:
                keys[key] += 1
                break
        out.append({**rows[i], "Contenedor": f"{owner}-{serial}-{key[-1]}"})
    return out


def _csv_rows(
    table: str, rows: list[dict[str, Any]], rng: random.Random, available: list[tuple[str, str]]
) -> list[list[str]]:
    file_cols = _csv_header(table)
    out: list[list[str]] = []
    for row in _export_drift(table, rows, rng):
        values = {c: row.get(c) for c in file_cols}
        if table == "arribos":
            values.update(
                {
                    "arribado": "1" if "Arribado" in (row["Estado"] or "") else "0",
                    "TLAT": rng.choice(("", "TLAT-" + str(rng.randrange(1000, 9999)))),
                    "Peso": f"{rng.randint(2000, 28000)}",
                    "Peligrosa": rng.choice(("NO", "NO", "NO", "SI")),
                }
            )
        out.append([_csv_text(values[c]) for c in file_cols])
    if table == "arribos_expo_ctns":
        client = {r["Booking"]: r["Cliente"] for r in rows}
        for booking, cont in available:
            values = {c: "" for c in file_cols}
            values.update(
                {"Booking": booking, "Cliente": client.get(booking, ""), "Cantidad": "1", "Contenedor": cont}
            )
            values.update(
                {"Fecha": (datetime(2026, 1, 1) + timedelta(days=rng.randrange(330))).strftime("%d/%m/%Y")}
            )
            values["Estado"] = "Pendiente"
            out.append([values[c] for c in file_cols])
    # a few `-` placeholder rows in the middle of the export
    for _ in range(max(1, len(out) // 60)):
        out.insert(rng.randrange(len(out) + 1), ["-"] * len(file_cols))
    return out


def _csv_header(table: str) -> list[str]:
    extra = next(e for t, e in CSV_FILES.values() if t == table)
    return [c for c, _ in TABLES[table] if c != "id"] + list(extra)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def write_csvs(
    folder: Path,
    tables: dict[str, list[dict[str, Any]]],
    available: list[tuple[str, str]],
    seed: int,
    empty: Iterable[str] = (),
) -> dict[str, int]:
    """The four weekly exports from the tables' rows; a file named in ``empty`` is one placeholder row."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counts = {}
    for name, (table, _) in CSV_FILES.items():
        header = _csv_header(table)
        rows = (
            [["-"] * len(header)] if name in set(empty) else _csv_rows(table, tables[table], rng, available)
        )
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
        counts[name] = len(rows)
    return counts


def read_csvs(folder: Path) -> dict[str, list[dict[str, str]]]:
    """The exports as the files hold them (text, verbatim), for independent checks."""
    out = {}
    for name in CSV_FILES:
        with (folder / name).open(newline="", encoding="utf-8") as fh:
            out[name] = list(csv.DictReader(fh))
    return out


# ---------------------------------------------------------------------------- entry points


def _source_location(settings: Settings) -> tuple[str, str | None]:
    if settings.target != "postgres":
        path = settings.sandbox_dir / "traffic.sqlite"
        return f"sqlite:///{path}", None
    return settings.postgres.url(), SANDBOX_PG_SCHEMA


def build(
    settings: Settings,
    opts: SandboxOptions,
    *,
    expo_with_id: bool = False,
    url: str | None = None,
    schema: str | None = None,
    data: dict[str, Any] | None = None,
    with_salidas: bool = True,
) -> dict[str, Any]:
    """Create and fill the sandbox; returns the manifest entry (what the extractor needs).

    ``with_salidas=False`` leaves the exit table out (nothing is written to PostgreSQL).
    """
    if url is None:
        url, schema = _source_location(settings)
    data = data or generate(opts.seed, opts.scale, opts.now)
    rows: dict[str, int] = {}
    with TrafficDB(url, schema, expo_with_id) as db:
        db.create()
        for table, table_rows in data["tables"].items():
            rows[table] = db.insert(table, table_rows)
    csv_folder = settings.sandbox_dir / "traffic_exports"
    csv_rows = write_csvs(csv_folder, data["tables"], data["available"], opts.seed)
    entry: dict[str, Any] = {
        "credentials": url,
        "schema": schema,
        "expo_with_id": expo_with_id,
        "csv_folder": str(csv_folder),
        "seed": opts.seed,
        "scale": opts.scale,
        "now": opts.now.isoformat(),
        "rows": rows,
        "csv_rows": csv_rows,
        "available": data["available"],
        "batches": 0,
    }
    if with_salidas:
        entry.update(_build_salidas(settings, data["salidas"]))
    else:
        entry.update(
            {
                "salidas_odbc": None,
                "salidas_skipped": "not requested",
                "salidas_table": None,
                "salidas_pg": None,
            }
        )
    if entry["salidas_odbc"]:
        rows["salidas"] = len(data["salidas"])
    return entry


def _build_salidas(settings: Settings, salidas: list[dict[str, Any]]) -> dict[str, Any]:
    """The exit table in the settings' PostgreSQL, reachable over ODBC; skipped (with the reason) if not."""
    import psycopg2

    pg = settings.postgres
    driver = odbc_driver()
    reason = None
    if driver is None:
        reason = "no PostgreSQL ODBC driver installed (apt-get install unixodbc odbc-postgresql)"
    else:
        try:
            with SalidasDB(pg) as db:
                db.create()
                db.insert(salidas)
        except psycopg2.OperationalError as exc:  # PostgreSQL absent: the rest of the sandbox still works
            reason = f"PostgreSQL at {pg.host}:{pg.port} unavailable for the exit table: {str(exc).strip()}"
    if reason:
        log.warning("traffic sandbox: exit records (Salidas) not generated: %s", reason)
        return {"salidas_odbc": None, "salidas_skipped": reason, "salidas_table": None, "salidas_pg": None}
    return {
        "salidas_odbc": odbc_connection_string(pg, driver),
        # three parts, as production's DEPOFIS.DASSA.Salidas (the reader quotes them for the server)
        "salidas_table": f"{pg.database}.{SALIDAS_SCHEMA}.{SALIDAS_TABLE}",
        "salidas_pg": pg.dsn(),
        "salidas_skipped": None,
    }


def generate_into(settings: Settings, opts: SandboxOptions) -> dict[str, Any]:
    """Build the traffic sandbox: SQLite file for DuckDB, schema ``sandbox_traffic`` for PostgreSQL."""
    return build(settings, opts)


def _salidas_conn(entry: dict[str, Any]) -> PostgresConn | None:
    dsn = entry.get("salidas_pg")
    if not dsn:
        return None
    parts = dict(p.split("=", 1) for p in dsn.split())
    clean = {k: v.strip("'") for k, v in parts.items()}
    return PostgresConn(
        host=clean["host"],
        port=int(clean["port"]),
        user=clean["user"],
        password=clean.get("password", ""),
        database=clean["dbname"],
    )


def change_into(entry: dict[str, Any], batch: int, fraction: float = 0.03) -> dict[str, int]:
    """Change batch ``batch``: rows added, changed and removed, exits recorded, manual edits added.

    The weekly exports are rewritten from the changed tables; in odd batches the remisiones export
    is empty (one placeholder row), as an empty week exports.
    """
    seed = int(entry["seed"])
    rng = random.Random(seed * 1000 + batch)
    now = datetime.fromisoformat(entry["now"]) + timedelta(hours=batch)
    g = _Gen(rng, now)
    changed: dict[str, int] = {}
    with TrafficDB(entry["credentials"], entry["schema"], bool(entry.get("expo_with_id"))) as db:
        for table in OPERATIONAL:
            g.used.update(
                (r.get("Contenedor") or "").strip().replace("-", "").upper()[:10] for r in db.fetch(table)
            )
        makers = {
            "arribos": lambda _i: _arribo(g),
            "pendiente_desconsolidar": lambda _i: _pendiente(g),
            "remisiones": lambda i: _remision(g, 50_000 * batch + i),
            "arribos_expo_ctns": lambda _i: _expo_booking(g)[0][0],
        }
        for table in OPERATIONAL:
            locs = db.locators(table)
            k = max(1, int(len(locs) * fraction))
            # changes first (a changed row without id may move physically), then deletions, then new rows
            upd = 0
            for loc in rng.sample(locs, min(k, len(locs))):
                values = {"Estado": _changed_estado(g, table)}
                if table != "remisiones":
                    values["Chofer" if table != "arribos_expo_ctns" else "Obs."] = rng.choice(DRIVERS)
                upd += db.update(table, loc, values)
            locs = db.locators(table)
            dele = sum(db.delete(table, loc) for loc in rng.sample(locs, min(k, len(locs))))
            new_rows = [makers[table](i) for i in range(k)]
            if db.key(table) == "id":
                start = db.max_id(table)
                for i, row in enumerate(new_rows, start=1):
                    row["id"] = start + i
            db.insert(table, new_rows)
            changed[f"{table}.updated"] = upd
            changed[f"{table}.deleted"] = dele
            changed[f"{table}.inserted"] = len(new_rows)
        db.conn.commit()
        tables = {t: db.fetch(t) for t in OPERATIONAL}
        start = db.max_id("traficov2_manual_edits")
        keyed = _editable(tables)
        edits = [_edit(g, keyed, start + i + 1, now - timedelta(minutes=5 * i)) for i in range(3)]
        changed["traficov2_manual_edits.inserted"] = db.insert("traficov2_manual_edits", edits)
    empty = ("remisiones_semana.csv",) if batch % 2 == 1 else ()
    write_csvs(
        Path(entry["csv_folder"]), tables, [tuple(a) for a in entry.get("available", [])], seed + batch, empty
    )
    pg = _salidas_conn(entry)
    if pg is not None:
        exits = _exits(g, tables["pendiente_desconsolidar"], fraction * 3, back_days=1)
        for e in exits:
            e["fecha_egr"] = g.local_now.replace(microsecond=0) - timedelta(minutes=rng.randint(1, 50))
        with SalidasDB(pg) as sdb:
            changed["salidas.inserted"] = sdb.insert(exits)
    return changed


def _changed_estado(g: _Gen, table: str) -> str:
    return {
        "arribos": f"{g.clock()} Arribado",
        "pendiente_desconsolidar": "Vacio",
        "remisiones": f"{g.clock()} Realizado",
        "arribos_expo_ctns": f"{g.clock()} Arribado",
    }[table]


def add_exit(entry: dict[str, Any], container: str, fecha_egr: datetime, validada: str | None = None) -> None:
    """Record one exit in the sandbox's Salidas table (local clock, naive datetime)."""
    pg = _salidas_conn(entry)
    if pg is None:
        raise LookupError(f"the sandbox has no exit table: {entry.get('salidas_skipped')}")
    with SalidasDB(pg) as db:
        db.insert([{"contenedor": container, "fecha_egr": fecha_egr, "validada": validada}])


def ground_truth(entry: dict[str, Any]) -> dict[str, Any]:
    """What the sandbox source holds now, for independent checks in tests.

    ``tables``: every operational table's rows in source order (by id, or physical order without id),
    keyed by the legacy column names; ``csv``: each export's rows as text, in file order;
    ``salidas``: the exit records (or None when the sandbox has no exit table).
    """
    with TrafficDB(entry["credentials"], entry["schema"], bool(entry.get("expo_with_id"))) as db:
        tables = {t: db.fetch(t) for t in TABLES}
    pg = _salidas_conn(entry)
    salidas = None
    if pg is not None:
        with SalidasDB(pg) as sdb:
            salidas = sdb.fetch()
    return {"tables": tables, "csv": read_csvs(Path(entry["csv_folder"])), "salidas": salidas}


def source_settings(entry: dict[str, Any]) -> dict[str, Any]:
    """What the traffic source reads to reach this sandbox (``sources.traffic``)."""
    found = {
        "credentials": entry["credentials"],
        "schema": entry["schema"] or "",
        "csv_folder": entry["csv_folder"],
    }
    if entry.get("salidas_odbc"):
        found["salidas_odbc"] = entry["salidas_odbc"]
        found["salidas_table"] = entry["salidas_table"]
    return found

"""Seeded generator of bad traffic rows (test support only): the operational tables and the weekly
CSV exports get rows with nulls in keys, wrong types as text, very long strings, unicode, quotes and
SQL-looking strings, impossible dates, duplicate keys, NaN, negative and huge quantities.

Each generated row starts from a plausible row (a fresh valid container and booking) and spoils one
or two fields, so that some bad rows are still valid (a unicode client is a client) and the rest must
be rejected with a reason; the test counts where every row went.
"""

from __future__ import annotations

import csv
import random
import string
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.support import iso6346_check_digit

OWNERS = ("OOCU", "TCLU", "FANU", "MSCU", "MAEU", "TGHU")

# text that must pass through every layer unharmed
NASTY_TEXT = (
    "O'Brien",
    'comillas "dobles"',
    "'; drop table arribos; --",
    "1; select pg_sleep(10)",
    "back\\slash \\N",
    "tab\there",
    "línea\nnueva",
    "Ñandú Logística ß 🚢",
    "‮reversed",
    "\u00a0 espacio duro \u00a0",
    "x" * 5_000,
    "ü" * 2_000,
    "=cmd|' /C calc'!A0",
    "NULL",
    "null",
    "-",
    "",
    " ",
)
BAD_DATES = ("31/02/2026", "2026-13-45", "00/00", "32/12", "29/02/2027", "mañana", "9999-99-99", "1/1/1")
BAD_TIMES = ("25:99", "9999", "ab:cd", "24:00:00", "-1:00", "12h30")
BAD_CONTAINERS = (
    None,
    "",
    "-",
    "ABC",
    "OOCU-048760-5",  # wrong check digit
    "0OCU0487604",
    "ÖOCU0487604",
    "OOCU04876041234",
    "' or 1=1 --",
    "oocu 048760 4",  # valid once normalised (spaces, lower case)
)
BAD_BOOKINGS = (None, ": 0", "", "AB", "X" * 40, "BK-'; --", "ñandú1234")
HUGE_TEXT_NUMBERS = ("1e30", "99999999999999999999999", "-5", "0", "tres", "NaN", "Infinity", "12,5", "1.2.3")


class Fuzzer:
    """Bad rows for one sandbox, reproducible from ``seed``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # ------------------------------------------------------------------ plausible values
    def container(self) -> str:
        code = self.rng.choice(OWNERS) + "".join(self.rng.choices(string.digits, k=6))
        digit = iso6346_check_digit(code)
        return f"{code[:4]}-{code[4:]}-{digit}"

    def booking(self) -> str:
        return "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=10))

    def pick(self, values: tuple[Any, ...]) -> Any:
        return self.rng.choice(values)

    # ------------------------------------------------------------------ spoiling
    def spoil(self, row: dict[str, Any], fields: dict[str, Callable[[], Any]], duplicate: Any) -> None:
        """Spoils one or two of ``fields`` (name -> bad value), or repeats a key (``duplicate``)."""
        if self.rng.random() < 0.08 and duplicate is not None:
            row.update(duplicate)
            return
        for name in self.rng.sample(sorted(fields), k=min(len(fields), self.rng.choice((1, 1, 2)))):
            row[name] = fields[name]()

    def operational(self, table: str, start_id: int, n: int, existing: list[dict[str, Any]]) -> list[dict]:
        """``n`` bad rows for the operational ``table`` (its PostgreSQL types kept), ids from ``start_id``."""
        make = {
            "arribos": self._arribo,
            "pendiente_desconsolidar": self._pendiente,
            "remisiones": self._remision,
            "arribos_expo_ctns": self._expo,
        }[table]
        rows = []
        for i in range(n):
            row, fields, key = make()
            duplicate = None
            if existing and key:
                source = self.rng.choice(existing)
                duplicate = {k: source.get(k) for k in key}
            self.spoil(row, fields, duplicate)
            rows.append({"id": start_id + i, **row})
        return rows

    def _text(self) -> Callable[[], Any]:
        return lambda: self.pick(NASTY_TEXT)

    def _arribo(self) -> tuple[dict, dict, tuple[str, ...]]:
        row = {
            "Terminal": "10057",
            "Turno": "0830",
            "Contenedor": self.container(),
            "Cliente": "Cargill S.A.C.I.",
            "Booking": self.booking(),
            "Tipo CNT": "DRY",
            "Oper.": "IMPO",
            "Tiempo": "2",
            "Estado": "Pendiente arribo",
            "Chofer": None,
            "Dimension": "60",
            "Fecha": "15/09/2026",
        }
        fields = {
            "Contenedor": lambda: self.pick(BAD_CONTAINERS),
            "Booking": lambda: self.pick(BAD_BOOKINGS),
            "Fecha": lambda: self.pick(BAD_DATES),
            "Turno": lambda: self.pick(BAD_TIMES),
            "Cliente": self._text(),
            "Chofer": self._text(),
            "Terminal": self._text(),
            "Dimension": lambda: self.pick(HUGE_TEXT_NUMBERS),
        }
        return row, fields, ("Contenedor",)

    def _pendiente(self) -> tuple[dict, dict, tuple[str, ...]]:
        row = {
            "Contenedor": self.container(),
            "Cliente": "Arcor Saic",
            "Entrega": "Depósito",
            "Vto. Vacio": "20/09",
            "Tipo": "DRY",
            "Peso": Decimal("12500.50"),
            "Cantidad": 1,
            "Envase": "Cajas",
            "Estado": "Pte. Desc.",
            "Chofer": None,
        }
        fields = {
            "Contenedor": lambda: self.pick(BAD_CONTAINERS),
            "Vto. Vacio": lambda: self.pick(BAD_DATES),
            "Peso": lambda: self.pick(("NaN", Decimal("-1"), Decimal("9999999999.99"), Decimal("0"))),
            "Cantidad": lambda: self.pick((-5, 0, 10**15, -(10**15))),
            "Cliente": self._text(),
            "Estado": self._text(),
        }
        return row, fields, ("Contenedor",)

    def _remision(self) -> tuple[dict, dict, tuple[str, ...]]:
        row = {
            "Dia": "16/09",
            "Cliente": "Molinos Rio De La Plata",
            "Operacion": f"{self.rng.randint(1000, 9999)}-1-1",
            "Booking": self.booking(),
            "Contenedor": self.container(),
            "Volumen": "1",
            "Precinto": "P123",
            "Observaciones": None,
            "Estado": "Pendiente",
            "Hora": "9:30",
            "e-tally": None,
        }
        fields = {
            "Contenedor": lambda: self.pick(BAD_CONTAINERS),
            "Operacion": lambda: self.pick((None, "", "x-y-z", "'; --")),
            "Dia": lambda: self.pick(BAD_DATES),
            "Hora": lambda: self.pick(BAD_TIMES),
            "Observaciones": self._text(),
            "Booking": lambda: self.pick(BAD_BOOKINGS),
        }
        return row, fields, ("Contenedor", "Operacion")

    def _expo(self) -> tuple[dict, dict, tuple[str, ...]]:
        row = {
            "Fecha": "17/09/2026",
            "Booking": self.booking(),
            "Cliente": "Bunge Argentina S.A.",
            "Cantidad": 1,
            "Contenedor": None,
            "Precinto": None,
            "Origen": "Rosario",
            "Obs.": None,
            "Estado": "Pendiente",
        }
        fields = {
            "Booking": lambda: self.pick(BAD_BOOKINGS),
            "Cliente": lambda: self.pick((None, *NASTY_TEXT)),
            "Cantidad": lambda: self.pick((-1, 0, 10**12, None)),
            "Contenedor": lambda: self.pick(BAD_CONTAINERS),
            "Fecha": lambda: self.pick(BAD_DATES),
            "Obs.": self._text(),
        }
        return row, fields, ()

    def export_rows(self, header: list[str], body: list[list[str]], n: int) -> list[list[str]]:
        """``n`` bad rows for a weekly export with ``header``: every cell text, as a CSV holds it."""
        rows = []
        for _ in range(n):
            if body and self.rng.random() < 0.1:  # an exact repeat of a row of the file
                rows.append(list(self.rng.choice(body)))
                continue
            row = list(self.rng.choice(body)) if body else ["-"] * len(header)
            for col, name in enumerate(header):
                if name == "Contenedor" and row[col].strip() not in ("", "-"):
                    row[col] = self.container()
            for col in self.rng.sample(range(len(header)), k=self.rng.choice((1, 2))):
                row[col] = self._cell(header[col])
            rows.append(row)
        return rows

    def _cell(self, name: str) -> str:
        pools: dict[str, tuple[Any, ...]] = {
            "Contenedor": tuple(c for c in BAD_CONTAINERS if c is not None),
            "Booking": tuple(b for b in BAD_BOOKINGS if b is not None),
            "Fecha": BAD_DATES,
            "Dia": BAD_DATES,
            "Vto. Vacio": BAD_DATES,
            "Turno": BAD_TIMES,
            "Hora": BAD_TIMES,
            "Cantidad": HUGE_TEXT_NUMBERS,
            "Peso": HUGE_TEXT_NUMBERS,
            "arribado": ("2", "si", "-1", *HUGE_TEXT_NUMBERS),
        }
        return str(self.pick(pools.get(name, NASTY_TEXT)))


def append_to_export(path: Path, fuzzer: Fuzzer, n: int) -> tuple[int, int]:
    """Appends ``n`` bad rows to the export at ``path``; (data rows before, data rows after)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    added = fuzzer.export_rows(header, body, n)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([header, *body, *added])
    return len(body), len(body) + len(added)


# ---------------------------------------------------------------------------- the app database (SQLite)

# table -> (the column that dates its statistic, score-like numeric columns)
AUTOMATION = {
    "assignment_logs": ("assigned_at", ("total_score", "distance_score", "time_score", "priority_score")),
    "route_optimizations": ("optimized_at", ("improvement_percentage", "distance_saved_km")),
    "order_batches": ("created_at", ("delivery_success_rate", "total_value", "order_count")),
    "escalation_logs": ("created_at", ("current_delay_minutes", "minutes_to_breach")),
}
BAD_SCORES = (-5, 150, 1e12, -1e12, "n/a", "", "NaN", 1e300, 2**62)
BAD_TIMESTAMPS = (None, "2026-02-30 10:00:00", "ayer", "", "0000-00-00 00:00:00")


def automation_rows(fuzzer: Fuzzer, conn: Any, table: str, n: int) -> int:
    """Adds ``n`` bad copies of rows of ``table`` to a SQLite app database: new ids, then null or
    impossible timestamps and out-of-range or non-numeric scores. Returns the rows added."""
    import uuid

    cur = conn.cursor()
    cur.execute(f"select * from {table}")
    columns = [d[0] for d in cur.description]
    existing = cur.fetchall()
    rng = fuzzer.rng
    dated, numbers = AUTOMATION[table]
    added = []
    for i in range(n):
        row = dict(zip(columns, rng.choice(existing), strict=True))
        row["id"] = str(uuid.UUID(int=rng.getrandbits(128)))
        if "batch_number" in row:
            row["batch_number"] = f"FUZZ-{i:06d}"
        spoilt = rng.sample((dated, "created_at", "updated_at", *numbers), k=rng.choice((1, 2)))
        for column in spoilt:
            row[column] = rng.choice(BAD_TIMESTAMPS if column.endswith("_at") else BAD_SCORES)
        added.append([row[c] for c in columns])
    marks = ", ".join("?" for _ in columns)
    cur.executemany(f"insert into {table} ({', '.join(columns)}) values ({marks})", added)
    conn.commit()
    return len(added)

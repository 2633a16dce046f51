"""Helpers of the fleet source: API answers flattened to Arrow tables of raw text, and their resources.

No parsing here: every value lands as the text the API sent (numbers sent as JSON numbers become
their text), so dbt sees exactly what arrived. ``position_key`` is the merge key, plate +
``data_transmissao`` + latitude + longitude joined with ``|`` (an absent value as empty text), because
bad points arrive with null coordinates, which a primary-key column cannot hold. When a key field is
absent, a hash of the whole position is appended, so distinct garbage positions never collapse into one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.hints import make_hints

from extract.fleet.settings import KEY_FIELDS, POSITION_FIELDS, UPSERT


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def positions_table(items: Iterable[dict[str, Any]], plate: str | None = None) -> pa.Table:
    """Positions as one Arrow table of text columns; history items without ``placa`` take ``plate``.

    Fields the API adds beyond the documented ones are kept as extra text columns. A position
    repeated within one answer (same key) lands once.
    """
    rows = list(items)
    extra = sorted({k for r in rows for k in r} - set(POSITION_FIELDS))
    columns: dict[str, list[str | None]] = {name: [] for name in (*POSITION_FIELDS, *extra)}
    keys: list[str] = []
    seen: set[str] = set()
    for row in rows:
        values = {name: _text(row.get(name)) for name in columns}
        if not values["placa"] and plate:
            values["placa"] = plate
        key = "|".join(values[k] or "" for k in KEY_FIELDS)
        if any(not (values[k] or "").strip() for k in KEY_FIELDS):
            # a key field is missing: distinct garbage positions must not collapse into one key
            whole = json.dumps(values, sort_keys=True, ensure_ascii=False)
            key += "|#" + hashlib.md5(whole.encode()).hexdigest()[:16]
        if key in seen:
            continue
        seen.add(key)
        keys.append(key)
        for name, value in values.items():
            columns[name].append(value)
    schema = pa.schema(
        [pa.field(name, pa.string()) for name in columns] + [pa.field("position_key", pa.string(), False)]
    )
    return pa.table([*(pa.array(v, pa.string()) for v in columns.values()), pa.array(keys)], schema=schema)


def terminals_table(terminals: Iterable[dict[str, Any]]) -> pa.Table:
    """One row per plate (the last seen wins), text columns."""
    by_plate: dict[str, dict[str, Any]] = {}
    for t in terminals:
        plate = _text(t.get("placa"))
        if plate:
            by_plate[plate] = t
    names = ["placa", "descricao", "frota"]
    names += sorted({k for t in by_plate.values() for k in t} - set(names))
    schema = pa.schema([pa.field(n, pa.string(), n != "placa") for n in names])
    return pa.table([[_text(t.get(n)) for t in by_plate.values()] for n in names], schema=schema)


PROGRESS_SCHEMA = pa.schema(
    [
        pa.field("placa", pa.string(), False),
        pa.field("dia", pa.string(), False),
        pa.field("status", pa.string()),
        pa.field("positions", pa.int64()),
        pa.field("error", pa.string()),
        pa.field("finished_at", pa.timestamp("us", tz="UTC")),
    ]
)


def progress_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Backfill progress: one row per plate and local day, ``done``, ``partial`` or ``failed``."""
    return pa.table([[r.get(f.name) for r in rows] for f in PROGRESS_SCHEMA], schema=PROGRESS_SCHEMA)


def to_terminals(table: pa.Table) -> Any:
    """Send ``table`` to raw ``terminals`` (one row per plate, merged on ``placa``) from any resource."""
    hints = make_hints(table_name="terminals", primary_key="placa", write_disposition=UPSERT)
    return dlt.mark.with_hints(table, hints, create_table_variant=True)


def to_progress(rows: list[dict[str, Any]]) -> Any:
    """Send backfill progress rows to raw ``backfill_progress`` (merged on plate + day)."""
    hints = make_hints(
        table_name="backfill_progress",
        primary_key=["placa", "dia"],
        write_disposition={"disposition": "merge", "strategy": "upsert"},
    )
    return dlt.mark.with_hints(progress_table(rows), hints, create_table_variant=True)


def utc_now() -> datetime:
    return datetime.now(UTC)

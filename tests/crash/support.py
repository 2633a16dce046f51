"""Support of the crash tests: run `elt` killed at a named point, and fingerprint raw tables and marts.

A fingerprint is, per table, the row count and an md5 of its rows in order, over the columns that
describe the data (dlt's bookkeeping columns, load ids, lake run ids and the moments of a run are left
out, since a re-run and a clean run differ there by design). Floats are rounded to 6 digits.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from extract.settings import Settings
from tests.support import query

# columns that say when or in which load a row arrived, not what it holds
VOLATILE = {
    "_dlt_load_id",
    "_dlt_id",
    "lake_run_id",
    "_computed_at",
    "fecha_registro",
    "fecha_modificacion",
    "sync_timestamp",
    "last_updated",
    "finished_at",
    "seen_at",
    "fetched_at",
    "last_synced_at",
    "loaded_at",
    "event_id",
    "reject_id",
    "target_id",
    "_max_load_id",
    "dbt_updated_at",
    "dbt_valid_from",
    "dbt_valid_to",
    "dbt_scd_id",
}


def columns(settings: Settings, schema: str, table: str) -> list[str]:
    rows = query(
        settings,
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by column_name",
        (schema, table),
    )
    return [name for (name,) in rows if name not in VOLATILE]


def tables(settings: Settings, schema: str) -> list[str]:
    rows = query(
        settings,
        "select table_name from information_schema.tables where table_schema = ? order by table_name",
        (schema,),
    )
    return [name for (name,) in rows if not name.startswith("_dlt_")]


def _norm(value: Any) -> Any:
    if isinstance(value, float | Decimal):
        return round(float(value), 6)
    return value


def fingerprint(settings: Settings, schema: str, table: str, *, distinct: bool = False) -> tuple[int, str]:
    """(rows, md5 of the sorted rows over the non-volatile columns); ``distinct``: of the distinct rows."""
    names = columns(settings, schema, table)
    select = ", ".join(f'"{n}"' for n in names)
    rows = query(settings, f'select {"distinct " if distinct else ""}{select} from "{schema}"."{table}"')
    text = sorted(repr(tuple(_norm(v) for v in row)) for row in rows)
    return len(rows), hashlib.md5("\n".join(text).encode()).hexdigest()


def fingerprints(
    settings: Settings, schema: str, only: list[str] | None = None, *, distinct: bool = False
) -> dict[str, tuple[int, str]]:
    names = only or tables(settings, schema)
    return {t: fingerprint(settings, schema, t, distinct=distinct) for t in names}


def differing_rows(a: Settings, b: Settings, schema: str, table: str, limit: int = 3) -> list[str]:
    """A few rows (over the compared columns) that one warehouse holds and the other does not."""
    names = columns(b, schema, table)
    select = ", ".join(f'"{n}"' for n in names)

    def rows(settings: Settings) -> set[str]:
        found = query(settings, f'select {select} from "{schema}"."{table}"')
        return {repr(dict(zip(names, (_norm(v) for v in row), strict=True))) for row in found}

    left, right = rows(a), rows(b)
    return [f"only crashed: {r}" for r in sorted(left - right)[:limit]] + [
        f"only clean: {r}" for r in sorted(right - left)[:limit]
    ]

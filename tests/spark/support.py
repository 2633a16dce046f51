"""Reading the same mart from DuckDB and Spark as comparable rows (engine types normalised)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb

from extract.settings import Settings
from extract.warehouse import spark_session
from tests.support import close

JAVA = shutil.which("java")
NO_JAVA = "no `java` on PATH: local Spark needs a Java runtime (`apt-get install default-jre-headless`)"

MARTS = {
    "automation": [
        "auto_dispatch_stats",
        "route_optimization_stats",
        "batch_performance_stats",
        "escalation_stats",
    ],
    "fleet": ["positions", "terminals", "routes", "route_points", "positions_rejects"],
}


def _plain(value: Any) -> Any:
    """One Python value per meaning: instants as naive UTC, decimals as floats."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def duckdb_table(settings: Settings, relation: str) -> tuple[list[str], list[tuple]]:
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    try:
        cur = con.execute(f"select * from {relation}")
        columns = [d[0] for d in cur.description]
        return columns, [tuple(_plain(v) for v in row) for row in cur.fetchall()]
    finally:
        con.close()


def spark_table(settings: Settings, relation: str) -> tuple[list[str], list[tuple]]:
    """Rows through the Spark session (timestamps come back naive in the session zone, UTC)."""
    frame = spark_session(settings).sql(f"select * from {relation}")
    return list(frame.columns), [tuple(_plain(v) for v in row) for row in frame.collect()]


def _sort_key(row: tuple, keep: list[int]) -> tuple:
    return tuple(
        "" if row[i] is None else repr(row[i]) if isinstance(row[i], float) else str(row[i]) for i in keep
    )


def differences(columns: list[str], expected: list[tuple], actual: list[tuple], limit: int = 5) -> list[str]:
    """Row differences between two results with the same columns, ignoring row order, with a
    tolerance for floating point only. Columns starting with `_` (load ids, computation times of
    each engine's own run) are left out."""
    keep = [i for i, c in enumerate(columns) if not c.startswith("_")]
    exact = [i for i in keep if not any(isinstance(r[i], float) for r in expected + actual)]
    left = sorted(expected, key=lambda r: _sort_key(r, exact))
    right = sorted(actual, key=lambda r: _sort_key(r, exact))
    if len(left) != len(right):
        return [f"{len(right)} rows, expected {len(left)}"]
    found = []
    for a, b in zip(left, right, strict=True):
        for i in keep:
            x, y = a[i], b[i]
            same = close(x, y) if isinstance(x, float) or isinstance(y, float) else x == y
            if not same:
                found.append(
                    f"{columns[i]}: {y!r}, expected {x!r} (row {dict(zip(columns, a, strict=True))})"
                )
                break
        if len(found) >= limit:
            break
    return found

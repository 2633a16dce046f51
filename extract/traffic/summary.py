"""What ``elt demo`` says about the traffic marts: how many dispatchers' edits they show."""

from __future__ import annotations

import duckdb
import psycopg2

from extract.settings import Settings
from extract.warehouse import WarehouseUnavailable, query

EDIT_STATUS = "traffic.traficov2_manual_edit_status"


def manual_edits_line(settings: Settings) -> str | None:
    """``traffic manual edits applied: N of M (...)`` from the edit-status mart; None before it exists."""
    try:
        rows = query(settings, f"select status, count(*) from {EDIT_STATUS} group by status order by status")
    except (WarehouseUnavailable, duckdb.Error, psycopg2.Error):
        return None
    counts = {status: int(n) for status, n in rows}
    total = sum(counts.values())
    others = ", ".join(f"{status} {n}" for status, n in counts.items() if status != "applied")
    line = f"traffic manual edits applied (shown in the marts): {counts.get('applied', 0)} of {total}"
    return f"{line} ({others}; see {EDIT_STATUS})" if others else line

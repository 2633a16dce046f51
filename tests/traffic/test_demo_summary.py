"""The line of the `elt demo` summary that counts the dispatchers' edits the traffic marts show."""

from __future__ import annotations

import duckdb

from extract.settings import Settings
from extract.traffic.summary import manual_edits_line

PREFIX = "traffic manual edits applied (shown in the marts)"


def _write(settings: Settings, *statements: str) -> None:
    con = duckdb.connect(str(settings.duckdb_path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def test_the_demo_summary_counts_the_edits_applied(duckdb_settings: Settings) -> None:
    assert manual_edits_line(duckdb_settings) is None  # no warehouse yet: no line, no error
    duckdb_settings.duckdb_path.parent.mkdir(parents=True)
    _write(duckdb_settings, "create schema traffic")
    assert manual_edits_line(duckdb_settings) is None  # models not built yet
    _write(duckdb_settings, "create table traffic.traficov2_manual_edit_status (edit_id int, status text)")
    assert manual_edits_line(duckdb_settings) == f"{PREFIX}: 0 of 0"
    _write(
        duckdb_settings,
        "insert into traffic.traficov2_manual_edit_status values"
        " (1, 'applied'), (2, 'applied'), (3, 'superseded'), (4, 'no_current_row'), (5, 'applied')",
    )
    assert manual_edits_line(duckdb_settings) == (
        f"{PREFIX}: 3 of 5 (no_current_row 1, superseded 1; see traffic.traficov2_manual_edit_status)"
    )

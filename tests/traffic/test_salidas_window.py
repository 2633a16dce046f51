"""The exits' look-back window lands nothing when it holds the same rows as the last run's (no ODBC)."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from extract.traffic.salidas import SCHEMA, unless_same_window


def _batch(*rows: tuple[str, datetime, str | None]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"contenedor": c, "fecha_egr": f, "validada": v} for c, f, v in rows], schema=SCHEMA
    )


A = ("MSCU1234565", datetime(2026, 10, 1, 8, 0), None)
B = ("TCLU7654321", datetime(2026, 10, 1, 9, 30), "2026-10-01 09:40:00")


def _rows(batches: list[pa.Table]) -> list[dict]:
    return [r for b in batches for r in b.to_pylist()]


def test_same_window_yields_nothing_and_a_change_yields_it_all() -> None:
    state: dict = {}
    first = list(unless_same_window([_batch(A), _batch(B)], state, "2026-09-01"))
    assert _rows(first) == _rows([_batch(A, B)])  # first run: everything, and the window recorded
    assert list(unless_same_window([_batch(A), _batch(B)], state, "2026-09-01")) == []
    # a validation changed: the whole window is landed (the merge skips the unchanged rows)
    changed = ("TCLU7654321", B[1], "2026-10-01 10:00:00")
    again = list(unless_same_window([_batch(A), _batch(changed)], state, "2026-09-01"))
    assert _rows(again) == _rows([_batch(A, changed)])
    assert list(unless_same_window([_batch(A, changed)], state, "2026-09-01")) == []
    # the same rows from another start of the window is another read: landed
    assert _rows(list(unless_same_window([_batch(A, changed)], state, "2026-09-02"))) == _rows(again)


def test_a_window_too_large_to_hold_streams_through() -> None:
    """Beyond ``max_rows`` the batches are not held back: the window lands even when it is the same."""
    state: dict = {}
    assert _rows(list(unless_same_window([_batch(A), _batch(B)], state, "x"))) == _rows([_batch(A, B)])
    out = list(unless_same_window([_batch(A), _batch(B)], state, "x", max_rows=1))
    assert _rows(out) == _rows([_batch(A, B)])
    assert list(unless_same_window([_batch(A), _batch(B)], state, "x")) == []  # held: same, nothing

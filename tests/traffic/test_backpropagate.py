"""`elt back-propagate` on both warehouses: the mart's Chofer goes back to the source, once, atomically.

STAND-IN: these tests create ``traffic.traficov2_chofer_writeback`` directly with SQL, holding rows
chosen here, in place of the models engineer's dbt mart of the same name and columns (contract).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb
import psycopg2
import pytest
import sqlalchemy as sa

from extract.cli import main
from extract.sandbox import traffic as sb
from extract.settings import Settings
from extract.traffic.backpropagate import back_propagate
from tests.traffic.support import make_sandbox

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e


def create_writeback_standin(settings: Settings, rows: list[tuple[str, str, str | None, str | None]]) -> None:
    """STAND-IN for the dbt mart traffic.traficov2_chofer_writeback (same columns as the contract)."""
    ddl = [
        "create schema if not exists traffic",
        "create table traffic.traficov2_chofer_writeback "
        "(source_table text, contenedor text, chofer text, source_chofer text)",
    ]
    insert = "insert into traffic.traficov2_chofer_writeback values (?, ?, ?, ?)"
    if settings.target == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(settings.duckdb_path))
        try:
            for sql in ddl:
                con.execute(sql)
            con.executemany(insert, rows)
        finally:
            con.close()
        return
    conn = psycopg2.connect(settings.postgres.dsn())
    try:
        with conn, conn.cursor() as cur:
            for sql in ddl:
                cur.execute(sql)
            cur.executemany(insert.replace("?", "%s"), rows)
    finally:
        conn.close()


def source_rows(entry: dict[str, Any], table: str) -> list[dict[str, Any]]:
    return sb.ground_truth(entry)["tables"][table]


def test_back_propagate_updates_once(tsettings: Settings) -> None:
    entry = make_sandbox(tsettings)
    arribos = source_rows(entry, "arribos")
    counts = Counter(r["Contenedor"] for r in arribos)
    twice = next(c for c, n in counts.items() if n >= 2 and c not in (None, "", "-"))
    same = next(
        r
        for r in arribos
        if r["Chofer"] and counts[r["Contenedor"]] == 1 and r["Contenedor"] not in ("", "-")
    )
    expo = next(r for r in source_rows(entry, "arribos_expo_ctns") if r["Contenedor"] not in (None, "", "-"))
    create_writeback_standin(
        tsettings,
        [
            ("arribos", twice, "Nuevo Chofer", None),
            ("arribos", same["Contenedor"], same["Chofer"], "stale"),  # already equal: no change
            ("arribos_expo_ctns", expo["Contenedor"], "Otro Chofer", None),  # expo has no Chofer column
        ],
    )
    before = source_rows(entry, "arribos")

    planned = back_propagate(tsettings, dry_run=True)
    assert [(c.source_table, c.contenedor, c.new, c.rows) for c in planned.changes] == [
        ("arribos", twice, "Nuevo Chofer", 2)
    ]
    assert any("arribos_expo_ctns" in reason and "Chofer" in reason for reason in planned.not_applied)
    assert source_rows(entry, "arribos") == before  # a dry run writes nothing

    done = back_propagate(tsettings)
    assert done.rows_updated == 2
    after = source_rows(entry, "arribos")
    expected = [{**r, "Chofer": "Nuevo Chofer"} if r["Contenedor"] == twice else r for r in before]
    assert after == expected

    again = back_propagate(tsettings)
    assert again.rows_updated == 0 and again.changes == []
    assert source_rows(entry, "arribos") == expected


def test_back_propagate_expo_with_chofer_column(duckdb_settings: Settings) -> None:
    """Where the expo table has a "Chofer" column (added here), its rows are updated too."""
    entry = make_sandbox(duckdb_settings, salidas=False)
    engine = sa.create_engine(entry["credentials"])
    with engine.begin() as conn:
        conn.execute(sa.text('alter table arribos_expo_ctns add column "Chofer" text'))
    engine.dispose()
    expo = next(r for r in source_rows(entry, "arribos_expo_ctns") if r["Contenedor"] not in (None, "", "-"))
    create_writeback_standin(
        duckdb_settings, [("arribos_expo_ctns", expo["Contenedor"], "Chofer Expo", None)]
    )
    done = back_propagate(duckdb_settings)
    assert done.rows_updated == 1
    engine = sa.create_engine(entry["credentials"])
    with engine.connect() as conn:
        got = conn.execute(
            sa.text('select "Chofer" from arribos_expo_ctns where "Contenedor" = :c'),
            {"c": expo["Contenedor"]},
        ).all()
    engine.dispose()
    assert got == [("Chofer Expo",)]


def test_cli_dry_run_prints_changes(
    duckdb_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = make_sandbox(duckdb_settings, salidas=False)
    target = next(r for r in source_rows(entry, "arribos") if r["Contenedor"] not in (None, "", "-"))
    create_writeback_standin(duckdb_settings, [("arribos", target["Contenedor"], "Chofer CLI", None)])
    monkeypatch.setenv("ELT_TARGET", "duckdb")
    monkeypatch.setenv("ELT_DUCKDB_PATH", str(duckdb_settings.duckdb_path))
    monkeypatch.setenv("ELT_SANDBOX_DIR", str(duckdb_settings.sandbox_dir))
    assert main(["back-propagate", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"arribos {target['Contenedor']!r}" in out and "'Chofer CLI'" in out
    assert "would update" in out
    assert source_rows(entry, "arribos") == sb.ground_truth(entry)["tables"]["arribos"]
    assert all(r["Chofer"] != "Chofer CLI" for r in source_rows(entry, "arribos"))

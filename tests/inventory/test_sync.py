"""Relbase -> lake -> raw_inventory -> dbt marts, over real HTTP, on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import date

import pytest

import extract.inventory as inventory
from extract.dbt import run_dbt
from extract.inventory import download_step, load_latest, load_step
from extract.inventory.lake import complete_runs, mark_unfinished
from extract.inventory.settings import UNFINISHED
from extract.sandbox import inventory as sandbox_inventory
from extract.sandbox.relbase_server import ServerOptions
from extract.settings import Settings
from tests.inventory.support import (
    FAST_CLIENT,
    Relbase,
    codes_of,
    expected_stock,
    retired,
    start_relbase,
    status,
    stocked_pairs,
)
from tests.support import close, execute, query, query_dicts

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e


def build(settings: Settings, relbase: Relbase) -> None:
    today = relbase.state["today"]
    result = run_dbt(
        settings, ["build", "--select", "source:inventory+"], vars={"inventory_today": today}, quiet=True
    )
    assert result.ok, result.failures


def sync(settings: Settings, relbase: Relbase) -> None:
    load_step(settings, download_step(settings, relbase.config))
    build(settings, relbase)


def current_stock(settings: Settings) -> dict[tuple[int, int, str], tuple[float, str | None]]:
    rows = query(
        settings,
        "select product_id, warehouse_id, lot_number, quantity, expiration_date"
        " from inventory.warehouse_stock",
    )
    return {(int(p), int(w), lot): (float(q), e.isoformat() if e else None) for p, w, lot, q, e in rows}


def assert_stock_matches(settings: Settings, relbase: Relbase) -> None:
    expected = expected_stock(relbase.state)
    actual = current_stock(settings)
    assert set(actual) == set(expected)
    for key, (qty, expiration) in expected.items():
        assert close(actual[key][0], qty), key
        assert actual[key][1] == expiration, key


def test_full_sync_matches_the_generator(settings: Settings, relbase: Relbase) -> None:
    sync(settings, relbase)
    state = relbase.state
    assert_stock_matches(settings, relbase)

    # fewer calls: warehouses, product pages, one detail per product Relbase does not refuse (retired
    # ANU products are known from the listing), lots only where there is stock
    calls = relbase.server.log.calls
    pages = -(-len(state["products"]) // state["per_page"])
    assert calls == {
        "bodegas": 1,
        "productos": pages,
        "producto": sum(1 for p in state["products"] if not retired(p)),
        "lotes_series": len(stocked_pairs(state)),
    }
    assert relbase.server.log.total < len(state["products"]) * len(state["warehouses"])

    warehouses = {r["warehouse_id"]: r for r in query_dicts(settings, "select * from inventory.warehouses")}
    assert set(warehouses) == {w["id"] for w in state["warehouses"]}
    codes = codes_of(state["warehouses"])
    for w in state["warehouses"]:
        row = warehouses[w["id"]]
        assert row["code"] == codes[w["id"]]
        assert (row["name"], row["external_id"], row["source"], row["is_active"]) == (
            w["name"],
            str(w["id"]),
            "relbase",
            w["enabled"],
        )

    products = {r["product_id"]: r for r in query_dicts(settings, "select * from inventory.products")}
    assert set(products) == {p["id"] for p in state["products"]}
    refused = {p for p, r in products.items() if r["last_sync_outcome"] == "refused"}
    assert refused == {p["id"] for p in state["products"] if retired(p)}
    assert refused, "the sandbox should contain retired ANU products"

    # the lot view: active warehouses only; names, codes and statuses computed independently
    today = date.fromisoformat(state["today"])
    sku = {p["id"]: p["code"] for p in state["products"]}
    wh = {w["id"]: w for w in state["warehouses"]}
    disabled = {wid for wid, w in wh.items() if not w["enabled"]}
    assert any(k[1] in disabled for k in expected_stock(state)), "a disabled warehouse should have stock"
    expected_view = {}
    for (pid, wid, lot), (qty, expiration) in expected_stock(state).items():
        if wid in disabled:
            continue
        days, label = status(expiration, today)
        expected_view[(sku[pid], wid, lot)] = (codes[wid], wh[wid]["name"], qty, days, label)
    rows = query_dicts(settings, "select * from inventory.warehouse_stock_by_lot")
    actual_view = {
        (r["sku"], r["warehouse_id"], r["lot_number"]): (
            r["warehouse_code"],
            r["warehouse_name"],
            float(r["quantity"]),
            r["days_to_expiration"],
            r["expiration_status"],
        )
        for r in rows
    }
    assert actual_view == expected_view
    assert {v[4] for v in expected_view.values()} == {"No Date", "Expired", "Expiring Soon", "Valid"}

    summary = {
        r["warehouse_id"]: r for r in query_dicts(settings, "select * from inventory.warehouse_stock_summary")
    }
    for wid in wh:
        # a disabled warehouse's stock is left out of the summary (it stays in warehouse_stock)
        mine = [(k, v) for k, v in expected_stock(state).items() if k[1] == wid and wid not in disabled]
        assert close(summary[wid]["units"], sum(v[0] for _, v in mine))
        assert summary[wid]["lots"] == sum(1 for k, _ in mine if k[2] != "NO_LOT_TRACKING")
        assert summary[wid]["products"] == len({k[0] for k, _ in mine})
        expired = sum(v[0] for _, v in mine if status(v[1], today)[1] == "Expired")
        assert close(summary[wid]["units_expired"], expired)


def test_removed_lot_leaves_current_stock_but_stays_in_history(settings: Settings, relbase: Relbase) -> None:
    sync(settings, relbase)
    before = current_stock(settings)
    old_truth = expected_stock(relbase.state)
    changed = sandbox_inventory.change_into(relbase.entry, 1)
    assert changed["lots_removed"] > 0
    relbase.server.reload()

    # a dry run downloads and reports, and the warehouse stays as it was
    preview = inventory.land_source(settings, inventory.RunOptions(dry_run=True), relbase.config)
    assert preview.dry_run and preview.rows["lots"] > 0
    assert current_stock(settings) == before
    assert query(settings, "select count(*) from raw_inventory.lake_runs") == [(1,)]
    if settings.target == "duckdb":
        new_truth = expected_stock(relbase.state)
        assert preview.stock_changes == {
            "added": len(set(new_truth) - set(old_truth)),
            "removed": len(set(old_truth) - set(new_truth)),
            "changed": sum(1 for k in set(new_truth) & set(old_truth) if new_truth[k] != old_truth[k]),
        }

    sync(settings, relbase)
    assert_stock_matches(settings, relbase)

    after = current_stock(settings)
    gone = set(before) - set(after)
    assert gone, "the change batch removed lots"
    history = query(
        settings,
        "select product_id, warehouse_id, lot_number, dbt_valid_to from snapshots.warehouse_stock_history",
    )
    closed = {(int(p), int(w), lot) for p, w, lot, valid_to in history if valid_to is not None}
    assert gone <= closed
    open_rows = {(int(p), int(w), lot) for p, w, lot, valid_to in history if valid_to is None}
    assert open_rows == set(after)


# test_crash.py kills a real process between the steps on both warehouses; this one checks the
# in-process path (land_source raising) once.
@pytest.mark.parametrize("settings", ["duckdb"], indirect=True)
def test_failed_load_is_retried_from_the_lake_without_api_calls(
    settings: Settings, relbase: Relbase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_land(*args: object, **kwargs: object) -> None:
        raise RuntimeError("warehouse went away during the load")

    monkeypatch.setattr(inventory, "land", broken_land)
    with pytest.raises(RuntimeError, match="went away"):
        inventory.land_source(settings, inventory.RunOptions(), relbase.config)
    monkeypatch.undo()

    runs = complete_runs(relbase.config.lake_for(settings))
    assert len(runs) == 1 and not (runs[0].path / "loaded.txt").exists()
    calls = relbase.server.log.total
    assert calls > 0

    result = load_latest(settings, relbase.config)
    assert relbase.server.log.total == calls, "loading from the lake must not call the API"
    assert result.rows["lots"] > 0
    build(settings, relbase)
    assert relbase.server.log.total == calls
    assert_stock_matches(settings, relbase)


def test_injected_faults_still_account_for_every_product_and_warehouse(settings: Settings) -> None:
    faulty = ServerOptions(rate_limit=40, window=1.0, fault_rate=0.2, timeout_delay=1.0, seed=3)
    client = FAST_CLIENT.__class__(**{**FAST_CLIENT.__dict__, "timeout": 0.4, "max_attempts": 12})
    relbase = start_relbase(settings, faulty, client)
    try:
        run = download_step(settings, relbase.config)
        load_step(settings, run)
    finally:
        relbase.server.stop()
    log = relbase.server.log
    assert set(log.faults) == {"5xx", "timeout", "malformed"}
    assert run.summary["products_failed"] == 0 and run.summary["lot_calls_failed"] == 0

    state = relbase.state
    products = dict(query(settings, "select product_id, outcome from raw_inventory.product_requests"))
    assert {int(p) for p in products} == {p["id"] for p in state["products"]}
    assert {o for p, o in products.items() if o != "ok"} <= {"refused"}
    lot_calls = query(settings, "select product_id, warehouse_id, outcome from raw_inventory.lot_requests")
    assert {(int(p), int(w)) for p, w, _ in lot_calls} == stocked_pairs(state)
    assert {o for _, _, o in lot_calls} <= {"ok", "not_found"}
    lots = query(settings, "select product_id, warehouse_id, lot_serial_number from raw_inventory.lots")
    expected = {k for k in expected_stock(state) if k[2] != "NO_LOT_TRACKING"}
    assert {(int(p), int(w), lot) for p, w, lot in lots} == expected


def _stock_of(state: dict, pair: tuple[int, int]) -> int:
    return state["inventories"][str(pair[0])].get(str(pair[1]), 0)


def _lot_ids(state: dict) -> set[tuple[int, int, str]]:
    return {
        (int(pid), int(wid), lot["lot_serial_number"])
        for pid, by_wh in state["lots"].items()
        for wid, lots in by_wh.items()
        for lot in lots
    }


@pytest.mark.parametrize("settings", ["duckdb"], indirect=True)
def test_lots_are_asked_again_only_where_stock_changed(settings: Settings, relbase: Relbase) -> None:
    sync(settings, relbase)
    asked = len(stocked_pairs(relbase.state))
    products = sum(1 for p in relbase.state["products"] if not retired(p))

    # nothing changed at Relbase: details again (the only way to see stock), no lot call
    relbase.server.reset_log()
    sync(settings, relbase)
    assert relbase.server.log.calls["lotes_series"] == 0
    assert relbase.server.log.calls["producto"] == products
    assert_stock_matches(settings, relbase)

    # a change batch: lots only for the pairs whose stock moved; lots used up disappear at once
    before = relbase.state
    changed = sandbox_inventory.change_into(relbase.entry, 1)
    relbase.server.reload()
    after = relbase.state
    moved = {pair for pair in stocked_pairs(after) if _stock_of(before, pair) != _stock_of(after, pair)}
    assert moved and len(moved) < asked and changed["lots_removed"] > 0
    gone = _lot_ids(before) - _lot_ids(after)
    assert gone
    relbase.server.reset_log()
    sync(settings, relbase)
    assert relbase.server.log.calls["lotes_series"] == len(moved)
    assert_stock_matches(settings, relbase)
    assert not gone & set(current_stock(settings))

    # a full refresh, or answers older than lots_max_age_hours, ask every stocked pair again
    relbase.server.reset_log()
    download_step(settings, relbase.config, full_refresh=True)
    assert relbase.server.log.calls["lotes_series"] == len(stocked_pairs(after))
    relbase.server.reset_log()
    download_step(settings, replace(relbase.config, lots_max_age_hours=0.0))
    assert relbase.server.log.calls["lotes_series"] == len(stocked_pairs(after))


@pytest.mark.parametrize("settings", ["duckdb"], indirect=True)
def test_stock_gone_and_back_asks_its_lots_again(settings: Settings, relbase: Relbase) -> None:
    sync(settings, relbase)
    state = relbase.state
    tracked = sorted(p for p in stocked_pairs(state) if state["lots"][str(p[0])].get(str(p[1])))
    pid, wid = (str(x) for x in tracked[0])
    kept_lots, kept_stock = state["lots"][pid][wid], state["inventories"][pid][wid]

    # the pair runs out (no lot call), then gets the same quantity back in a new lot
    state["lots"][pid][wid], state["inventories"][pid][wid] = [], 0
    sandbox_inventory.write_state(sandbox_inventory.state_path(relbase.entry), state)
    relbase.server.reload()
    relbase.server.reset_log()
    sync(settings, relbase)
    assert relbase.server.log.calls["lotes_series"] == 0
    assert_stock_matches(settings, relbase)

    new_lot = dict(kept_lots[0], id=999_999, lot_serial_number="L2026-NEW", stock=kept_stock)
    state["lots"][pid][wid], state["inventories"][pid][wid] = [new_lot], kept_stock
    sandbox_inventory.write_state(sandbox_inventory.state_path(relbase.entry), state)
    relbase.server.reload()
    relbase.server.reset_log()
    sync(settings, relbase)
    assert relbase.server.log.calls["lotes_series"] == 1
    assert_stock_matches(settings, relbase)


@pytest.mark.parametrize("settings", ["duckdb"], indirect=True)
def test_only_committed_answers_spare_a_lot_call(settings: Settings, relbase: Relbase) -> None:
    sync(settings, relbase)
    # the warehouse is a new, empty one: every stocked pair is asked
    elsewhere = replace(settings, duckdb_path=settings.duckdb_path.with_name("other.duckdb"))
    relbase.server.reset_log()
    load_step(elsewhere, download_step(elsewhere, relbase.config))
    assert relbase.server.log.calls["lotes_series"] == len(stocked_pairs(relbase.state))
    # rows whose load dlt never marked complete (a load cut short) spare nothing
    execute(settings, "delete from raw_inventory._dlt_loads")
    relbase.server.reset_log()
    download_step(settings, relbase.config)
    assert relbase.server.log.calls["lotes_series"] == len(stocked_pairs(relbase.state))


@pytest.mark.parametrize("settings", ["duckdb"], indirect=True)
def test_a_run_killed_after_its_download_is_resumed_without_api_calls(
    settings: Settings, relbase: Relbase
) -> None:
    lake = relbase.config.lake_for(settings)
    run = download_step(settings, relbase.config)
    # the run that downloaded it died before loading: its mark names a process that is gone
    mark_unfinished(run)
    dead = subprocess.Popen(["true"])
    dead.wait()
    owner = json.loads((run.path / UNFINISHED).read_text())
    (run.path / UNFINISHED).write_text(json.dumps({**owner, "pid": dead.pid}))
    relbase.server.reset_log()
    result = inventory.land_source(settings, inventory.RunOptions(), relbase.config)
    assert relbase.server.log.total == 0
    assert result.rows["lots"] > 0 and len(complete_runs(lake)) == 1
    assert query(settings, "select lake_run_id from raw_inventory.lake_runs") == [(run.run_id,)]

    # this process is alive and owns the mark now: the next run downloads
    inventory.land_source(settings, inventory.RunOptions(), relbase.config)
    assert relbase.server.log.total > 0 and len(complete_runs(lake)) == 2

"""Relbase -> lake -> raw_inventory -> dbt marts, over real HTTP, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

import extract.inventory as inventory
from extract.dbt import run_dbt
from extract.inventory import download_step, load_latest, load_step
from extract.inventory.lake import complete_runs
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
from tests.support import close, query, query_dicts

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

    # fewer calls: warehouses, product pages, one detail per product, lots only where there is stock
    calls = relbase.server.log.calls
    pages = -(-len(state["products"]) // state["per_page"])
    assert calls == {
        "bodegas": 1,
        "productos": pages,
        "producto": len(state["products"]),
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

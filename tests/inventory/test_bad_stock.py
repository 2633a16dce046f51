"""A non-numeric Relbase ``stock`` does not fail the sync: the value lands as null, is listed in
``raw_inventory.type_rejects`` naming its product and warehouse, and every other product's stock lands
and builds."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import extract.inventory as inventory
from extract.pipeline import RunOptions
from extract.runner import run
from extract.settings import Settings
from extract.sources import SOURCES
from tests.inventory.support import start_relbase
from tests.support import query

pytestmark = pytest.mark.e2e


def test_a_non_numeric_stock_is_rejected_naming_the_product(duckdb_settings: Settings) -> None:
    settings = duckdb_settings
    relbase = start_relbase(settings)
    try:
        state_path = Path(relbase.entry["state"])
        state = json.loads(state_path.read_text())
        product, stocks = next((pid, s) for pid, s in sorted(state["inventories"].items()) if s)
        warehouse = sorted(stocks)[0]
        stocks[warehouse] = "n/a"
        state_path.write_text(json.dumps(state))
        relbase.server.reload()
        spec = replace(
            SOURCES["inventory"], land=lambda s, o: inventory.land_source(s, o, config=relbase.config)
        )
        report = run(settings, [spec], RunOptions())
    finally:
        relbase.server.stop()
    assert report.ok, report.lines()
    rejected = query(
        settings, "select source_table, row_id, column_name, value, reason from raw_inventory.type_rejects"
    )
    assert rejected == [
        (
            "product_stock",
            f"product {product} warehouse {warehouse}",
            "stock",
            "n/a",
            f"product {product} warehouse {warehouse}: stock 'n/a' is not a number: landed as null",
        )
    ]
    others = query(
        settings,
        f"select count(distinct product_id) from inventory.warehouse_stock where product_id <> {product}",
    )
    assert others[0][0] > 0, "the other products' stock landed and built"

"""The inventory dbt models on hand-made raw rows (no HTTP), on both warehouses: the three rules of the
legacy view (disabled warehouses out of the lot view and its summary, warehouse codes stripped and
unique, the summary joined on `warehouse_id`), with the inventory dbt unit tests run by the build."""

from __future__ import annotations

from extract.dbt import run_dbt
from extract.settings import Settings
from tests.inventory.support import codes_of, write_raw_inventory
from tests.support import close, query_dicts

RUN = "20261101T000000000000Z"
# ids ascending; "Orinoco" twice (same name and code) and "ORINOCO 90" collapse to one code
WAREHOUSES = [
    {"id": 1008, "name": "ORINOCO 90", "address": "Av. Matta 10", "enabled": True},
    {"id": 1015, "name": "Orinoco", "address": "Av. Grecia 20", "enabled": True},
    {"id": 1022, "name": "Bodega Temuco 3", "address": "Av. Matta 30", "enabled": True},
    {"id": 1029, "name": "Bodega Cerrada", "address": "Av. Matta 40", "enabled": False},
    {"id": 1036, "name": "Bodega Temuco", "address": "Av. Matta 50", "enabled": True},
    {"id": 1043, "name": "Orinoco", "address": "Av. Grecia 60", "enabled": True},
]
PRODUCTS = [
    {"id": 50000, "code": "SKU-00001", "name": "Leche 1 L", "barcode": None, "is_inventory": True},
    {"id": 50003, "code": "SKU-00002", "name": "Arroz 1 kg", "barcode": None, "is_inventory": True},
]
# (product, warehouse) -> stock; lots for the first product, none (404) for the second
STOCK = {(50000, 1015): 5, (50000, 1043): 7, (50000, 1029): 3, (50003, 1008): 4, (50003, 1029): 9}
LOTS = {
    (50000, 1015): ("L-A", "2026-12-31"),
    (50000, 1043): ("L-B", "2026-10-01"),
    (50000, 1029): ("L-C", None),
}


def raw_tables() -> dict[str, list[dict]]:
    lot_rows = [
        {"product_id": p, "warehouse_id": w, "id": i, "lot_serial_number": lot, "stock": STOCK[(p, w)]}
        | {"expiration_date": expiration}
        for i, ((p, w), (lot, expiration)) in enumerate(LOTS.items(), start=1)
    ]
    return {
        "warehouses": WAREHOUSES,
        "products": PRODUCTS,
        "product_requests": [{"product_id": p["id"], "status": 200, "outcome": "ok"} for p in PRODUCTS],
        "product_stock": [{"product_id": p, "ware_house_id": w, "stock": s} for (p, w), s in STOCK.items()],
        "lot_requests": [
            {"product_id": p, "warehouse_id": w, "status": 200 if (p, w) in LOTS else 404}
            | {"outcome": "ok" if (p, w) in LOTS else "not_found"}
            for p, w in STOCK
        ],
        "lots": lot_rows,
        "lake_runs": [{"warehouses": len(WAREHOUSES), "products": len(PRODUCTS), "api_calls": 10}],
    }


def test_legacy_view_rules_disabled_warehouses_codes_and_ids(settings: Settings) -> None:
    write_raw_inventory(settings, raw_tables(), RUN)
    result = run_dbt(
        settings,
        ["build", "--select", "source:inventory+"],
        vars={"inventory_today": "2026-11-01"},
        quiet=True,
    )
    assert result.ok, result.failures

    # codes: digits dropped, `_` stripped at the ends, collisions settled by the smallest id
    rows = query_dicts(settings, "select * from inventory.warehouses")
    codes = {r["warehouse_id"]: r["code"] for r in rows}
    assert codes == codes_of(WAREHOUSES)
    assert codes == {
        1008: "orinoco",
        1015: "orinoco_1015",
        1022: "bodega_temuco",
        1029: "bodega_cerrada",
        1036: "bodega_temuco_1036",
        1043: "orinoco_1043",
    }

    # the disabled warehouse keeps its stock in warehouse_stock...
    stock = query_dicts(settings, "select * from inventory.warehouse_stock")
    assert {(r["product_id"], r["warehouse_id"]) for r in stock} == set(STOCK)
    # ...but not in the lot view, which carries warehouse_id
    by_lot = {
        (r["sku"], r["warehouse_id"], r["lot_number"]): (
            r["warehouse_code"],
            r["warehouse_name"],
            float(r["quantity"]),
        )
        for r in query_dicts(settings, "select * from inventory.warehouse_stock_by_lot")
    }
    assert by_lot == {
        ("SKU-00001", 1015, "L-A"): ("orinoco_1015", "Orinoco", 5.0),
        ("SKU-00001", 1043, "L-B"): ("orinoco_1043", "Orinoco", 7.0),
        ("SKU-00002", 1008, "NO_LOT_TRACKING"): ("orinoco", "ORINOCO 90", 4.0),
    }

    # the summary: each warehouse its own stock (the two "Orinoco" apart), the disabled one 0
    summary = {
        r["warehouse_id"]: r for r in query_dicts(settings, "select * from inventory.warehouse_stock_summary")
    }
    assert set(summary) == {w["id"] for w in WAREHOUSES}
    expected_units = {1008: 4, 1015: 5, 1022: 0, 1029: 0, 1036: 0, 1043: 7}
    for wid, units in expected_units.items():
        assert close(summary[wid]["units"], units), wid
    assert (summary[1043]["units_expired"], summary[1015]["units_valid"]) == (7, 5)
    assert summary[1029]["is_active"] is False and summary[1029]["products"] == 0
    assert result.count("unit_test", "pass") >= 5  # the inventory unit tests ran in this build

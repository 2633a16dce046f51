"""Primary keys over several columns are tested with one `unique_key(columns=[...])` test, which also
fails on a null in any part, never with `unique` on a concatenation (null when a part is null, so such
rows escape). Read from the parsed dbt project."""

from __future__ import annotations

import json
from pathlib import Path

from extract.dbt import run_dbt
from extract.settings import Settings

# model -> the columns of its composite key
COMPOSITE_KEYS = {
    "stg_traffic__salidas": ["container_key", "fecha_egr"],
    "int_traffic__expo_expanded": ["source_row", "secuencia"],
    "int_traffic__expo_assigned": ["source_row", "secuencia"],
    "traficov2_remisiones": ['"Contenedor"', '"Operacion"'],
    "traficov2_chofer_writeback": ["source_table", "contenedor"],
    "traficov2_export_reconciliation": ["table_name", "business_key"],
    "warehouse_stock": ["product_id", "warehouse_id", "lot_number"],
    "warehouse_stock_by_lot": ["sku", "warehouse_id", "lot_number"],
}


def test_composite_keys_use_unique_key_and_no_unique_test_is_on_a_concatenation(tmp_path: Path) -> None:
    settings = Settings(duckdb_path=tmp_path / "parse.duckdb", dbt_target_path=tmp_path / "target")
    run_dbt(settings, ["parse"], quiet=True)
    manifest = json.loads((settings.dbt_target_path / "manifest.json").read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]

    found: dict[str, list[list[str]]] = {}
    for test in tests:
        meta = test.get("test_metadata") or {}
        model = (test.get("attached_node") or "").split(".")[-1]
        if meta.get("name") == "unique_key":
            found.setdefault(model, []).append(meta["kwargs"]["columns"])
        if meta.get("name") == "unique":
            column = str(test.get("column_name") or meta["kwargs"].get("column_name") or "")
            assert "||" not in column and "concat" not in column.lower(), (model, column)
    for model, columns in COMPOSITE_KEYS.items():
        assert columns in found.get(model, []), f"{model}: no unique_key test on {columns}"

"""Step 2: load one lake folder into ``raw_inventory`` with dlt, as Arrow tables. No API calls.

Every raw row carries ``lake_run_id``; tables merge on their key plus ``lake_run_id``, so loading the
same folder twice (a retry after a failed load) changes nothing. Which run is current, stale lots and
``NO_LOT_TRACKING`` are decided in dbt, not here.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
from dlt.extract.exceptions import CurrentSourceSchemaNotAvailable
from dlt.extract.resource import DltResource

from extract.inventory.settings import REQUIRED_COLUMNS
from extract.pipeline import require_columns
from extract.rejects import COLUMNS as REJECT_COLUMNS
from extract.rejects import REJECTS_TABLE

log = logging.getLogger(__name__)

MERGE = {"disposition": "merge", "strategy": "delete-insert"}

_REQUEST = [
    ("fetched_at", pa.string()),
    ("status", pa.int64()),
    ("outcome", pa.string()),
    ("error", pa.string()),
]
PRODUCT = pa.struct(
    [
        ("id", pa.int64()),
        ("code", pa.string()),
        ("name", pa.string()),
        ("barcode", pa.string()),
        ("is_inventory", pa.bool_()),
    ]
)
PAGES_SCHEMA = pa.schema(
    [
        ("page", pa.int64()),
        ("fetched_at", pa.string()),
        ("response", pa.struct([("data", pa.struct([("products", pa.list_(PRODUCT))]))])),
    ]
)
INVENTORY = pa.struct([("ware_house_id", pa.int64()), ("stock", pa.float64())])
DETAILS_SCHEMA = pa.schema(
    [
        ("product_id", pa.int64()),
        *_REQUEST,
        ("response", pa.struct([("data", pa.struct([("inventories", pa.list_(INVENTORY))]))])),
    ]
)
LOT = pa.struct(
    [
        ("id", pa.int64()),
        ("lot_serial_number", pa.string()),
        ("stock", pa.float64()),
        ("expiration_date", pa.string()),
    ]
)
LOTS_SCHEMA = pa.schema(
    [
        ("product_id", pa.int64()),
        ("warehouse_id", pa.int64()),
        *_REQUEST,
        ("response", pa.struct([("data", pa.struct([("lot_serial_numbers", pa.list_(LOT))]))])),
    ]
)


def _read_jsonl(path: Path, schema: pa.Schema, rejects: list[dict[str, Any]] | None = None) -> pa.Table:
    """A JSONL file of the lake as one Arrow table; fields the API added later are ignored.

    When a value does not fit its type (a non-numeric ``stock``), the file is read again line by line:
    such a value lands as null and is listed in ``rejects`` naming its product, so one bad value never
    fails the whole sync."""
    if path.stat().st_size == 0:
        return schema.empty_table()
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    try:
        return pa_json.read_json(path, parse_options=options).combine_chunks()
    except pa.ArrowInvalid:
        if rejects is None:
            raise
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(_numbers_only(json.loads(line), path.stem, rejects))
    return pa.Table.from_pylist(rows, schema=schema)


def _number(value: Any) -> float | None:
    """A finite number (JSON number or numeric text), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _numbers_only(record: dict[str, Any], file: str, rejects: list[dict[str, Any]]) -> dict[str, Any]:
    """``record`` with each ``stock`` of its answer that is no number set to null (and in ``rejects``)."""
    data = ((record.get("response") or {}).get("data")) or {}
    if file == "lots":
        table, items = "lots", data.get("lot_serial_numbers")
    else:
        table, items = "product_stock", data.get("inventories")
    for item in items or []:
        value = item.get("stock")
        if value is None or _number(value) is not None:
            if value is not None:
                item["stock"] = _number(value)
            continue
        warehouse = record.get("warehouse_id", item.get("ware_house_id"))
        where = f"product {record.get('product_id')} warehouse {warehouse}"
        reason = f"{where}: stock {str(value)[:80]!r} is not a number: landed as null"
        log.warning("inventory: %s: %s", table, reason)
        rejects.append(
            {
                "source_table": table,
                "row_id": where,
                "column_name": "stock",
                "value": str(value)[:1000],
                "reason": reason,
                "seen_at": datetime.now(UTC),
            }
        )
        item["stock"] = None
    return record


def _explode(table: pa.Table, list_path: list[str], keep: list[str]) -> pa.Table:
    """One row per element of the nested list at ``response.<list_path>``, with ``keep`` columns."""
    nested = pc.struct_field(table.column("response").combine_chunks(), list_path)
    items = pc.list_flatten(nested)
    parents = pc.list_parent_indices(nested)
    out = (
        pa.Table.from_struct_array(items) if len(items) else pa.Table.from_batches([], _struct_schema(items))
    )
    for name in keep:
        out = out.append_column(name, pc.take(table.column(name), parents))
    return out


def _struct_schema(items: pa.Array) -> pa.Schema:
    return pa.schema(list(items.type))


TYPED = {
    "fetched_at": pa.timestamp("us", tz="UTC"),
    "finished_at": pa.timestamp("us", tz="UTC"),
    "expiration_date": pa.date32(),
}


def _with_run(table: pa.Table, run_id: str) -> pa.Table:
    """Add ``lake_run_id``; ISO strings of the lake become Arrow timestamps and dates."""
    for name, typ in TYPED.items():
        if name in table.column_names:
            index = table.column_names.index(name)
            table = table.set_column(index, name, pc.cast(table.column(name), typ))
    return table.append_column("lake_run_id", pa.array([run_id] * table.num_rows, pa.string()))


def _not_null(table: pa.Table, keys: list[str]) -> pa.Table:
    """Key columns marked non-nullable, as dlt declares primary keys (a null key is an error here)."""
    schema = pa.schema([f.with_nullable(f.name not in keys) for f in table.schema])
    return table.cast(schema)


def _known_table(name: str) -> bool:
    """The pipeline's schema already has table ``name`` with its columns (loaded before), so an empty Arrow
    table of it need not be yielded: a download that asked no lot leaves ``lots`` empty, and dlt's ADBC
    parquet copy into PostgreSQL fails on a file without row groups. Outside a pipeline: False."""
    try:
        table = dlt.current.source_schema().tables.get(name)
    except CurrentSourceSchemaNotAvailable:
        return False
    return bool(table and table.get("columns"))


def _requests(table: pa.Table, keys: list[str]) -> pa.Table:
    return table.select([*keys, *(name for name, _ in _REQUEST)])


@dlt.source(name="inventory", max_table_nesting=0)
def lake_source(run_path: str) -> Iterator[DltResource]:
    """The raw tables of one lake folder."""
    path = Path(run_path)
    run_id = path.name
    summary = json.loads((path / "summary.json").read_text())

    def resource(name: str, key: list[str], make) -> DltResource:
        keys = [*key, "lake_run_id"]

        def rows() -> Iterator[pa.Table]:
            table = _not_null(_with_run(make(), run_id), keys)
            if table.num_rows or not _known_table(name):
                yield table

        resource = dlt.resource(rows, name=name, primary_key=keys, write_disposition=MERGE)
        if name in REQUIRED_COLUMNS:
            resource.add_map(require_columns("inventory", name, REQUIRED_COLUMNS[name]))
        return resource

    def warehouses() -> pa.Table:
        doc = json.loads((path / "warehouses.json").read_text())
        rows = [
            {k: w.get(k) for k in ("id", "name", "address", "enabled")} | {"fetched_at": doc["fetched_at"]}
            for w in doc["response"]["data"]["warehouses"]
        ]
        schema = pa.schema(
            [
                ("id", pa.int64()),
                ("name", pa.string()),
                ("address", pa.string()),
                ("enabled", pa.bool_()),
                ("fetched_at", pa.string()),
            ]
        )
        return pa.Table.from_pylist(rows, schema=schema)

    def products() -> pa.Table:
        return _explode(
            _read_jsonl(path / "products.jsonl", PAGES_SCHEMA), ["data", "products"], ["fetched_at"]
        )

    rejects: list[dict[str, Any]] = []
    details = _read_jsonl(path / "product_details.jsonl", DETAILS_SCHEMA, rejects)
    lots = _read_jsonl(path / "lots.jsonl", LOTS_SCHEMA, rejects)

    def lake_runs() -> pa.Table:
        row = {k: summary.get(k) for k in SUMMARY_COLUMNS}
        row["api_calls"] = sum(summary.get("calls", {}).values())
        return pa.Table.from_pylist([row]).drop_columns(["run_id"])

    yield resource("warehouses", ["id"], warehouses)
    yield resource("products", ["id"], products)
    yield resource("product_requests", ["product_id"], lambda: _requests(details, ["product_id"]))
    yield resource(
        "product_stock",
        ["product_id", "ware_house_id"],
        lambda: _explode(details, ["data", "inventories"], ["product_id", "fetched_at"]),
    )
    yield resource(
        "lot_requests",
        ["product_id", "warehouse_id"],
        lambda: _requests(lots, ["product_id", "warehouse_id"]),
    )
    yield resource(
        "lots",
        ["product_id", "warehouse_id", "id"],
        lambda: _explode(lots, ["data", "lot_serial_numbers"], ["product_id", "warehouse_id", "fetched_at"]),
    )
    yield resource("lake_runs", [], lake_runs)
    # the values kept out of this lake run (replaced every load; empty when none)
    yield dlt.resource(
        [dict(r, lake_run_id=run_id) for r in rejects] or [],
        name=REJECTS_TABLE,
        write_disposition="replace",
        columns={**REJECT_COLUMNS, "lake_run_id": {"data_type": "text"}},
    )


SUMMARY_COLUMNS = (
    "run_id",
    "finished_at",
    "warehouses",
    "products",
    "products_synced",
    "products_refused",
    "products_failed",
    "lot_calls",
    "lot_calls_failed",
    "lots",
    "retries",
)

"""Step 2: load one lake folder into ``raw_inventory`` with dlt, as Arrow tables. No API calls.

Every raw row carries ``lake_run_id``; tables merge on their key plus ``lake_run_id``, so loading the
same folder twice (a retry after a failed load) changes nothing. Which run is current, stale lots and
``NO_LOT_TRACKING`` are decided in dbt, not here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
from dlt.extract.resource import DltResource

from extract.inventory.settings import REQUIRED_COLUMNS
from extract.pipeline import require_columns

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


def _read_jsonl(path: Path, schema: pa.Schema) -> pa.Table:
    """A JSONL file of the lake as one Arrow table; fields the API added later are ignored."""
    if path.stat().st_size == 0:
        return schema.empty_table()
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    return pa_json.read_json(path, parse_options=options).combine_chunks()


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
            yield _not_null(_with_run(make(), run_id), keys)

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

    details = _read_jsonl(path / "product_details.jsonl", DETAILS_SCHEMA)
    lots = _read_jsonl(path / "lots.jsonl", LOTS_SCHEMA)

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

"""Support of the inventory tests: a local Relbase for a test, and an independent computation of the
inventory marts from the sandbox state (the generator's truth)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import psycopg2

from extract.inventory import InventoryConfig
from extract.inventory.client import ClientOptions
from extract.sandbox import inventory as sandbox_inventory
from extract.sandbox.relbase_server import RelbaseServer, ServerOptions
from extract.settings import Settings


def code_of(name: str) -> str:
    """Domain §3's code, computed another way than the dbt macro (Unicode decomposition)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    text = re.sub(r"[ -]", "_", plain.lower())
    text = re.sub(r"[^a-z_]", "", text)
    return re.sub(r"_+", "_", text).strip("_") or "warehouse"


def codes_of(warehouses: list[dict[str, Any]]) -> dict[int, str]:
    """Warehouse id -> unique code: on a collision the smallest id keeps the code, the others get
    `<code>_<id>` (domain §3: "a collision settled by external_id")."""
    out: dict[int, str] = {}
    taken: set[str] = set()
    for w in sorted(warehouses, key=lambda w: int(w["id"])):
        code = code_of(w["name"])
        out[int(w["id"])] = code if code not in taken else f"{code}_{w['id']}"
        taken.add(code)
    return out


def retired(product: dict[str, Any]) -> bool:
    return str(product["code"]).upper().startswith("ANU")


def expected_stock(state: dict[str, Any]) -> dict[tuple[int, int, str], tuple[float, str | None]]:
    """(product, warehouse, lot) -> (quantity, expiration ISO date) of every current stock row."""
    out: dict[tuple[int, int, str], tuple[float, str | None]] = {}
    for product in state["products"]:
        if retired(product):
            continue
        pid = product["id"]
        for wid, stock in state["inventories"][str(pid)].items():
            if stock <= 0:
                continue
            lots = state["lots"][str(pid)].get(wid) or []
            if not lots:
                out[(pid, int(wid), "NO_LOT_TRACKING")] = (float(stock), None)
            for lot in lots:
                if lot["stock"] > 0:
                    out[(pid, int(wid), lot["lot_serial_number"])] = (
                        float(lot["stock"]),
                        lot["expiration_date"],
                    )
    return out


def status(expiration: str | None, today: date, soon_days: int = 30) -> tuple[int | None, str]:
    if expiration is None:
        return None, "No Date"
    days = (date.fromisoformat(expiration) - today).days
    if days < 0:
        return days, "Expired"
    return days, "Expiring Soon" if days <= soon_days else "Valid"


def stocked_pairs(state: dict[str, Any]) -> set[tuple[int, int]]:
    """Every (product, warehouse) with stock, retired products excluded: the lot calls we expect."""
    return {
        (p["id"], int(wid))
        for p in state["products"]
        if not retired(p)
        for wid, stock in state["inventories"][str(p["id"])].items()
        if stock > 0
    }


PRODUCTS = 24
# Functional tests run the server with a looser limit so they take seconds; the throttling test
# uses Relbase's real 7 per second.
FAST_SERVER = ServerOptions(rate_limit=40, window=1.0)
FAST_CLIENT = ClientOptions(max_calls=30, period=1.0, workers=4, backoff=0.05, max_backoff=0.5)


@dataclass
class Relbase:
    """A running local Relbase, its sandbox entry and a config pointing at it."""

    server: RelbaseServer
    entry: dict[str, Any]
    config: InventoryConfig

    @property
    def state(self) -> dict[str, Any]:
        return sandbox_inventory.read_state(self.entry)


def start_relbase(
    settings: Settings,
    server_options: ServerOptions = FAST_SERVER,
    client_options: ClientOptions = FAST_CLIENT,
    products: int = PRODUCTS,
) -> Relbase:
    gen = sandbox_inventory.GenerateOptions(seed=7, products=products, per_page=10)
    entry = sandbox_inventory.build_entry(settings, gen)
    server = RelbaseServer.from_entry(entry, server_options).start()
    config = InventoryConfig(
        base_url=server.url,
        company_token=entry["company_token"],
        user_token=entry["user_token"],
        lake_dir=settings.sandbox_dir.parent / "lake",
        client=client_options,
    )
    return Relbase(server, entry, config)


# The raw contract of `raw_inventory` as the lake load lands it (one row per download, `lake_run_id`).
RAW_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "warehouses": [("id", "bigint"), ("name", "text"), ("address", "text"), ("enabled", "boolean")],
    "products": [
        ("id", "bigint"),
        ("code", "text"),
        ("name", "text"),
        ("barcode", "text"),
        ("is_inventory", "boolean"),
    ],
    "product_requests": [
        ("product_id", "bigint"),
        ("status", "bigint"),
        ("outcome", "text"),
        ("error", "text"),
    ],
    "product_stock": [("product_id", "bigint"), ("ware_house_id", "bigint"), ("stock", "double precision")],
    "lot_requests": [
        ("product_id", "bigint"),
        ("warehouse_id", "bigint"),
        ("status", "bigint"),
        ("outcome", "text"),
        ("error", "text"),
    ],
    "lots": [
        ("product_id", "bigint"),
        ("warehouse_id", "bigint"),
        ("id", "bigint"),
        ("lot_serial_number", "text"),
        ("stock", "double precision"),
        ("expiration_date", "date"),
    ],
    "lake_runs": [
        (name, "bigint")
        for name in (
            "warehouses",
            "products",
            "products_synced",
            "products_refused",
            "products_failed",
            "lot_calls",
            "lot_calls_failed",
            "lots",
            "api_calls",
            "retries",
        )
    ],
}


def write_raw_inventory(settings: Settings, tables: dict[str, list[dict[str, Any]]], run_id: str) -> None:
    """Create the `raw_inventory` tables with these rows, all of lake run ``run_id`` (fetched at its time)."""
    fetched = "2026-11-01 00:00:00+00"
    statements: list[tuple[str, list[tuple]]] = [("create schema if not exists raw_inventory", [])]
    for table, base in RAW_COLUMNS.items():
        stamp = [("finished_at", "timestamptz")] if table == "lake_runs" else [("fetched_at", "timestamptz")]
        cols = [*base, *stamp, ("lake_run_id", "text")]
        ddl = ", ".join(f"{name} {ctype}" for name, ctype in cols)
        statements.append((f"create table raw_inventory.{table} ({ddl})", []))
        rows = tables.get(table, [])
        if rows:
            names = [name for name, _ in cols]
            full = [{**row, stamp[0][0]: fetched, "lake_run_id": run_id} for row in rows]
            values = [tuple(row.get(n) for n in names) for row in full]
            marks = ", ".join(["?"] * len(names))
            insert = f"insert into raw_inventory.{table} ({', '.join(names)}) values ({marks})"
            statements.append((insert, values))
    execute(settings, statements)


def execute(settings: Settings, statements: list[tuple[str, list[tuple]]]) -> None:
    """Run ``(sql, rows)`` statements on the settings' warehouse (``?`` placeholders)."""
    if settings.target == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(settings.duckdb_path))
        try:
            for sql, values in statements:
                if values:
                    con.executemany(sql, values)
                else:
                    con.execute(sql)
        finally:
            con.close()
        return
    conn = psycopg2.connect(settings.postgres.dsn())
    try:
        with conn, conn.cursor() as cur:
            for sql, values in statements:
                if values:
                    cur.executemany(sql.replace("?", "%s"), values)
                else:
                    cur.execute(sql)
    finally:
        conn.close()

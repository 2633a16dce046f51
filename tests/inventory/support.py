"""Support of the inventory tests: a local Relbase for a test, and an independent computation of the
inventory marts from the sandbox state (the generator's truth)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

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
    return re.sub(r"_+", "_", text)


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

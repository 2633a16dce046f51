"""Sandbox of the Relbase inventory (domain §3): warehouses, products, stock and lots, seeded.

The state is one JSON file (``<sandbox_dir>/inventory/relbase.json``) that the local Relbase server
(`extract.sandbox.relbase_server`) serves and that tests read as the truth.

Awkward data on purpose: warehouse names with accents, digits, hyphens and repeated separators,
retired products (SKU ``ANU…``) that the API refuses, products without lot tracking, services
without inventory, lots expiring in the past, today, within 30 days, exactly at +30/+31 days, later
or never.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

from extract.sandbox.options import SandboxOptions
from extract.settings import Settings

WAREHOUSE_NAMES = (
    "Bodega Central",
    "Bodega Ñuñoa",
    "Centro de Distribución Quilicura",
    "Bodega Viña del Mar - Norte",
    "Bodega 2 Puerto Montt",
    "Bodega  Concepción--Sur",
    "Sala de Ventas Providencia",
    "Bodega Tránsito",
    "Bodega Antofagasta-Centro",
    "Devoluciones y Mermas",
    "Bodega Temuco 3",
    "Bodega Valparaíso _ Puerto",
    "Bodega Rancagua (Antigua)",
)
PRODUCT_WORDS = (
    "Aceite",
    "Arroz",
    "Azúcar",
    "Café",
    "Galletas",
    "Harina",
    "Jugo",
    "Leche",
    "Té",
    "Yogur",
    "Mantequilla",
    "Fideos",
    "Atún",
    "Salsa",
    "Pañales",
    "Detergente",
)
STREETS = ("Libertador", "Matta", "Grecia", "Pajaritos")
SIZES = ("500 g", "1 kg", "1 L", "x12", "Pack 6")
BASE_PRODUCTS = 300
STATE_FILE = "relbase.json"


@dataclass(frozen=True)
class GenerateOptions:
    """Seed, size and the day the data is generated for (expirations are relative to it)."""

    seed: int = 42
    products: int = BASE_PRODUCTS
    warehouses: int = len(WAREHOUSE_NAMES)
    today: date = date(2026, 11, 1)
    retired_share: float = 0.04
    no_lot_share: float = 0.15
    per_page: int = 50


def _expiration(rng: random.Random, today: date) -> str | None:
    r = rng.random()
    if r < 0.18:
        return None
    if r < 0.38:
        return (today - timedelta(days=rng.randint(1, 400))).isoformat()
    if r < 0.58:
        return (today + timedelta(days=rng.randint(0, 30))).isoformat()
    return (today + timedelta(days=rng.randint(31, 900))).isoformat()


def _lot(rng: random.Random, lot_id: int, today: date, expiration: Any = "random") -> dict[str, Any]:
    return {
        "id": lot_id,
        "lot_serial_number": f"L{rng.randint(2023, 2026)}-{lot_id:06d}",
        "stock": rng.randint(1, 250),
        "expiration_date": _expiration(rng, today) if expiration == "random" else expiration,
    }


def generate(opts: GenerateOptions) -> dict[str, Any]:
    """The whole Relbase state, deterministic for ``opts``."""
    rng = random.Random(opts.seed)
    warehouses = []
    for i in range(opts.warehouses):
        name = WAREHOUSE_NAMES[i % len(WAREHOUSE_NAMES)]
        if i >= len(WAREHOUSE_NAMES):
            name = f"{name} Anexo {'ABCDEFGHIJ'[(i // len(WAREHOUSE_NAMES)) % 10]}"
        warehouses.append(
            {
                "id": 1001 + i * 7,
                "name": name,
                "address": f"Av. {rng.choice(STREETS)} {rng.randint(10, 9999)}",
                "enabled": i % 9 != 8,
            }
        )
    products: list[dict[str, Any]] = []
    inventories: dict[str, dict[str, int]] = {}
    lots: dict[str, dict[str, list[dict[str, Any]]]] = {}
    next_lot = 1
    boundary = [opts.today, opts.today + timedelta(days=30), opts.today + timedelta(days=31)]
    for i in range(opts.products):
        pid = 50_000 + i * 3
        # a few of each kind whatever the size: retired (ANU), services, products without lots
        retired = rng.random() < opts.retired_share or i % 25 == 3
        is_inventory = rng.random() > 0.03 and i % 50 != 7
        lot_tracked = is_inventory and rng.random() > opts.no_lot_share and i % 10 != 5
        code = f"{'ANU-' if retired else ''}SKU-{i + 1:05d}"
        products.append(
            {
                "id": pid,
                "code": code,
                "name": f"{rng.choice(PRODUCT_WORDS)} {rng.choice(SIZES)}",
                "barcode": None if rng.random() < 0.1 else f"780{rng.randrange(10**9, 10**10)}",
                "is_inventory": is_inventory,
            }
        )
        stock = {str(w["id"]): 0 for w in warehouses}
        product_lots: dict[str, list[dict[str, Any]]] = {}
        if is_inventory:
            stocked = rng.sample(
                warehouses, k=min(len(warehouses), rng.choice([0, 1, 2, 2, 3, 3, 3, 4, 5, 6]))
            )
            for w in stocked:
                wid = str(w["id"])
                if lot_tracked:
                    made = []
                    for _ in range(rng.choice([1, 1, 1, 2])):
                        expiration: Any = "random"
                        if boundary and rng.random() < 0.05:
                            expiration = boundary.pop().isoformat()
                        made.append(_lot(rng, next_lot, opts.today, expiration))
                        next_lot += 1
                    product_lots[wid] = made
                    stock[wid] = sum(lot["stock"] for lot in made)
                else:
                    stock[wid] = rng.randint(1, 500)
        inventories[str(pid)] = stock
        lots[str(pid)] = product_lots
    return {
        "warehouses": warehouses,
        "products": products,
        "inventories": inventories,
        "lots": lots,
        "next_lot": next_lot,
        "per_page": opts.per_page,
        "today": opts.today.isoformat(),
    }


def is_retired(product: dict[str, Any]) -> bool:
    """Relbase refuses the detail and lot calls of retired products (SKU ``ANU…``)."""
    return str(product.get("code") or "").upper().startswith("ANU")


def apply_changes(state: dict[str, Any], seed: int, batch: int, fraction: float = 0.08) -> dict[str, int]:
    """Time passes: some lots are used up (removed), some stock changes, new lots arrive."""
    rng = random.Random(seed * 1000 + batch)
    today = date.fromisoformat(state["today"])
    changed = {"lots_removed": 0, "lots_changed": 0, "lots_added": 0}
    pairs = [
        (pid, wid)
        for pid, by_wh in sorted(state["lots"].items())
        for wid, lots in sorted(by_wh.items())
        if lots
    ]
    for pid, wid in pairs:
        lots = state["lots"][pid][wid]
        r = rng.random()
        if r < fraction:
            lots.pop(rng.randrange(len(lots)))
            changed["lots_removed"] += 1
        elif r < 2 * fraction:
            lot = rng.choice(lots)
            lot["stock"] = max(1, lot["stock"] + rng.choice([-5, -1, 3, 10]))
            changed["lots_changed"] += 1
        elif r < 2.5 * fraction:
            lots.append(_lot(rng, state["next_lot"], today))
            state["next_lot"] += 1
            changed["lots_added"] += 1
        state["inventories"][pid][wid] = sum(lot["stock"] for lot in lots)
    return changed


# ---------------------------------------------------------------------------- sandbox entry points


def state_path(entry: dict[str, Any]) -> Path:
    return Path(entry["state"])


def read_state(entry: dict[str, Any]) -> dict[str, Any]:
    return json.loads(state_path(entry).read_text())


def write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False))
    tmp.replace(path)


def count_rows(state: dict[str, Any]) -> dict[str, int]:
    return {
        "warehouses": len(state["warehouses"]),
        "products": len(state["products"]),
        "lots": sum(len(lots) for by_wh in state["lots"].values() for lots in by_wh.values()),
    }


def build_entry(
    settings: Settings, gen: GenerateOptions, *, folder: Path | None = None, scale: float = 1.0
) -> dict[str, Any]:
    """Write the state file and return the manifest entry (with throwaway sandbox tokens)."""
    path = (folder or settings.sandbox_dir / "inventory") / STATE_FILE
    state = generate(gen)
    write_state(path, state)
    return {
        "state": str(path),
        "seed": gen.seed,
        "scale": scale,
        "products": gen.products,
        "now": gen.today.isoformat(),
        "company_token": "sandbox-company-" + secrets.token_hex(8),
        "user_token": "sandbox-user-" + secrets.token_hex(8),
        "rows": count_rows(state),
        "batches": 0,
    }


def generate_into(settings: Settings, opts: SandboxOptions) -> dict[str, Any]:
    """Generate the Relbase state beside the other sandboxes; scale 1.0 is 300 products."""
    now = opts.now if opts.now.tzinfo else opts.now.replace(tzinfo=UTC)
    gen = GenerateOptions(
        seed=opts.seed, products=max(5, round(BASE_PRODUCTS * opts.scale)), today=now.astimezone(UTC).date()
    )
    return build_entry(settings, gen, scale=opts.scale)


def change_into(entry: dict[str, Any], batch: int) -> dict[str, int]:
    """Apply change batch ``batch`` to the state file of ``entry``."""
    state = read_state(entry)
    changed = apply_changes(state, int(entry["seed"]), batch)
    write_state(state_path(entry), state)
    return changed


def source_settings(entry: dict[str, Any]) -> dict[str, Any]:
    """What the inventory source reads to reach this sandbox (``sources.inventory``)."""
    return {
        "base_url": f"http://127.0.0.1:{entry['port']}/api/v1",
        "company_token": entry["company_token"],
        "user_token": entry["user_token"],
    }

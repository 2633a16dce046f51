"""An independent computation of the inventory marts from the sandbox state (the generator's truth)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any


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

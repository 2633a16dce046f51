"""Warehouse inventory, Relbase API (domain §3): endpoints, limits and the lake layout."""

DEFAULT_BASE_URL = "https://api.relbase.cl/api/v1"
# SKUs of retired products: Relbase answers 401/403 for them, which is not throttling
RETIRED_PREFIX = "ANU"
# Relbase allows 7 requests per second and answers 403 (not 429) beyond that
MAX_CALLS = 7
PERIOD = 1.0
WORKERS = 4
SUMMARY = "summary.json"
# a stocked pair whose stock did not change is asked its lots again once the warehouse's answer is older
# than this (each pair at its own point between half and all of it, so the re-asks spread over time)
LOTS_MAX_AGE_HOURS = 24.0
# marker of a lake folder whose run has not ended (``extract.inventory.lake.mark_unfinished``); the next
# run resumes such a folder instead of downloading, when its run died within this many minutes
UNFINISHED = "unfinished.json"
RESUME_MAX_AGE_MINUTES = 60.0
FILES = ("warehouses.json", "products.jsonl", "product_details.jsonl", "lots.jsonl")
# Schema contract: the raw columns the inventory models read; a lake run without one fails the inventory
# run naming it, and nothing is loaded (``extract.pipeline.require_columns``)
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "product_stock": ("product_id", "ware_house_id", "stock"),
    "lots": ("product_id", "warehouse_id", "lot_serial_number", "stock", "expiration_date"),
}

"""Step 1: download the Relbase API responses into a local data lake folder, kept as a backup.

One folder per download, ``<lake_dir>/<run_id>/``:

- ``warehouses.json``          the ``/bodegas`` response
- ``products.jsonl``           one line per ``/productos?page=N`` response
- ``product_details.jsonl``    one line per ``/productos/{id}`` call: status, outcome, response
- ``lots.jsonl``               one line per ``lotes_series`` call (only where the product has stock)
- ``summary.json``             counts, calls, refused and failed calls; written last, ``complete: true``

Calls: warehouses, every product page, one detail per synced product, then ``lotes_series`` only for
the warehouses where that product has stock (instead of products x warehouses).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from extract.inventory.client import ApiResult, RelbaseClient, RelbaseError
from extract.inventory.settings import RETIRED_PREFIX, SUMMARY
from extract.progress import Task

log = logging.getLogger(__name__)


@dataclass
class LakeRun:
    """A downloaded folder of the lake and its summary."""

    path: Path
    summary: dict[str, Any]

    @property
    def run_id(self) -> str:
        return self.path.name

    def describe(self) -> str:
        s = self.summary
        calls = s.get("calls", {})
        return (
            f"inventory lake {self.run_id}: {s['warehouses']} warehouses, {s['products']} products "
            f"({s['products_synced']} synced, {s['products_refused']} refused), {s['lots']} lots; "
            f"{sum(calls.values())} API calls ({', '.join(f'{k}={v}' for k, v in sorted(calls.items()))}), "
            f"{s['retries']} retries, {s['seconds']:.1f}s"
        )


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _line(fh: IO[str], record: dict[str, Any]) -> None:
    fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _is_retired(product: dict[str, Any]) -> bool:
    return str(product.get("code") or "").upper().startswith(RETIRED_PREFIX)


def download(
    client: RelbaseClient,
    lake_dir: Path,
    *,
    product_ids: Iterable[int] | None = None,
    run_id: str | None = None,
) -> LakeRun:
    """Fetch everything into a new lake folder and return it. ``product_ids`` limits the sync."""
    started = time.monotonic()
    run_id = run_id or new_run_id()
    path = lake_dir / run_id
    path.mkdir(parents=True, exist_ok=False)
    wanted = None if product_ids is None else {int(p) for p in product_ids}
    # calls done of total (the total grows as the pages, details and lots to fetch become known)
    with Task("Relbase download", 1, "calls", counters=("retries", "failed")) as progress:
        client.stats.listeners.append(progress.retried)
        try:
            return _download(client, path, run_id, wanted, started, progress)
        finally:
            client.stats.listeners.remove(progress.retried)


def _download(
    client: RelbaseClient,
    path: Path,
    run_id: str,
    wanted: set[int] | None,
    started: float,
    progress: Task,
) -> LakeRun:
    outcomes: Counter = Counter()
    result = client.get("/bodegas")
    progress.update(1)
    warehouses = result.body["data"]["warehouses"]
    (path / "warehouses.json").write_text(
        json.dumps(
            {"fetched_at": _now(), "status": result.status, "response": result.body}, ensure_ascii=False
        )
    )

    products: list[dict[str, Any]] = []
    first: dict[str, Any] = {}
    with (path / "products.jsonl").open("w") as fh:
        for page, body in client.product_pages():
            if not first:
                pages = int((body.get("meta") or {}).get("total_pages") or 1)
                progress.grow(pages)
            progress.update(1)
            first = first or body
            _line(fh, {"page": page, "fetched_at": _now(), "status": 200, "response": body})
            products += body["data"]["products"]
    expected = int((first.get("meta") or {}).get("total_count") or len(products))
    if len(products) != expected:
        raise RelbaseError(f"/productos listed {len(products)} products, meta.total_count says {expected}")
    client.retired_ids.update(int(p["id"]) for p in products if p.get("id") is not None and _is_retired(p))

    with ThreadPoolExecutor(max_workers=client.options.workers, thread_name_prefix="relbase") as pool:
        synced = [
            p for p in products if p.get("id") is not None and (wanted is None or int(p["id"]) in wanted)
        ]
        lot_calls: list[tuple[int, int, bool]] = []
        progress.grow(len(synced))
        with (path / "product_details.jsonl").open("w") as fh:
            futures = {
                pool.submit(_safe_get, client, f"/productos/{p['id']}", _is_retired(p)): p for p in synced
            }
            for fut in as_completed(futures):
                product = futures[fut]
                res, error = fut.result()
                outcome = (error and "failed") or res.outcome
                outcomes[f"producto.{outcome}"] += 1
                progress.update(1, failed=int(outcome == "failed"))
                _line(
                    fh,
                    {
                        "product_id": product["id"],
                        "fetched_at": _now(),
                        "status": res.status if res else None,
                        "outcome": outcome,
                        "error": error,
                        "response": res.body if res else None,
                    },
                )
                if res is not None and res.outcome == "ok":
                    for inv in res.body["data"].get("inventories") or []:
                        if _positive(inv.get("stock")):
                            lot_calls.append((product["id"], inv["ware_house_id"], _is_retired(product)))

        lots = 0
        progress.grow(len(lot_calls))
        with (path / "lots.jsonl").open("w") as fh:
            futures2 = {
                pool.submit(_safe_get, client, f"/productos/{pid}/lotes_series/{wid}", retired): (pid, wid)
                for pid, wid, retired in lot_calls
            }
            for fut in as_completed(futures2):
                pid, wid = futures2[fut]
                res, error = fut.result()
                outcome = (error and "failed") or res.outcome
                outcomes[f"lotes_series.{outcome}"] += 1
                progress.update(1, failed=int(outcome == "failed"))
                if res is not None and res.outcome == "ok":
                    lots += len(res.body["data"].get("lot_serial_numbers") or [])
                _line(
                    fh,
                    {
                        "product_id": pid,
                        "warehouse_id": wid,
                        "fetched_at": _now(),
                        "status": res.status if res else None,
                        "outcome": outcome,
                        "error": error,
                        "response": res.body if res else None,
                    },
                )

    summary = {
        "run_id": run_id,
        "base_url": client.base_url,
        "finished_at": _now(),
        "seconds": time.monotonic() - started,
        "warehouses": len(warehouses),
        "products": len(products),
        "products_synced": outcomes["producto.ok"],
        "products_refused": outcomes["producto.refused"],
        "products_failed": outcomes["producto.failed"],
        "lot_calls": len(lot_calls),
        "lot_calls_failed": outcomes["lotes_series.failed"],
        "lots": lots,
        "outcomes": dict(outcomes),
        "calls": dict(client.stats.calls),
        "retries": sum(client.stats.retries.values()),
        "complete": True,
    }
    (path / SUMMARY).write_text(json.dumps(summary, indent=2))
    run = LakeRun(path, summary)
    log.info(run.describe())
    return run


def _positive(stock: Any) -> bool:
    """A stock above zero; a value that is no number is none (the load lists it as a reject)."""
    try:
        return float(stock or 0) > 0
    except (TypeError, ValueError):
        return False


def _safe_get(client: RelbaseClient, path: str, retired: bool) -> tuple[ApiResult | None, str | None]:
    """A per-product call whose final failure is recorded in the lake instead of stopping the run."""
    try:
        return client.get(path, retired=retired), None
    except RelbaseError as exc:
        return None, str(exc)


def complete_runs(lake_dir: Path) -> list[LakeRun]:
    """The lake folders whose download finished, oldest first."""
    if not lake_dir.exists():
        return []
    runs = []
    for path in sorted(p for p in lake_dir.iterdir() if p.is_dir()):
        summary_file = path / SUMMARY
        if summary_file.exists():
            summary = json.loads(summary_file.read_text())
            if summary.get("complete"):
                runs.append(LakeRun(path, summary))
    return runs


def latest_run(lake_dir: Path, run_id: str | None = None) -> LakeRun:
    """The newest complete download (or the one named); a clear error when there is none."""
    runs = complete_runs(lake_dir)
    if run_id:
        runs = [r for r in runs if r.run_id == run_id]
    if not runs:
        what = f"run {run_id}" if run_id else "complete download"
        raise LookupError(f"no {what} in the inventory lake {lake_dir}: run `elt inventory download` first")
    return runs[-1]

"""Step 1: download the Relbase API responses into a local data lake folder, kept as a backup.

One folder per download, ``<lake_dir>/<run_id>/``:

- ``warehouses.json``          the ``/bodegas`` response
- ``products.jsonl``           one line per ``/productos?page=N`` response
- ``product_details.jsonl``    one line per ``/productos/{id}`` call: status, outcome, response
- ``lots.jsonl``               one line per ``lotes_series`` call (only where the product has stock)
- ``summary.json``             counts, calls, refused and failed calls; written last, ``complete: true``
- ``unfinished.json``          while the run that downloaded it has not ended (``mark_unfinished``)

Calls: warehouses, every product page, one detail per synced product that is not retired (a retired
``ANU…`` product, which Relbase refuses, is recorded ``refused`` from the listing without a call), then
``lotes_series`` only for the warehouses where that product has stock (instead of products x
warehouses), and among those only for the pairs whose lots the warehouse does not already hold at their
current stock (``KnownLots``, read from the warehouse's committed loads by the caller).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from extract.inventory.client import ApiResult, RelbaseClient, RelbaseError
from extract.inventory.settings import RETIRED_PREFIX, SUMMARY, UNFINISHED
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


RUN_ID_FORMAT = "%Y%m%dT%H%M%S%fZ"


def new_run_id() -> str:
    return datetime.now(UTC).strftime(RUN_ID_FORMAT)


def run_started(run_id: str) -> datetime | None:
    """When the download ``run_id`` started (None for a folder not named by ``new_run_id``)."""
    try:
        return datetime.strptime(run_id, RUN_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class LotAnswer:
    """The newest lot answer the warehouse holds for a pair (in a committed load): its outcome (``ok`` or
    ``not_found``), the lake run that asked it, the pair's stock in that run, and the pair's stock in the
    product's newest detail the warehouse holds (None when it lists no stock there)."""

    outcome: str
    lake_run_id: str
    answered_stock: float | None
    newest_stock: float | None


@dataclass
class KnownLots:
    """The pairs whose lots need no call: the warehouse holds an answer younger than the pair's age limit
    (between half and all of ``max_age``, fixed per pair, so the re-asks spread over time) and either
    the product has no lots there (``not_found``: its stock comes from the detail) or the pair's stock is
    the same now, at that answer and in the newest detail the warehouse holds (a stock that went away
    and came back is asked again). A pair's lots make its stock, so changed lots show as a changed stock,
    except an equal swap or an edited expiration date, which the age limit catches."""

    answers: dict[tuple[int, int], LotAnswer]
    max_age: timedelta
    now: datetime
    skipped: int = 0

    def holds(self, product_id: int, warehouse_id: int, stock: Any) -> bool:
        answer = self.answers.get((int(product_id), int(warehouse_id)))
        if answer is None or not self._fresh(product_id, warehouse_id, answer):
            return False
        if answer.outcome == "not_found":
            same = True
        else:
            try:
                now = float(stock)
                same = answer.answered_stock == now and answer.newest_stock == now
            except (TypeError, ValueError):
                same = False
        self.skipped += same
        return same

    def _fresh(self, product_id: int, warehouse_id: int, answer: LotAnswer) -> bool:
        started = run_started(answer.lake_run_id)
        if started is None:
            return False
        share = 0.5 + 0.5 * (zlib.crc32(f"{product_id}/{warehouse_id}".encode()) / 0xFFFFFFFF)
        return self.now - started < self.max_age * share


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
    known: KnownLots | None = None,
) -> LakeRun:
    """Fetch everything into a new lake folder and return it. ``product_ids`` limits the sync; ``known``
    spares the lot calls of the pairs whose lots the warehouse already holds."""
    started = time.monotonic()
    run_id = run_id or new_run_id()
    known = known or KnownLots({}, timedelta(0), datetime.now(UTC))
    path = lake_dir / run_id
    path.mkdir(parents=True, exist_ok=False)
    wanted = None if product_ids is None else {int(p) for p in product_ids}
    # calls done of total (the total grows as the pages, details and lots to fetch become known)
    with Task("Relbase download", 1, "calls", counters=("retries", "failed")) as progress:
        client.stats.listeners.append(progress.retried)
        try:
            return _download(client, path, run_id, wanted, started, progress, known)
        finally:
            client.stats.listeners.remove(progress.retried)


def _download(
    client: RelbaseClient,
    path: Path,
    run_id: str,
    wanted: set[int] | None,
    started: float,
    progress: Task,
    known: KnownLots,
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
        lot_calls: list[tuple[int, int]] = []
        retired = [p for p in synced if _is_retired(p)]
        progress.grow(len(synced) - len(retired))
        with (path / "product_details.jsonl").open("w") as fh:
            for product in retired:
                outcomes["producto.refused"] += 1
                _line(
                    fh,
                    {
                        "product_id": product["id"],
                        "fetched_at": _now(),
                        "status": None,
                        "outcome": "refused",
                        "error": "retired product (SKU ANU…) in the listing: Relbase refuses it, not called",
                        "response": None,
                    },
                )
            futures = {
                pool.submit(_safe_get, client, f"/productos/{p['id']}", False): p
                for p in synced
                if not _is_retired(p)
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
                        stock = inv.get("stock")
                        if _positive(stock) and not known.holds(product["id"], inv["ware_house_id"], stock):
                            lot_calls.append((product["id"], inv["ware_house_id"]))

        lots = 0
        progress.grow(len(lot_calls))
        with (path / "lots.jsonl").open("w") as fh:
            futures2 = {
                pool.submit(_safe_get, client, f"/productos/{pid}/lotes_series/{wid}", False): (pid, wid)
                for pid, wid in lot_calls
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
        "lot_calls_known": known.skipped,
        "product_calls_retired": len(retired),
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


def mark_unfinished(run: LakeRun) -> None:
    """Mark ``run`` as its run's until that process ends normally (the mark goes at its exit): a run killed
    after downloading leaves the mark, and the next run resumes the folder (``resumable_run``)."""
    marker = run.path / UNFINISHED
    marker.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
    atexit.register(marker.unlink, missing_ok=True)


def resumable_run(lake_dir: Path, max_age: timedelta) -> LakeRun | None:
    """The newest complete lake folder when the run that downloaded it died before ending (its mark
    names a process of this host that is gone) less than ``max_age`` ago; else None."""
    runs = complete_runs(lake_dir)
    if not runs:
        return None
    run = runs[-1]
    marker = run.path / UNFINISHED
    started = run_started(run.run_id)
    if not marker.is_file() or started is None or datetime.now(UTC) - started > max_age:
        return None
    try:
        owner = json.loads(marker.read_text())
        pid, host = int(owner["pid"]), owner["host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return run if host == socket.gethostname() and not _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

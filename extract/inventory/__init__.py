"""Warehouse inventory from the Relbase API (domain §3): lake first, then load.

Step 1 (``download``) writes the raw API responses into a lake folder, rate-limited and with fewer
calls than the legacy products x warehouses loop. Step 2 (``load``) lands that folder into
``raw_inventory`` with dlt; it makes no API call, so a failed load is retried from the lake.

Settings (dlt, section ``sources.inventory``; legacy variables in brackets): ``company_token`` /
``user_token`` (secrets) [``RELBASE_COMPANY_TOKEN`` / ``RELBASE_USER_TOKEN``], ``base_url``
[``RELBASE_BASE_URL``], ``lake_dir`` [``ELT_INVENTORY_LAKE_DIR``] (default ``warehouse/lake/relbase``),
``product_ids`` (Relbase ids to sync; empty = all), ``max_calls`` / ``period`` / ``workers`` /
``timeout`` / ``max_attempts``, ``lake_max_age_minutes`` (a lake folder younger than this is reused
instead of downloading again; 0, the default, always downloads), ``lots_max_age_hours`` (default 24: a
pair whose stock did not change is asked its lots again once the warehouse's answer is older than
between half and all of this; until then its lot call is spared, see ``extract.inventory.lake``).

A run killed after its download (at any later phase: loading, dbt) leaves its lake folder marked; the
next run resumes that folder (loads it unless this warehouse already holds it) instead of calling the
API again, so it ends with the warehouse a run that was never killed gives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dlt.common.configuration.inject import with_config
from dlt.common.typing import TSecretStrValue

from extract.inventory.client import ClientOptions, RelbaseClient
from extract.inventory.lake import (
    KnownLots,
    LakeRun,
    LotAnswer,
    download,
    latest_run,
    mark_unfinished,
    resumable_run,
    run_started,
)
from extract.inventory.load import lake_source
from extract.inventory.settings import DEFAULT_BASE_URL, LOTS_MAX_AGE_HOURS, RESUME_MAX_AGE_MINUTES
from extract.pipeline import LandResult, RunOptions, complete_pending, land, make_pipeline
from extract.settings import Settings
from extract.warehouse import WarehouseUnavailable, connect, fetch, table_exists

log = logging.getLogger(__name__)

__all__ = ["InventoryConfig", "download_step", "land_source", "load_latest", "load_step"]


@dataclass(frozen=True)
class InventoryConfig:
    """Where Relbase is, how to call it, where the lake is. Tokens are kept out of ``repr``."""

    base_url: str = DEFAULT_BASE_URL
    company_token: str = field(default="", repr=False)
    user_token: str = field(default="", repr=False)
    lake_dir: Path | None = None
    product_ids: tuple[int, ...] | None = None
    client: ClientOptions = field(default_factory=ClientOptions)
    lake_max_age_minutes: float = 0.0
    lots_max_age_hours: float = LOTS_MAX_AGE_HOURS

    @classmethod
    def resolve(cls) -> InventoryConfig:
        """From dlt settings ``sources.inventory.*`` (see the module docstring)."""
        return inventory_config()

    def lake_for(self, settings: Settings) -> Path:
        return self.lake_dir or settings.lake_dir / "relbase"

    def make_client(self) -> RelbaseClient:
        return RelbaseClient(self.base_url, self.company_token, self.user_token, self.client)


@with_config(sections=("sources", "inventory"))
def inventory_config(
    base_url: str = DEFAULT_BASE_URL,
    company_token: TSecretStrValue | None = None,
    user_token: TSecretStrValue | None = None,
    lake_dir: str | None = None,
    product_ids: Any = None,
    max_calls: int | None = None,
    period: float | None = None,
    workers: int | None = None,
    timeout: float | None = None,
    max_attempts: int | None = None,
    lake_max_age_minutes: float = 0.0,
    lots_max_age_hours: float | None = None,
) -> InventoryConfig:
    """The Relbase settings, injected by dlt from ``sources.inventory``."""
    if isinstance(product_ids, str):
        product_ids = [int(x) for x in product_ids.replace(",", " ").split()]
    limits = {
        "max_calls": max_calls,
        "period": period,
        "workers": workers,
        "timeout": timeout,
        "max_attempts": max_attempts,
    }
    defaults = ClientOptions()
    client = ClientOptions(
        **{k: type(getattr(defaults, k))(v) for k, v in limits.items() if v is not None and v != ""}
    )
    return InventoryConfig(
        base_url=base_url or DEFAULT_BASE_URL,
        company_token=company_token or "",
        user_token=user_token or "",
        lake_dir=Path(lake_dir) if lake_dir else None,
        product_ids=tuple(int(x) for x in product_ids) if product_ids else None,
        client=client,
        lake_max_age_minutes=float(lake_max_age_minutes or 0.0),
        lots_max_age_hours=float(
            LOTS_MAX_AGE_HOURS if lots_max_age_hours in (None, "") else lots_max_age_hours
        ),
    )


def download_step(settings: Settings, config: InventoryConfig, *, full_refresh: bool = False) -> LakeRun:
    """Step 1: API -> lake folder; lots only for the stocked pairs whose lots this warehouse does not
    already hold at their current stock (every stocked pair on a full refresh)."""
    client = config.make_client()  # a missing token fails here, before the warehouse is read
    max_age = timedelta(hours=config.lots_max_age_hours)
    known = KnownLots({} if full_refresh else known_lots(settings), max_age, datetime.now(UTC))
    return download(client, config.lake_for(settings), product_ids=config.product_ids, known=known)


# per pair, its newest lot answer (ok or 404) with the pair's stock in that lake run and in the product's
# newest ok detail; only rows of loads dlt marked complete (`_dlt_loads`), so a load cut short counts not
_KNOWN_LOTS = """
with
loads as (select load_id from raw_inventory._dlt_loads where status = 0),
details as (
    select product_id, lake_run_id,
        row_number() over (partition by product_id order by lake_run_id desc) as recency
    from raw_inventory.product_requests
    where outcome = 'ok' and _dlt_load_id in (select load_id from loads)
),
answers as (
    select product_id, warehouse_id, outcome, lake_run_id,
        row_number() over (partition by product_id, warehouse_id order by lake_run_id desc) as recency
    from raw_inventory.lot_requests
    where outcome in ('ok', 'not_found') and _dlt_load_id in (select load_id from loads)
),
stock as (
    select product_id, ware_house_id as warehouse_id, lake_run_id, stock
    from raw_inventory.product_stock
    where _dlt_load_id in (select load_id from loads)
)
select answers.product_id, answers.warehouse_id, answers.outcome, answers.lake_run_id,
    answered.stock, newest.stock
from answers
inner join details on details.product_id = answers.product_id and details.recency = 1
left join stock as answered
    on answered.product_id = answers.product_id and answered.warehouse_id = answers.warehouse_id
    and answered.lake_run_id = answers.lake_run_id
left join stock as newest
    on newest.product_id = answers.product_id and newest.warehouse_id = answers.warehouse_id
    and newest.lake_run_id = details.lake_run_id
where answers.recency = 1
"""


def known_lots(settings: Settings) -> dict[tuple[int, int], LotAnswer]:
    """The lot answers this warehouse holds, per pair (``_KNOWN_LOTS``): read from its raw tables, so what
    a download asks depends only on what the warehouse committed (on Spark, the lake's tables as the last
    build declared them)."""
    tables = ("_dlt_loads", "product_requests", "lot_requests", "product_stock")
    try:
        with connect(settings) as conn:
            if not all(table_exists(conn, "raw_inventory", t) for t in tables):
                return {}
            rows = fetch(conn, _KNOWN_LOTS)
    except WarehouseUnavailable:
        return {}

    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return {
        (int(pid), int(wid)): LotAnswer(outcome, run_id, number(answered), number(newest))
        for pid, wid, outcome, run_id, answered, newest in rows
    }


def load_step(settings: Settings, run: LakeRun, *, dry_run: bool = False) -> LandResult:
    """Step 2: lake folder -> ``raw_inventory`` (zero API calls). A dry run counts, loads nothing."""
    if dry_run:
        from extract.inventory.dry_run import dry_run as report

        return report(settings, run)
    result = land(settings, "inventory", lake_source(str(run.path)))
    with (run.path / "loaded.txt").open("a") as fh:
        fh.write(f"{settings.target} {settings.warehouse_label}\n")
    return result


def load_latest(
    settings: Settings, config: InventoryConfig | None = None, run_id: str | None = None
) -> LandResult:
    """Load the newest complete lake folder (or ``run_id``) again, e.g. after a failed load."""
    config = config or InventoryConfig.resolve()
    return load_step(settings, latest_run(config.lake_for(settings), run_id))


def reusable_run(settings: Settings, config: InventoryConfig) -> LakeRun | None:
    """The newest complete lake folder when it is younger than ``lake_max_age_minutes`` (0: never)."""
    if config.lake_max_age_minutes <= 0:
        return None
    try:
        run = latest_run(config.lake_for(settings))
    except LookupError:
        return None
    started = run_started(run.run_id)
    if started is None:
        return None
    age = datetime.now(UTC) - started
    return run if age <= timedelta(minutes=config.lake_max_age_minutes) else None


def _loaded_here(settings: Settings, run: LakeRun) -> bool:
    """``run`` was already loaded into this warehouse, and its raw tables are still there."""
    marker = run.path / "loaded.txt"
    if not marker.exists() or f"{settings.target} {settings.warehouse_label}" not in marker.read_text():
        return False
    try:
        with connect(settings) as conn:
            return table_exists(conn, "raw_inventory", "warehouses")
    except WarehouseUnavailable:
        return False


def land_source(settings: Settings, opts: RunOptions, config: InventoryConfig | None = None) -> LandResult:
    """Resume the lake folder of a run killed after its download, or reuse a young enough lake folder,
    or download a new one; then load it (unless that folder is already in this warehouse).

    Before a new download, the load packages an interrupted load left are completed, so the lots the
    download spares are decided on everything the warehouse will hold (``known_lots``)."""
    config = config or InventoryConfig.resolve()
    lake = config.lake_for(settings)
    run = None
    if not opts.full_refresh and not opts.dry_run:
        run = resumable_run(lake, timedelta(minutes=RESUME_MAX_AGE_MINUTES))
        if run is not None:
            log.warning("inventory: resuming lake folder %s of a run that was interrupted", run.run_id)
    if run is None and not opts.full_refresh:
        run = reusable_run(settings, config)
        if run is not None:
            log.warning("inventory: reusing lake folder %s (lake_max_age_minutes)", run.run_id)
    reused = run is not None
    pending: tuple[dict[str, int], list[str]] = ({}, [])
    if run is None:
        config.make_client()  # a missing token fails the run before anything else
        if not opts.dry_run:
            pending = complete_pending(settings, make_pipeline(settings, "inventory", progress=False))
        run = download_step(settings, config, full_refresh=opts.full_refresh)
    if opts.dry_run:
        result = load_step(settings, run, dry_run=True)
    else:
        mark_unfinished(run)
        if reused and _loaded_here(settings, run):
            return LandResult("inventory", errors=failed_calls(run))
        result = load_step(settings, run)
    result.pending_rows = {**pending[0], **result.pending_rows}
    result.pending_load_ids = pending[1] + result.pending_load_ids
    result.errors += failed_calls(run)
    return result


def failed_calls(run: LakeRun) -> list[str]:
    """The API calls of a download that failed after every retry, as the run's error (exit 1, history,
    health); the stock of those products keeps its last good values."""
    products = int(run.summary.get("products_failed") or 0)
    lots = int(run.summary.get("lot_calls_failed") or 0)
    if not products and not lots:
        return []
    return [
        f"{products} product calls and {lots} lot calls failed after retries (lake {run.run_id}); "
        "their stock keeps its last good values"
    ]

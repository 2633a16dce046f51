"""Warehouse inventory from the Relbase API (domain §3): lake first, then load.

Step 1 (``download``) writes the raw API responses into a lake folder, rate-limited and with fewer
calls than the legacy products x warehouses loop. Step 2 (``load``) lands that folder into
``raw_inventory`` with dlt; it makes no API call, so a failed load is retried from the lake.

Settings (dlt, section ``sources.inventory``; legacy variables in brackets): ``company_token`` /
``user_token`` (secrets) [``RELBASE_COMPANY_TOKEN`` / ``RELBASE_USER_TOKEN``], ``base_url``
[``RELBASE_BASE_URL``], ``lake_dir`` [``ELT_INVENTORY_LAKE_DIR``] (default ``warehouse/lake/relbase``),
``product_ids`` (Relbase ids to sync; empty = all), ``max_calls`` / ``period`` / ``workers`` /
``timeout`` / ``max_attempts``, ``lake_max_age_minutes`` (a lake folder younger than this is reused
instead of downloading again; 0, the default, always downloads).
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
from extract.inventory.lake import LakeRun, download, latest_run
from extract.inventory.load import lake_source
from extract.inventory.settings import DEFAULT_BASE_URL
from extract.pipeline import LandResult, RunOptions, land
from extract.settings import Settings
from extract.warehouse import WarehouseUnavailable, connect, table_exists

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
    )


def download_step(settings: Settings, config: InventoryConfig) -> LakeRun:
    """Step 1: API -> lake folder."""
    return download(config.make_client(), config.lake_for(settings), product_ids=config.product_ids)


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
    try:
        started = datetime.strptime(run.run_id, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
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
    """Download into the lake (or reuse a young enough lake folder), then load it (unless that folder
    is already in this warehouse)."""
    config = config or InventoryConfig.resolve()
    run = None if opts.full_refresh else reusable_run(settings, config)
    if run is None:
        run = download_step(settings, config)
    else:
        log.warning("inventory: reusing lake folder %s (lake_max_age_minutes)", run.run_id)
        if not opts.dry_run and _loaded_here(settings, run):
            return LandResult("inventory", errors=failed_calls(run))
    result = load_step(settings, run, dry_run=opts.dry_run)
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

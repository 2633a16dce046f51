"""Warehouse inventory from the Relbase API (domain §3): lake first, then load.

Step 1 (``download``) writes the raw API responses into a lake folder, rate-limited and with fewer
calls than the legacy products x warehouses loop. Step 2 (``load``) lands that folder into
``raw_inventory`` with dlt; it makes no API call, so a failed load is retried from the lake.

Settings (dlt, section ``sources.inventory``; legacy variables in brackets): ``company_token`` /
``user_token`` (secrets) [``RELBASE_COMPANY_TOKEN`` / ``RELBASE_USER_TOKEN``], ``base_url``
[``RELBASE_BASE_URL``], ``lake_dir`` [``ELT_INVENTORY_LAKE_DIR``] (default ``warehouse/lake/relbase``),
``product_ids`` (Relbase ids to sync; empty = all), ``max_calls`` / ``period`` / ``workers`` /
``timeout`` / ``max_attempts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


def land_source(settings: Settings, opts: RunOptions, config: InventoryConfig | None = None) -> LandResult:
    """Download into the lake, then load it."""
    config = config or InventoryConfig.resolve()
    run = download_step(settings, config)
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

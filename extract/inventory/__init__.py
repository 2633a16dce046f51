"""Warehouse inventory from the Relbase API (domain §3): lake first, then load.

Step 1 (`download`) writes the raw API responses into a lake folder, rate-limited and with fewer
calls than the legacy products x warehouses loop. Step 2 (`load`) lands that folder into
``raw_inventory`` with dlt; it makes no API call, so a failed load is retried from the lake.

Settings (environment first, then dlt config ``[sources.inventory]``):
``RELBASE_COMPANY_TOKEN`` / ``RELBASE_USER_TOKEN`` (secrets), ``RELBASE_BASE_URL``,
``ELT_INVENTORY_LAKE_DIR`` (default: ``lake/relbase`` beside the sandbox folder), ``product_ids``
(list of Relbase ids to sync; empty = all), ``max_calls`` / ``period`` / ``workers``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import dlt

from extract import sandbox
from extract.config import Settings
from extract.inventory.client import ClientOptions, RelbaseClient
from extract.inventory.lake import LakeRun, download, latest_run
from extract.inventory.load import lake_source
from extract.pipeline import LandResult, land
from extract.sources import RunOptions

DEFAULT_BASE_URL = "https://api.relbase.cl/api/v1"


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
    def resolve(cls, env: dict[str, str] | None = None) -> InventoryConfig:
        env = os.environ if env is None else env

        def setting(env_name: str | None, key: str) -> Any:
            if env_name and env.get(env_name):
                return env[env_name]
            return dlt.config.get(f"sources.inventory.{key}")

        def secret(env_name: str, key: str) -> str:
            return env.get(env_name) or dlt.secrets.get(f"sources.inventory.{key}") or ""

        ids = setting(None, "product_ids")
        if isinstance(ids, str):
            ids = [int(x) for x in ids.replace(",", " ").split()]
        client = ClientOptions(
            **{
                k: type(getattr(ClientOptions(), k))(v)
                for k in ("max_calls", "period", "workers", "timeout", "max_attempts")
                if (v := setting(None, k)) is not None
            }
        )
        lake = setting("ELT_INVENTORY_LAKE_DIR", "lake_dir")
        return cls(
            base_url=setting("RELBASE_BASE_URL", "base_url") or DEFAULT_BASE_URL,
            company_token=secret("RELBASE_COMPANY_TOKEN", "company_token"),
            user_token=secret("RELBASE_USER_TOKEN", "user_token"),
            lake_dir=Path(lake) if lake else None,
            product_ids=tuple(int(x) for x in ids) if ids else None,
            client=client,
        )

    def lake_for(self, settings: Settings) -> Path:
        return self.lake_dir or settings.sandbox_dir.parent / "lake" / "relbase"

    def make_client(self) -> RelbaseClient:
        return RelbaseClient(self.base_url, self.company_token, self.user_token, self.client)


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


@contextmanager
def sandbox_config(settings: Settings, config: InventoryConfig) -> Iterator[InventoryConfig]:
    """Start the local Relbase of the sandbox manifest and point ``config`` at it."""
    from extract.sandbox.relbase_server import RelbaseServer

    found = sandbox.entry(settings, "inventory")
    with RelbaseServer.from_entry(found) as server:
        yield replace(
            config, base_url=server.url, company_token=found["company_token"], user_token=found["user_token"]
        )


def land_source(settings: Settings, opts: RunOptions, config: InventoryConfig | None = None) -> LandResult:
    """Download into the lake, then load it; with ``opts.sandbox`` against the local Relbase."""
    config = config or InventoryConfig.resolve()
    if opts.sandbox:
        with sandbox_config(settings, config) as local:
            run = download_step(settings, local)
    else:
        run = download_step(settings, config)
    return load_step(settings, run, dry_run=opts.dry_run)

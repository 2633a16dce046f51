"""Fixtures of the inventory tests: a small Relbase sandbox served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from extract.config import Settings
from extract.inventory import InventoryConfig
from extract.inventory.client import ClientOptions
from extract.sandbox import inventory as sandbox_inventory
from extract.sandbox.relbase_server import RelbaseServer, ServerOptions

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


@pytest.fixture
def relbase(settings: Settings) -> Iterator[Relbase]:
    found = start_relbase(settings)
    try:
        yield found
    finally:
        found.server.stop()

"""Fixtures for the fleet tests: a small seeded fleet and its e-Track server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from extract.sandbox import SandboxOptions
from extract.sandbox.etrac_server import EtracServer
from extract.sandbox.fleet import sim_entry
from tests.fleet.support import NOW


@pytest.fixture
def fleet_entry() -> dict[str, Any]:
    """Three plates reporting every two minutes (a few hundred points per plate-day)."""
    return sim_entry(SandboxOptions(seed=11, now=NOW), plates=3, days=3, interval_s=120)


@pytest.fixture
def etrac(fleet_entry: dict[str, Any]) -> Iterator[EtracServer]:
    with EtracServer(fleet_entry) as server:
        yield server


@pytest.fixture
def etrac_env(monkeypatch: pytest.MonkeyPatch, etrac: EtracServer) -> dict[str, str]:
    """ETRAC_* for a client of ``etrac``: quick retries, no pause between calls."""
    env = {
        "ETRAC_API_BASE": etrac.url,
        "ETRAC_USER": etrac.user,
        "ETRAC_KEY": etrac.key,
        "ETRAC_RATE_SLEEP": "0",
        "ETRAC_BACKOFF": "0.01",
        "ETRAC_MAX_BACKOFF": "0.05",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env

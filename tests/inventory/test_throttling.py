"""The client keeps under Relbase's 7 requests per second, and recovers from the 403 of throttling.

Extraction only (no warehouse involved): the lake download against the local server at the real limit.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from extract.inventory import download_step
from extract.inventory.client import ClientOptions
from extract.sandbox.relbase_server import ServerOptions
from extract.settings import Settings
from tests.inventory.support import retired, start_relbase, stocked_pairs

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

RELBASE = ServerOptions(rate_limit=7, window=1.0)


def _download(settings: Settings, client: ClientOptions) -> tuple[dict, object]:
    relbase = start_relbase(settings, RELBASE, client, products=8)
    try:
        run = download_step(settings, relbase.config)
    finally:
        relbase.server.stop()
    assert run.summary["products_failed"] == 0 and run.summary["lot_calls_failed"] == 0
    assert run.summary["lot_calls"] == len(stocked_pairs(relbase.state))
    state = relbase.state
    assert run.summary["products_synced"] == sum(1 for p in state["products"] if not retired(p))
    return run.summary, relbase.server.log


def test_default_client_never_exceeds_the_limit(duckdb_settings: Settings) -> None:
    _, log = _download(duckdb_settings, ClientOptions(workers=4, backoff=0.2))
    assert log.max_in_window(1.0) <= 7
    assert log.throttled == 0


def test_a_client_over_the_limit_is_throttled_and_recovers(duckdb_settings: Settings) -> None:
    greedy = replace(ClientOptions(), max_calls=30, period=1.0, workers=6, backoff=0.2, max_attempts=12)
    summary, log = _download(duckdb_settings, greedy)
    assert log.throttled > 0
    # every throttled call was retried, except the few that hit a retired product (refused anyway)
    assert summary["retries"] > 0

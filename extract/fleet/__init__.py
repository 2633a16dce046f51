"""Fleet tracking (domain §2): the e-Track Web Service into ``raw_fleet``.

``elt run --only fleet`` lands the latest position of every vehicle (one call) and the terminals,
and, when ``sources.fleet.backfill_start``/``backfill_end`` are set, the history of those days for
every plate it saw (resumable: only the first run fetches them). ``elt fleet history`` / ``elt fleet
backfill`` land day histories (``backfill.py``). Every value lands as raw text; parsing and every rule
live in dbt (``staging/fleet``, ``marts/fleet``).

Settings (dlt, section ``sources.fleet``; legacy ``ETRAC_*`` variables): ``api_base``, ``user``,
``key``, timeouts and backoff, ``rate_sleep``, the two advisory lock ids.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from extract.fleet.backfill import backfill
from extract.fleet.client import EtracClient, etrac_config
from extract.fleet.helpers import positions_table, terminals_table, to_terminals
from extract.fleet.settings import DAILY_LOCK_ID, UPSERT
from extract.pipeline import LandResult, RunOptions, land
from extract.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["daily_lock", "land_source", "latest_source"]


@dlt.source(name="fleet", max_table_nesting=0)
def latest_source(client: EtracClient, seen_plates: list[str] | None = None) -> DltResource:
    """The latest position of every vehicle (one call) and the vehicles themselves."""

    @dlt.resource(name="positions", primary_key="position_key", write_disposition=UPSERT)
    def latest() -> Iterator[Any]:
        items = client.latest()
        table = positions_table(items)
        if seen_plates is not None:
            seen_plates.extend(p for p in dict.fromkeys(table.column("placa").to_pylist()) if p)
        yield table
        yield to_terminals(terminals_table(items))

    return latest


def daily_lock() -> tuple[str, int]:
    """The lock of daily fleet runs: kind and advisory id (``ETRAC_DAILY_LOCK_ID``)."""
    return "fleet daily", int(dlt.config.get("sources.fleet.daily_lock_id") or DAILY_LOCK_ID)


def _day(key: str) -> date | None:
    value = dlt.config.get(f"sources.fleet.{key}")
    return date.fromisoformat(str(value)) if value else None


def land_source(settings: Settings, opts: RunOptions) -> LandResult:
    """Latest positions and terminals, then the configured history days (see the module docstring).

    ``--full-refresh`` rebuilds the models only: dropping ``raw_fleet`` would lose backfilled history.
    """
    with EtracClient(etrac_config()) as client:
        plates: list[str] = []
        result = land(settings, "fleet", latest_source(client, plates), dry_run=opts.dry_run)
        start, end = _day("backfill_start"), _day("backfill_end")
        if start and end and plates and not opts.dry_run:
            done = backfill(settings, client, plates, start, end, progress=log.info)
            if done.positions:
                result.rows["positions"] = result.rows.get("positions", 0) + done.positions
        return result

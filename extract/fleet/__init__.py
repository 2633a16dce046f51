"""Fleet tracking (domain §2): the e-Track Web Service into ``raw_fleet``.

``elt run --only fleet`` lands the latest position of every vehicle (one call) and the terminals;
``elt fleet history`` / ``elt fleet backfill`` land day histories (see ``backfill.py``). Every value
lands as raw text; parsing and every rule live in dbt (``staging/fleet``, ``marts/fleet``).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from extract import sandbox
from extract.config import Settings
from extract.fleet.backfill import backfill, etrac_client, land_latest
from extract.fleet.locks import run_lock
from extract.pipeline import LandResult
from extract.sources import RunOptions


def land_source(settings: Settings, opts: RunOptions) -> LandResult:
    """Latest positions and terminals, under the daily lock.

    With ``opts.sandbox`` a local e-Track server is started from the sandbox manifest for the run, and
    the sandbox's past days are backfilled too (resumable: only the first run fetches them), so the
    demo has whole routes to show. ``--full-refresh`` rebuilds the models only: dropping ``raw_fleet``
    would lose backfilled history.
    """
    with run_lock(settings, "daily"), etrac_client(settings, opts.sandbox) as client:
        result = land_latest(settings, client, dry_run=opts.dry_run)
        if opts.sandbox and not opts.dry_run:
            found = sandbox.entry(settings, "fleet")
            first, last = date.fromisoformat(found["first_day"]), date.fromisoformat(found["last_day"])
            done = backfill(
                settings,
                client,
                list(found["plates"]),
                first,
                last - timedelta(days=1),
                rate_sleep=0,
                progress=logging.getLogger(__name__).info,
            )
            if done.positions:
                result.rows["positions"] = result.rows.get("positions", 0) + done.positions
        return result

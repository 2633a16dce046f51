"""Fleet tracking (domain §2): the e-Track Web Service into ``raw_fleet``.

``elt run --only fleet`` lands the latest position of every vehicle (one call) and the terminals;
``elt fleet history`` / ``elt fleet backfill`` land day histories (see ``backfill.py``). Every value
lands as raw text; parsing and every rule live in dbt (``staging/fleet``, ``marts/fleet``).
"""

from __future__ import annotations

from extract.config import Settings
from extract.fleet.backfill import etrac_client, land_latest
from extract.fleet.locks import run_lock
from extract.pipeline import LandResult
from extract.sources import RunOptions


def land_source(settings: Settings, opts: RunOptions) -> LandResult:
    """Latest positions and terminals, under the daily lock.

    With ``opts.sandbox`` a local e-Track server is started from the sandbox manifest for the run.
    ``--full-refresh`` rebuilds the models only: dropping ``raw_fleet`` would lose backfilled history.
    """
    with run_lock(settings, "daily"), etrac_client(settings, opts.sandbox) as client:
        return land_latest(settings, client, dry_run=opts.dry_run)

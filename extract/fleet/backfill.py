"""Latest positions and history backfills of the fleet into ``raw_fleet``.

A backfill makes one history call per plate per local day, sleeps ``ETRAC_RATE_SLEEP`` between
calls, and lands every ``batch_size`` plate-days in one dlt load together with their rows in
``raw_fleet.backfill_progress``. A re-run (or a run after a kill) reads that table and skips the
plate-days already ``done``; positions merge on their key, so a plate-day fetched twice never
duplicates. A plate-day whose calls keep failing is recorded ``failed`` and retried next run.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import dlt

from extract import sandbox
from extract.config import Settings
from extract.fleet.client import ApiError, AuthError, EtracClient, EtracConfig, TransientError
from extract.fleet.locks import run_lock
from extract.fleet.source import fleet_source, positions_table, terminals_table, utc_now
from extract.pipeline import LOADER_FILE_FORMAT, LandResult, land, make_pipeline

log = logging.getLogger(__name__)
BRT = timezone(timedelta(hours=-3))
FAILURES = (ApiError, TransientError, OSError)  # requests' errors are OSErrors


def flush_pending(pipeline: dlt.Pipeline) -> None:
    """Finish loading what a killed run left extracted or normalized, before new data goes in."""
    if pipeline.has_pending_data:
        log.warning("fleet: loading packages left pending by an earlier run")
        pipeline.run()


@contextmanager
def etrac_client(settings: Settings, use_sandbox: bool) -> Iterator[EtracClient]:
    """A client of the configured API or, with ``use_sandbox``, of a local server started for the block."""
    if not use_sandbox:
        with EtracClient(EtracConfig.from_settings()) as client:
            yield client
        return
    from extract.sandbox.etrac_server import EtracServer

    found = sandbox.entry(settings, "fleet")
    with EtracServer(found) as server:
        cfg = EtracConfig.from_settings(api_base=server.url, user=found["user"], key=found["key"])
        with EtracClient(cfg) as client:
            yield client


def land_latest(settings: Settings, client: EtracClient, *, dry_run: bool = False) -> LandResult:
    """One call for the latest position of every vehicle; land positions and terminals."""
    items = client.latest()
    table = positions_table(items)
    terminals = terminals_table(items)
    if not dry_run:
        flush_pending(make_pipeline(settings, "fleet"))
    return land(settings, "fleet", fleet_source([table], terminals), dry_run=dry_run)


@dataclass
class BackfillSummary:
    """What a backfill did, per plate-day."""

    total: int = 0
    fetched: int = 0
    skipped: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    positions: int = 0
    calls: int = 0

    def lines(self) -> list[str]:
        out = [
            f"plate-days: {self.total} total, {self.fetched} fetched, {self.skipped} skipped "
            f"(already done), {len(self.failed)} failed",
            f"positions landed: {self.positions} in {self.calls} HTTP attempts",
        ]
        out += [f"  failed {plate} {day}: {error}" for plate, day, error in self.failed]
        return out


def days_between(start: date, end: date) -> list[date]:
    if end < start:
        raise ValueError(f"--date-end {end} is before --date-start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def completed_plate_days(pipeline: dlt.Pipeline) -> set[tuple[str, str]]:
    """Plate-days recorded ``done`` in ``raw_fleet.backfill_progress`` (none when the table is absent)."""
    try:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name("backfill_progress")
            rows = client.execute_sql(f"select placa, dia from {table} where status = 'done'")
    except Exception as exc:  # first run: the dataset or table does not exist yet
        log.info("no backfill progress yet (%s)", type(exc).__name__)
        return set()
    return {(str(p), str(d)) for p, d in rows or []}


def _fmt_eta(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
        if seconds >= 3600
        else f"{seconds // 60}m{seconds % 60:02d}s"
    )


def backfill(
    settings: Settings,
    client: EtracClient,
    plates: list[str],
    start: date,
    end: date,
    *,
    batch_size: int = 10,
    rate_sleep: float | None = None,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> BackfillSummary:
    """History of ``plates`` × each local day in [start, end], resumable; holds the backfill lock.

    Days before ``today`` (default: today in Brazil) are recorded ``done``; today's stays ``partial``.
    """
    plates = list(dict.fromkeys(p.strip().upper() for p in plates if p.strip()))
    if not plates:
        raise ValueError("no plates given (--plates A,B or --plates-file F)")
    days = days_between(start, end)
    pause = client.config.rate_sleep if rate_sleep is None else rate_sleep
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    today = today or datetime.now(BRT).date()
    summary = BackfillSummary(total=len(plates) * len(days))
    with run_lock(settings, "backfill"):
        pipeline = make_pipeline(settings, "fleet")
        flush_pending(pipeline)
        done = completed_plate_days(pipeline)
        todo = [(p, d) for d in days for p in plates if (p, d.isoformat()) not in done]
        summary.skipped = summary.total - len(todo)
        if summary.skipped:
            say(f"skipping {summary.skipped} plate-days already done")
        started = time.monotonic()
        attempts_before = client.attempts
        for offset in range(0, len(todo), max(1, batch_size)):
            chunk = todo[offset : offset + max(1, batch_size)]
            tables, terminals, rows = [], [], []
            for i, (plate, day) in enumerate(chunk):
                if offset + i:
                    time.sleep(pause)
                row: dict[str, Any] = {"placa": plate, "dia": day.isoformat(), "positions": 0}
                try:
                    terminal, items = client.history_day(plate, day)
                except AuthError:
                    raise
                except FAILURES as exc:
                    row.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:500])
                    summary.failed.append((plate, day.isoformat(), row["error"]))
                else:
                    table = positions_table(items, plate=terminal.get("placa") or plate)
                    tables.append(table)
                    terminals.append(terminal or {"placa": plate})
                    # a day not over yet stays open, so the next run fetches it again
                    row.update(status="done" if day < today else "partial", positions=table.num_rows)
                    summary.fetched += 1
                    summary.positions += table.num_rows
                row["finished_at"] = utc_now()
                rows.append(row)
                n = offset + i + 1
                eta = (time.monotonic() - started) / n * (len(todo) - n)
                status = f"{row['status']} {row['positions']} positions"
                say(f"[{n}/{len(todo)}] {plate} {day} {status}, ETA {_fmt_eta(eta)}")
            info = pipeline.run(
                fleet_source(tables, terminals_table(terminals), rows), loader_file_format=LOADER_FILE_FORMAT
            )
            info.raise_on_failed_jobs()
        summary.calls = client.attempts - attempts_before
    return summary

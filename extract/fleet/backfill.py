"""History backfills of the fleet into ``raw_fleet``: plates × local days, resumable, one lock.

A backfill makes one history call per plate per local day inside a dlt resource, sleeps
``rate_sleep`` between calls, and lands every ``batch_size`` plate-days in one dlt load together with
their rows in ``raw_fleet.backfill_progress``. A re-run (or a run after a kill) reads that table and
skips the plate-days already ``done``; positions merge on their key, so a plate-day fetched twice never
duplicates. A plate-day whose calls keep failing is recorded ``failed`` and retried next run.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from extract.fleet.client import ApiError, AuthError, EtracClient, TransientError
from extract.fleet.helpers import positions_table, terminals_table, to_progress, to_terminals, utc_now
from extract.fleet.settings import BRT, UPSERT
from extract.locks import hold
from extract.pipeline import LOADER_FILE_FORMAT, complete_pending, make_pipeline
from extract.settings import Settings
from extract.warehouse import WarehouseUnavailable, connect, fetch, table_exists

log = logging.getLogger(__name__)
FAILURES = (ApiError, TransientError, OSError)  # requests' errors are OSErrors


@dataclass
class BackfillSummary:
    """What a backfill did, per plate-day."""

    total: int = 0
    fetched: int = 0
    skipped: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    positions: int = 0
    calls: int = 0
    interrupted: bool = False

    def lines(self) -> list[str]:
        out = [
            f"plate-days: {self.total} total, {self.fetched} fetched, {self.skipped} skipped "
            f"(already done), {len(self.failed)} failed",
            f"positions landed: {self.positions} in {self.calls} HTTP attempts",
        ]
        out += [f"  failed {plate} {day}: {error}" for plate, day, error in self.failed]
        if self.interrupted:
            out.append(
                "interrupted: every plate-day finished before the signal is recorded; run again to resume"
            )
        return out


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """SIGINT and SIGTERM set the yielded event instead of killing the backfill at once, so the plate-day
    in flight finishes and every finished one is loaded and recorded before it exits."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, _frame: object) -> None:
        log.warning(
            "%s: finishing the plate-day in flight, recording what is done", signal.Signals(signum).name
        )
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def days_between(start: date, end: date) -> list[date]:
    if end < start:
        raise ValueError(f"--date-end {end} is before --date-start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def completed_plate_days(settings: Settings) -> set[tuple[str, str]]:
    """Plate-days recorded ``done`` in ``raw_fleet.backfill_progress`` (none before the first run)."""
    try:
        with connect(settings) as conn:
            if not table_exists(conn, "raw_fleet", "backfill_progress"):
                return set()
            rows = fetch(conn, "select placa, dia from raw_fleet.backfill_progress where status = 'done'")
    except WarehouseUnavailable as exc:  # first run: no warehouse file yet
        log.info("no backfill progress yet (%s)", exc)
        return set()
    return {(str(p), str(d)) for p, d in rows}


def _fmt_eta(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
        if seconds >= 3600
        else f"{seconds // 60}m{seconds % 60:02d}s"
    )


@dlt.source(name="fleet", max_table_nesting=0)
def history_source(
    client: EtracClient,
    plate_days: list[tuple[str, date]],
    today: date,
    pause: float,
    on_done: Callable[[dict[str, Any]], None],
    stop: threading.Event | None = None,
) -> DltResource:
    """One history call per plate-day: positions, the plates' terminals and a progress row each."""

    @dlt.resource(name="positions", primary_key="position_key", write_disposition=UPSERT)
    def history() -> Iterator[Any]:
        terminals: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        stop_event = stop or threading.Event()
        for i, (plate, day) in enumerate(plate_days):
            if i and pause:
                stop_event.wait(pause)
            if stop_event.is_set():
                break
            row: dict[str, Any] = {"placa": plate, "dia": day.isoformat(), "positions": 0}
            try:
                terminal, items = client.history_day(plate, day)
            except AuthError:
                raise
            except FAILURES as exc:
                row.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:500])
            else:
                table = positions_table(items, plate=terminal.get("placa") or plate)
                yield table
                terminals.append(terminal or {"placa": plate})
                # a day not over yet stays open, so the next run fetches it again
                row.update(status="done" if day < today else "partial", positions=table.num_rows)
            row["finished_at"] = utc_now()
            rows.append(row)
            on_done(row)
        if terminals:
            yield to_terminals(terminals_table(terminals))
        if rows:
            yield to_progress(rows)

    return history


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
    with hold(settings, "fleet backfill", client.config.backfill_lock_id), stop_on_signals() as stop:
        pipeline = make_pipeline(settings, "fleet")
        complete_pending(settings, pipeline)
        done = completed_plate_days(settings)
        todo = [(p, d) for d in days for p in plates if (p, d.isoformat()) not in done]
        summary.skipped = summary.total - len(todo)
        if summary.skipped:
            say(f"skipping {summary.skipped} plate-days already done")
        started = time.monotonic()
        attempts_before = client.attempts
        finished = 0

        def on_done(row: dict[str, Any]) -> None:
            nonlocal finished
            finished += 1
            if row["status"] == "failed":
                summary.failed.append((row["placa"], row["dia"], row["error"]))
            else:
                summary.fetched += 1
                summary.positions += row["positions"]
            eta = (time.monotonic() - started) / finished * (len(todo) - finished)
            say(
                f"[{finished}/{len(todo)}] {row['placa']} {row['dia']} {row['status']} "
                f"{row['positions']} positions, ETA {_fmt_eta(eta)}"
            )

        step = max(1, batch_size)
        for offset in range(0, len(todo), step):
            chunk = todo[offset : offset + step]
            source = history_source(client, chunk, today, pause, on_done, stop)
            info = pipeline.run(source, loader_file_format=LOADER_FILE_FORMAT)
            info.raise_on_failed_jobs()
            if stop.is_set():
                summary.interrupted = True
                break
        summary.calls = client.attempts - attempts_before
    return summary

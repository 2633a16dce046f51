"""`elt run --every 2m`: a run on a schedule that stops cleanly on a signal.

It never overlaps itself: the command holds the locks of its sources (``extract.locks``) for the
scheduler's life, so a second scheduler (or a plain `elt run` of the same sources) gets ``LockBusy``.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """``90``, ``90s``, ``2m``, ``1h``, ``1d`` -> seconds."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not found or float(found.group(1)) <= 0:
        raise ValueError(f"--every must be a positive interval like 90s, 2m, 1h; got {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2) or "s"]


class Scheduler:
    """Runs ``cycle`` every ``interval`` seconds until SIGTERM/SIGINT.

    A signal between cycles stops at once; during a cycle, the cycle finishes first (a second signal
    aborts it). A cycle that raises or reports failure is logged and the next tick runs as usual.
    Ticks are aligned on the first start; a cycle longer than the interval skips the missed ticks.
    """

    def __init__(
        self, interval: float, cycle: Callable[[], bool], echo: Callable[[str], Any] = print
    ) -> None:
        self.interval = interval
        self.cycle = cycle
        self.echo = echo
        self.stop = threading.Event()
        self.in_cycle = False
        self.cycles = 0

    def _on_signal(self, signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if self.stop.is_set() and self.in_cycle:
            raise KeyboardInterrupt(f"{name} again: aborting the current cycle")
        self.stop.set()
        if self.in_cycle:
            self.echo(f"{name}: stopping after the current cycle")

    def run(self) -> int:
        # dlt would swallow a signal that arrives during its normalize/load step; the scheduler wants it
        os.environ["RUNTIME__INTERCEPT_SIGNALS"] = "false"
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            start = time.monotonic()
            while not self.stop.is_set():
                self.cycles += 1
                self.echo(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} cycle {self.cycles}")
                self.in_cycle = True
                try:
                    ok = self.cycle()
                except KeyboardInterrupt:
                    self.echo("cycle aborted")
                    break
                except Exception as exc:  # a failed cycle is logged; the next tick retries
                    log.error("cycle %s failed: %s: %s", self.cycles, type(exc).__name__, exc)
                    ok = False
                finally:
                    self.in_cycle = False
                if not ok:
                    self.echo(f"cycle {self.cycles} failed; retrying at the next tick")
                elapsed = time.monotonic() - start
                wait = self.interval - (elapsed % self.interval)
                self.stop.wait(wait)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.echo(f"stopped after {self.cycles} cycles")
        return 0

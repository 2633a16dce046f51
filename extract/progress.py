"""Live progress of long work, in one place: landing (dlt's collectors), the Relbase download, the fleet
backfill and the dbt build.

On a terminal (stdout is a tty) a task is a tqdm bar on stderr that updates in place: done of total,
rate, elapsed and ETA, retries and failures so far; landing uses dlt's own ``tqdm`` collector. On a
pipe (CI, cron, a log file) nothing is redrawn: each task prints one line when it ends, with its
counts, time, rate, retries and failures.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import IO, Any

log = logging.getLogger(__name__)


def live() -> bool:
    """Bars that update in place when stdout is a terminal; one line per task otherwise."""
    return sys.stdout.isatty()


def collector(verbose: bool = False) -> Any:
    """dlt's progress collector for a pipeline: its tqdm bars on a terminal; on a pipe none (the source's
    one line comes from ``landed``), or with ``--verbose`` its log collector without memory stats (no
    psutil warning)."""
    if live():
        return "tqdm"
    if verbose:
        from dlt.common.runtime.collector import LogCollector

        return LogCollector(dump_system_stats=False)
    return None


def _rate(count: float, seconds: float, unit: str) -> str:
    return f"{count / seconds:.1f} {unit}/s" if seconds > 0 else f"- {unit}/s"


def landed(source: str, rows: int | None, seconds: float, file: IO[str] | None = None) -> None:
    """On a pipe, the one line of a source's landing (``rows`` None: it failed); on a terminal dlt's bars
    already showed it."""
    if live():
        return
    if rows is None:
        text = f"landing {source}: failed after {seconds:.1f}s"
    else:
        text = f"landing {source}: {rows} rows in {seconds:.1f}s ({_rate(rows, seconds, 'rows')})"
    print(text, file=file or sys.stderr, flush=True)


def _sized(stream: IO[str]) -> bool:
    """The terminal reports its width (a pseudo-terminal without a size reports 0)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, OSError, ValueError):
        return False


class Task:
    """Progress of one long task: ``done`` of ``total`` (which may grow as work is discovered), with
    retries and failures so far. A context manager; thread-safe (workers and dbt threads update it)."""

    def __init__(
        self,
        name: str,
        total: int | None = None,
        unit: str = "calls",
        *,
        file: IO[str] | None = None,
        counters: tuple[str, ...] = (),
        quiet: bool = False,
        bar: bool | None = None,
        **bar_options: Any,
    ) -> None:
        self.name, self.unit = name, unit
        self.total = total
        self.done = 0
        self.counts: dict[str, int] = dict.fromkeys(counters, 0)
        self.file = file
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._bar: Any = None
        self._closed = quiet  # shows nothing at all
        if not quiet and (live() if bar is None else bar):
            from tqdm import tqdm

            options = {"dynamic_ncols": _sized(file or sys.stderr), "mininterval": 0.2, "leave": True}
            if not options["dynamic_ncols"]:
                options["ncols"] = 100  # a terminal that reports no width (tqdm would draw nothing)
            options.update(bar_options)
            self._bar = tqdm(total=total, desc=name, unit=f" {unit}", file=file or sys.stderr, **options)

    def grow(self, more: int) -> None:
        """More work discovered (e.g. the lot calls after the product details)."""
        with self._lock:
            self.total = (self.total or 0) + more
            if self._bar is not None:
                self._bar.total = self.total
                self._bar.refresh()

    def update(self, n: int = 1, **counts: int) -> None:
        """``n`` more done; ``counts`` add to named counters shown beside the bar (``failed=1``)."""
        with self._lock:
            self.done += n
            for key, value in counts.items():
                self.counts[key] = self.counts.get(key, 0) + value
            if self._bar is not None:
                self._postfix()
                self._bar.update(n)

    def count(self, **counts: int) -> None:
        """Add to the named counters without finishing any work (a retry, a failure)."""
        self.update(0, **counts)

    def retried(self, *_: Any) -> None:
        """A retry happened (a listener of ``extract.http.Stats``): shown at once, even while waiting."""
        self.count(retries=1)
        if self._bar is not None:
            with self._lock:
                self._bar.refresh()

    def _postfix(self) -> None:
        if self.counts:
            self._bar.set_postfix(self.counts, refresh=False)

    def line(self) -> str:
        """The one-line account of the task (what a pipe gets)."""
        seconds = time.monotonic() - self.started
        of = f"/{self.total}" if self.total is not None else ""
        rate = _rate(self.done, seconds, self.unit)
        text = f"{self.name}: {self.done}{of} {self.unit} in {seconds:.1f}s ({rate})"
        extras = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        return f"{text}; {extras}" if extras else text

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._bar is not None:
            self._bar.close()
        else:
            print(self.line(), file=self.file or sys.stderr, flush=True)

    def discard(self) -> None:
        """End without a word: remove the bar, print no line."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._bar is not None:
            self._bar.leave = False
            self._bar.close()

    def __enter__(self) -> Task:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DbtProgress:
    """A dbtRunner callback: nodes done of total and models built, as a ``Task`` (``dbt build``)."""

    def __init__(self, name: str, **task_options: Any) -> None:
        self.task = Task(name, unit="nodes", counters=("models", "failed"), **task_options)
        self._total_known = False

    def __call__(self, event: Any) -> None:
        name = event.info.name
        if name == "LogStartLine" and not self._total_known:
            total = getattr(event.data, "total", 0)
            if total:
                self._total_known = True
                self.task.grow(int(total))
        elif name == "NodeFinished":
            info = getattr(event.data, "node_info", None)
            status = str(getattr(info, "node_status", "") or "")
            counts = {}
            if getattr(info, "resource_type", "") == "model" and status == "success":
                counts["models"] = 1
            if status in ("error", "fail", "runtime error"):
                counts["failed"] = 1
            self.task.update(1, **counts)

    def close(self) -> None:
        """The line or the finished bar; nothing when dbt ran no node (an error or an empty selection
        says so itself)."""
        if not self.task.done and not self._total_known:
            self.task.discard()
        else:
            self.task.close()

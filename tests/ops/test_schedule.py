"""`elt run --every`: real subprocesses on a 2-second schedule. Two cycles run, a failed cycle is
retried at the next tick, a second scheduler of the same kind refuses with 75 (EXIT_BUSY), and
SIGTERM stops the first one with exit 0."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading

import pytest

from extract import sandbox
from extract.exit_codes import EXIT_BUSY
from extract.locks import lock_key
from extract.ops.schedule import parse_interval
from extract.settings import PROJECT_ROOT, Settings
from tests.support import elt, elt_argv, elt_env, query

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

SCHEDULED = ("run", "--only", "automation", "--no-build", "--every", "2s")
WAIT = 180  # seconds: a safety net against a hung process, not a timing assertion


def test_parse_interval() -> None:
    assert parse_interval("90") == 90 and parse_interval("2s") == 2 and parse_interval("2m") == 120
    assert parse_interval("1h") == 3600 and parse_interval("1.5m") == 90
    for bad in ("", "0s", "2x", "-1m", "m"):
        with pytest.raises(ValueError, match="--every"):
            parse_interval(bad)
    assert lock_key("run:all") == lock_key("run:all") != lock_key("run:automation")


class Lines:
    """The lines of a running process, read in a thread so waiting for one never blocks forever."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(proc,), daemon=True).start()

    def _pump(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str) -> str:
        while True:
            line = self._queue.get(timeout=WAIT)
            if line is None:
                raise AssertionError(f"process ended before {text!r}:\n" + "\n".join(self.seen))
            self.seen.append(line)
            if text in line:
                return line


def test_scheduler_cycles_retries_refuses_a_second_and_stops_on_sigterm(settings: Settings) -> None:
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=3, scale=0.05))
    entry = sandbox.entry(settings, "automation")
    broken = {**entry, "credentials": f"sqlite:///{settings.sandbox_dir}/missing/app.sqlite", "schema": None}
    sandbox.write_entry(settings, "automation", broken)

    proc = subprocess.Popen(
        elt_argv(*SCHEDULED),
        env=elt_env(settings),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = Lines(proc)
    try:
        lines.wait_for("cycle 1")
        lines.wait_for("automation: FAILED")
        lines.wait_for("cycle 1 failed; retrying at the next tick")
        sandbox.write_entry(settings, "automation", entry)  # the source is back
        lines.wait_for("automation: read")  # a later cycle lands

        second = elt(settings, *SCHEDULED)
        assert second.returncode == EXIT_BUSY, second.stdout + second.stderr
        assert "holds" in second.stderr

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=WAIT) == 0, "\n".join(lines.seen)
        lines.wait_for("stopped after")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    statuses = dict(
        query(
            settings,
            "select status, count(*) from ops.elt_run_history where step = 'automation' group by status",
        )
    )
    assert statuses.get("failed", 0) >= 1 and statuses.get("ok", 0) >= 1, statuses

    # the lock went with the process: a plain run of the same kind goes ahead
    assert elt(settings, "run", "--only", "automation", "--no-build").returncode == 0

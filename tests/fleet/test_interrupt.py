"""Ctrl-C (SIGINT) or SIGTERM during a backfill: the plate-day in flight finishes, every finished plate-day
is loaded and recorded before the process exits 130, and the resume fetches none of them again."""

from __future__ import annotations

import re
import signal
import subprocess

import pytest

from extract.exit_codes import EXIT_INTERRUPTED
from extract.sandbox.etrac_server import EtracServer
from extract.settings import PROJECT_ROOT, Settings
from tests.fleet.support import backfill_cmd, cli_env
from tests.support import query

pytestmark = pytest.mark.e2e

FINISHED = re.compile(r"^\[(\d+)/\d+\] (\S+) (\S+) (done|partial|failed)")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_interrupted_backfill_records_finished_plate_days(
    sig: signal.Signals, duckdb_settings: Settings, etrac: EtracServer, etrac_env: dict[str, str]
) -> None:
    settings = duckdb_settings
    plates = list(etrac.sim.plates)
    env = cli_env(settings, etrac_env, ETRAC_RATE_SLEEP="0.3")
    # one batch of 10 would hold all 9 plate-days: without the graceful stop nothing would be recorded
    proc = subprocess.Popen(
        backfill_cmd(plates),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    finished: set[tuple[str, str]] = set()
    for line in proc.stderr:  # the backfill's own progress, one line per finished plate-day
        match = FINISHED.match(line)
        if match:
            finished.add((match.group(2), match.group(3)))
            if len(finished) == 2:
                proc.send_signal(sig)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_INTERRUPTED, out
    assert "interrupted" in out

    done = {
        (p, d) for p, d, s in query(settings, "select placa, dia, status from raw_fleet.backfill_progress")
    }
    assert finished and finished <= done, f"finished {sorted(finished)}, recorded {sorted(done)}"
    calls_before = dict(etrac.history_calls)

    rerun = subprocess.run(backfill_cmd(plates), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    for plate_day in finished:  # the server counts history calls per (plate, ISO day)
        assert etrac.history_calls[plate_day] == calls_before[plate_day] == 1, f"{plate_day} fetched again"

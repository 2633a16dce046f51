"""Progress on a pipe: one line per source, per Relbase download and per dbt build; no progress bars
redrawn into a log, no psutil warning (issue 10: "about 150 repeated dlt 0%/100% progress blocks and a
psutil warning on every run"). The bars on a terminal are tested in tests/plumbing/test_progress.py."""

from __future__ import annotations

import re

import pytest

from extract.settings import Settings
from tests.support import elt

NOW = "2026-10-01"


@pytest.mark.e2e
def test_on_a_pipe_each_source_gets_one_progress_line(duckdb_settings: Settings) -> None:
    s = duckdb_settings
    made = elt(
        s,
        "sandbox",
        "generate",
        "--only",
        "automation",
        "--only",
        "inventory",
        "--scale",
        "0.05",
        "--now",
        NOW,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    proc = elt(s, "run", "--only", "automation", "--only", "inventory")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    lines = proc.stderr.splitlines()

    def only(pattern: str) -> str:
        found = [ln for ln in lines if re.match(pattern, ln)]
        assert len(found) == 1, f"{pattern}: {found}\n{proc.stderr}"
        return found[0]

    for source in ("automation", "inventory"):
        only(rf"landing {source}: \d+ rows in \d+\.\ds \([\d.]+ rows/s\)$")
    download = only(
        r"Relbase download: (\d+)/(\d+) calls in \d+\.\ds \([\d.]+ calls/s\); retries \d+, failed 0$"
    )
    done, total = re.match(r"Relbase download: (\d+)/(\d+)", download).groups()
    assert done == total and int(total) > 2
    build = only(r"dbt build: (\d+)/(\d+) nodes in \d+\.\ds \([\d.]+ nodes/s\); models (\d+), failed 0$")
    done, total, models = map(int, re.match(r"dbt build: (\d+)/(\d+) nodes .*models (\d+)", build).groups())
    assert done == total > models > 0
    assert f"dbt build: {models} models built" in proc.stdout  # the bar counted what dbt reports

    assert "psutil" not in output
    assert "\r" not in output and "%|" not in output, "no progress bar is redrawn into a pipe"
    assert len(lines) <= 8, proc.stderr  # no repeated blocks: a handful of lines in all

"""Port traffic end to end, on DuckDB and PostgreSQL: the real sandbox -> dlt -> dbt -> back-propagation.

The marts are checked against the generator's source rows with an independent container check
(ISO 6346 computed here, not by the models), and the write-back is checked on the source tables.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.sandbox.traffic import ground_truth
from extract.settings import Settings
from extract.sources import SOURCES
from extract.traffic.backpropagate import back_propagate
from tests.support import iso6346_check_digit, query

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _key(value: str | None) -> str:
    return re.sub(r"[-\s]", "", (value or "").strip().upper())


def _valid_container(key: str) -> bool:
    """ISO 6346: 4 letters, 7 digits, the last one the check digit."""
    return bool(re.fullmatch(r"[A-Z]{4}[0-9]{7}", key)) and iso6346_check_digit(key) == int(key[10])


def _run(settings: Settings) -> None:
    report = run(settings, [SOURCES["traffic"]], RunOptions())
    assert report.ok, report.lines()


def test_sandbox_to_marts_rejects_and_back(settings: Settings) -> None:
    sandbox.generate(settings, ["traffic"], sandbox.SandboxOptions(seed=11, scale=0.3, now=NOW))
    _run(settings)
    truth = ground_truth(sandbox.entry(settings, "traffic"))

    for table, mart in (
        ("arribos", "traficov2_arribos"),
        ("pendiente_desconsolidar", "traficov2_pendiente_desconsolidar"),
    ):
        keys = {_key(r["Contenedor"]) for r in truth["tables"][table]} - {"", "-"}
        invalid = {k for k in keys if not _valid_container(k)}
        assert invalid, f"the sandbox should hold invalid containers in {table}"
        in_mart = {_key(c) for (c,) in query(settings, f'select "Contenedor" from traffic.{mart}')}
        rejected = {
            _key(c)
            for (c,) in query(
                settings, f"select contenedor from traffic.traficov2_rejects where source_table = '{table}'"
            )
        }
        assert not in_mart & invalid, f"{table}: invalid containers reached the mart"
        assert invalid <= rejected, (
            f"{table}: invalid containers missing from rejects: {sorted(invalid - rejected)[:5]}"
        )
        assert keys <= in_mart | rejected, f"{table}: rows neither in the mart nor in rejects"
        [(reasonless,)] = query(
            settings, "select count(*) from traffic.traficov2_rejects where reasons is null"
        )
        assert reasonless == 0

    # back-propagation: the resolved Chofer goes to the source, then nothing is left to write
    planned = query(
        settings, "select count(*) from traffic.traficov2_chofer_writeback where source_table = 'arribos'"
    )
    first = back_propagate(settings)
    assert first.rows_updated >= planned[0][0] > 0
    _run(settings)
    [(left,)] = query(
        settings, "select count(*) from traffic.traficov2_chofer_writeback where source_table = 'arribos'"
    )
    assert left == 0
    again = back_propagate(settings)
    assert again.rows_updated == 0 and not again.changes

"""The fast tier's dbt unit tests: every `unit_tests:` block of the project, on DuckDB, without HTTP.

dbt unit tests need their models' parents to exist, so the sources are landed first from tiny local
sandboxes (SQLite and CSV files for automation and traffic; fleet positions straight from the
simulator through the fleet source's own Arrow helpers), the models are built `--empty`, and then
`dbt test --select test_type:unit` runs. Inventory's parents come only through its HTTP download: its
unit tests run in the end-to-end tier, inside every inventory build.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import dlt

from extract import sandbox
from extract.dbt import run_dbt
from extract.fleet.helpers import positions_table, terminals_table
from extract.fleet.settings import UPSERT
from extract.pipeline import RunOptions, land
from extract.runner import run
from extract.sandbox.fleet import FleetSim, public, sim_entry
from extract.settings import Settings
from extract.sources import SOURCES

NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)


def test_every_dbt_unit_test_passes(duckdb_settings: Settings) -> None:
    settings = duckdb_settings
    opts = sandbox.SandboxOptions(seed=5, scale=0.02, now=NOW)
    sandbox.generate(settings, ["automation", "traffic"], opts)
    report = run(settings, [SOURCES["automation"], SOURCES["traffic"]], RunOptions(), build=False)
    assert report.ok, report.lines()

    sim = FleetSim.from_entry(sim_entry(opts, plates=2, days=1, interval_s=600))
    items = [public(p) for plate in sim.plates for p in sim.day_positions(plate, date(2026, 11, 4))]
    positions = dlt.resource([positions_table(items)], name="positions", primary_key="position_key")
    terminals = dlt.resource([terminals_table(items)], name="terminals", primary_key="placa")
    for resource in (positions, terminals):
        resource.apply_hints(write_disposition=UPSERT)
    land(settings, "fleet", [positions, terminals])

    parents = ["source:automation+", "source:traffic+", "source:fleet+"]
    built = run_dbt(
        settings, ["build", "--empty", "--select", *parents, "--exclude-resource-type", "test", "unit_test"]
    )
    assert built.ok, built.problems()
    tested = run_dbt(settings, ["test", "--select", "test_type:unit", "--exclude", "source:inventory+"])
    assert tested.ok, tested.problems()
    assert tested.count("unit_test", "pass") >= 10

"""A real crash between the steps: the process is killed after the download, before the load.

The lake folder it left is then loaded by another process (`elt inventory load`) with zero API calls.
A run killed later (after its load, in dbt) is resumed by the next run: it builds from that lake folder
without calling the API, so the warehouse holds no second download.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace

import pytest

import extract.inventory as inventory
from extract.inventory.lake import complete_runs
from extract.pipeline import RunOptions
from extract.runner import run
from extract.settings import PROJECT_ROOT, Settings
from extract.sources import SOURCES
from tests.inventory.support import Relbase, expected_stock
from tests.support import close, query

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

CHILD = """
import sys
from extract.settings import Settings
from extract.inventory import InventoryConfig, download_step, load_step

settings = Settings.from_env()
run = download_step(settings, InventoryConfig.resolve())
print("downloaded", run.run_id, flush=True)
sys.stdin.readline()  # killed here, between the steps
load_step(settings, run)
"""


def _env(settings: Settings, relbase: Relbase) -> dict[str, str]:
    config = relbase.config
    return {
        **os.environ,
        **settings.dbt_env(),
        "ELT_SANDBOX_DIR": str(settings.sandbox_dir),
        "ELT_PIPELINES_DIR": str(settings.pipelines_dir),
        "DBT_TARGET_PATH": str(settings.dbt_target_path),
        "ELT_INVENTORY_LAKE_DIR": str(config.lake_for(settings)),
        "RELBASE_BASE_URL": config.base_url,
        "RELBASE_COMPANY_TOKEN": config.company_token,
        "RELBASE_USER_TOKEN": config.user_token,
        "SOURCES__INVENTORY__MAX_CALLS": "30",
    }


def test_killed_after_download_then_loaded_from_the_lake(settings: Settings, relbase: Relbase) -> None:
    env = _env(settings, relbase)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.startswith("downloaded"), line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    runs = complete_runs(relbase.config.lake_for(settings))
    assert [r.run_id for r in runs] == [line.split()[1]]
    calls = relbase.server.log.total
    assert calls > 0

    loader = subprocess.run(
        [sys.executable, "-m", "extract.cli", "inventory", "load", "--target", settings.target],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loader.returncode == 0, loader.stdout + loader.stderr
    assert "from lake folder" in loader.stdout
    assert relbase.config.company_token not in loader.stdout + loader.stderr
    assert relbase.server.log.total == calls, "loading from the lake must not call the API"
    assert query(settings, "select count(*) from raw_inventory.lake_runs") == [(1,)]

    lots = query(settings, "select product_id, warehouse_id, lot_serial_number from raw_inventory.lots")
    expected = {k for k in expected_stock(relbase.state) if k[2] != "NO_LOT_TRACKING"}
    assert {(int(p), int(w), lot) for p, w, lot in lots} == expected


@pytest.mark.parametrize("settings", ["duckdb"], indirect=True)
def test_a_run_killed_in_dbt_is_resumed_without_api_calls(settings: Settings, relbase: Relbase) -> None:
    env = {**_env(settings, relbase), "ELT_TEST_KILL_AT": "dbt", "ELT_TARGET": settings.target}
    killed = subprocess.run(
        [sys.executable, "-m", "extract.cli", "run", "--only", "inventory"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    (downloaded,) = complete_runs(relbase.config.lake_for(settings))
    assert query(settings, "select lake_run_id from raw_inventory.lake_runs") == [(downloaded.run_id,)]
    calls = relbase.server.log.total

    spec = replace(SOURCES["inventory"], land=lambda s, o: inventory.land_source(s, o, config=relbase.config))
    report = run(settings, [spec], RunOptions())
    assert report.ok, report.lines()
    assert relbase.server.log.total == calls, "the resumed run must not call the API"
    assert query(settings, "select lake_run_id from raw_inventory.lake_runs") == [(downloaded.run_id,)]
    stock = query(
        settings, "select product_id, warehouse_id, lot_number, quantity from inventory.warehouse_stock"
    )
    expected = expected_stock(relbase.state)
    assert {(int(p), int(w), lot) for p, w, lot, _ in stock} == set(expected)
    assert all(close(float(q), expected[(int(p), int(w), lot)][0]) for p, w, lot, q in stock)

    # that run ended: the next one downloads again
    assert run(settings, [spec], RunOptions()).ok
    assert relbase.server.log.total > calls

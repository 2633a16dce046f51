"""A real crash between the steps: the process is killed after the download, before the load.

The lake folder it left is then loaded by another process (`elt inventory load`) with zero API calls.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from extract.inventory.lake import complete_runs
from extract.settings import PROJECT_ROOT, Settings
from tests.inventory.support import Relbase, expected_stock
from tests.support import query

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

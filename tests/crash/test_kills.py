"""A kill -9 at a named moment of `elt run --only SOURCE`, then one plain re-run: every raw table equals
the source and every mart equals a clean run's.

The incremental case: a first sync, a change batch at the source, then the killed run. The kill comes
from the run itself (``ELT_TEST_KILL_AT=<phase>``, a test instrument): ``read`` after the source's
first item, ``extract`` and ``normalize`` after those dlt steps, ``load`` as soon as the load has
completed its first job (part of the package is in the warehouse), ``dbt`` after dbt's first node. The
matrix covers each phase and each source at least once, and both warehouses where they differ (the
duplicate-after-load bug on DuckDB, the load and full refresh on PostgreSQL).
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.settings import Settings
from tests.crash.support import fingerprints, tables
from tests.support import elt, query

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 10, 1, tzinfo=UTC)
SCALE = {"automation": 0.2, "traffic": 0.2, "fleet": 0.2, "inventory": 0.1}
MARTS = {"automation": "automation", "traffic": "traffic", "fleet": "fleet", "inventory": "inventory"}
# raw tables that hold one copy of the source (inventory's keep every download, keyed by lake run)
RAW_COMPARED = {"automation", "traffic", "fleet"}

CASES = [
    ("automation", "load", "duckdb"),
    ("automation", "load", "postgres"),
    ("automation", "dbt", "duckdb"),
    ("traffic", "read", "duckdb"),
    ("traffic", "load", "postgres"),
    ("fleet", "normalize", "duckdb"),
    ("fleet", "load", "duckdb"),
    ("inventory", "extract", "duckdb"),
    ("inventory", "load", "postgres"),
]


def _param(source: str, phase: str, target: str) -> object:
    marks = [pytest.mark.postgres] if target == "postgres" else []
    return pytest.param(source, phase, target, marks=marks, id=f"{source}-{phase}-{target}")


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """The warehouse named by the case (overrides the both-warehouses fixture)."""
    target = request.node.callspec.params["target"]
    return request.getfixturevalue("duckdb_settings" if target == "duckdb" else "postgres_settings")


def _ok(settings: Settings, *args: str, **env: str) -> str:
    done = elt(settings, "run", *args, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(("source", "phase", "target"), [_param(*c) for c in CASES])
def test_kill_then_one_rerun_equals_the_source_and_a_clean_run(
    source: str, phase: str, target: str, settings: Settings, clean_settings: Settings
) -> None:
    sandbox.generate(settings, [source], sandbox.SandboxOptions(seed=5, scale=SCALE[source], now=NOW))
    sandbox.write_settings(settings)
    _ok(settings, "--only", source)  # first sync
    sandbox.change(settings, [source])

    killed = elt(settings, "run", "--only", source, ELT_TEST_KILL_AT=phase)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert f"killing the run at {phase}" in killed.stderr

    rerun = _ok(settings, "--only", source)
    if phase == "load":
        assert "left pending" in rerun, rerun
    _ok(clean_settings, "--only", source)

    raw = f"raw_{source}"
    if source in RAW_COMPARED:
        assert fingerprints(settings, raw) == fingerprints(clean_settings, raw, tables(settings, raw))
    if source == "automation":
        for table in tables(settings, raw):
            ((rows, ids),) = query(settings, f"select count(*), count(distinct id) from {raw}.{table}")
            assert rows == ids, f"{table}: {rows} rows for {ids} ids"
    marts = MARTS[source]
    assert fingerprints(settings, marts) == fingerprints(clean_settings, marts, tables(settings, marts))

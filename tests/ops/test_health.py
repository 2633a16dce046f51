"""`elt health` and the run history, on DuckDB and PostgreSQL: each state provoked for real.

healthy (0) -> source ahead of the warehouse (1) -> stale past dbt's warn (1) / error (2) freshness ->
a failed load (2) -> recovered, with a failure in the last 24 h (1) -> unreachable warehouse (2).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.cli import main
from extract.sandbox.automation import TABLES
from extract.settings import Settings
from tests.support import elt_env, execute, query

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

NOW = "2026-10-01"


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Callable:
    """`elt ARGS` in this process (the environment of the test's warehouse): (exit code, stdout)."""

    def call(*args: str, **env: str) -> tuple[int, str]:
        with monkeypatch.context() as m:
            for name, value in elt_env(settings, **env).items():
                m.setenv(name, value)
            for name in [n for n in os.environ if n.startswith("HEALTH__") and n not in env]:
                m.delenv(name)
            capsys.readouterr()
            code = main(list(args))
            return code, capsys.readouterr().out

    return call


def _health(cli: Callable, **env: str) -> tuple[int, dict, str]:
    code, out = cli("health", "--only", "automation", "--json", **env)
    text_code, text = cli("health", "--only", "automation", **env)
    assert code == text_code, text
    return code, json.loads(out), text


def _run(cli: Callable, *extra: str) -> int:
    return cli("run", "--only", "automation", *extra)[0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_health_states_and_history(settings: Settings, cli: Callable) -> None:
    assert cli("sandbox", "generate", "--only", "automation", "--scale", "0.05", "--now", NOW)[0] == 0
    # not landed yet: said so per table (dbt cannot find the raw tables), critical, never a crash
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    execute(settings, "select 1")  # an empty warehouse (a new DuckDB file; PostgreSQL: the fresh database)
    code, report, text = _health(cli)
    assert code == 2, text
    assert "not landed yet" in text and "freshness assignment_logs: not landed" in text, text
    assert {f["status"] for f in report["sources"][0]["freshness"]} == {"not landed"}

    assert _run(cli) == 0  # with dbt build: the marts; later runs land only

    # healthy: loaded just now, every table complete, the automation marts present
    code, report, text = _health(cli)
    assert code == 0, text
    assert report["status"] == "ok" and report["warehouse_status"] == "ok"
    (source,) = report["sources"]
    assert source["name"] == "automation" and source["failed_loads_24h"] == 0
    age = datetime.now(UTC) - datetime.fromisoformat(source["last_success_at"])
    assert age.total_seconds() < 3600
    expected = sandbox.entry(settings, "automation")["rows"]
    for table in TABLES:
        landed = query(settings, f"select count(*) from raw_automation.{table}")[0][0]
        assert source["row_counts"][table] == {"source": expected[table], "warehouse": landed}
        assert landed == expected[table]
    marts = {m["name"]: m for m in report["marts"]}
    assert set(marts) >= {"auto_dispatch_stats", "escalation_stats"}
    assert all(m["status"] == "ok" and m["sources"] == ["automation"] for m in marts.values())
    assert "health: OK" in text

    # the source moved on: more rows there than in the warehouse -> warning
    assert cli("sandbox", "change", "--only", "automation")[0] == 0
    code, report, text = _health(cli)
    assert code == 1 and report["status"] == "warning", text
    assert "rows at the source" in text and "health: WARNING" in text

    # stale: dbt's freshness verdict (automation: warn after 2 h, error after 6 h, dbt_project.yml) on
    # dlt's load time; the newest rows of one table made 3 h, then 7 h old
    stale = "raw_automation.dispatch_alerts"
    for hours, code_expected, verdict in ((3, 1, "warn after 2 hour"), (7, 2, "error after 6 hour")):
        old = f"{datetime.now(UTC).timestamp() - hours * 3600:.6f}"
        execute(settings, f"update {stale} set _dlt_load_id = '{old}'")
        code, report, text = _health(cli)
        assert code == code_expected, text
        assert f"stale: dispatch_alerts last landed {hours}." in text and verdict in text, text
        fresh = {f["table"]: f["status"] for f in report["sources"][0]["freshness"]}
        assert fresh["dispatch_alerts"] == ("warn" if hours == 3 else "error")
        assert fresh["assignment_logs"] == "pass"
    execute(settings, f"update {stale} set _dlt_load_id = '{datetime.now(UTC).timestamp():.6f}'")

    # a failed load: the source database is gone -> recorded, health critical
    entry = sandbox.entry(settings, "automation")
    broken = {**entry, "credentials": f"sqlite:///{settings.sandbox_dir}/missing/app.sqlite", "schema": None}
    sandbox.write_entry(settings, "automation", broken)
    assert _run(cli, "--no-build") == 1
    code, report, text = _health(cli)
    assert code == 2, text
    assert report["sources"][0]["failed_loads_24h"] == 1
    assert report["sources"][0]["last_attempt"] == "failed"
    assert "last load failed: OperationalError" in text
    assert all(m["status"] == "warning" for m in report["marts"])  # fed by a critical source

    # recovered: loads again and matches the source; the failure of the last 24 h stays a warning
    sandbox.write_entry(settings, "automation", entry)
    assert _run(cli, "--no-build") == 0
    code, report, text = _health(cli)
    assert code == 1, text
    assert report["sources"][0]["last_attempt"] == "ok"
    assert "1 failed loads in the last 24 h" in text
    assert all(c["source"] == c["warehouse"] for c in report["sources"][0]["row_counts"].values())

    # the history: three runs, the failed one with its error; and the elt_runs mart over it
    code, history = cli("history", "--limit", "5")
    assert code == 0
    headers = [line for line in history.splitlines() if " run " in line]
    assert len(headers) == 3 and "FAILED (automation)" in headers[1], history
    assert "automation: failed: 0 rows" in history
    assert cli("build", "--select", "+elt_runs", "stg_ops__dlt_loads")[0] == 0
    loads = query(settings, "select count(*) from raw_automation._dlt_loads")[0][0]
    staged = query(
        settings, "select count(*) from staging.stg_ops__dlt_loads where source_name = 'automation'"
    )
    assert staged[0][0] == loads > 0
    recorded = query(
        settings,
        "select run_id, max(case when status = 'failed' then 1 else 0 end) from ops.elt_run_history "
        "group by run_id",
    )
    runs = {r[0]: r for r in query(settings, "select run_id, succeeded, sources_failed from ops.elt_runs")}
    assert set(runs) == {r[0] for r in recorded}
    for run_id, failed in recorded:
        assert runs[run_id][1] is (not failed) and runs[run_id][2] == failed

    # unreachable warehouse -> critical, whatever the sources
    if settings.target == "postgres":
        down = {"PGPORT": str(_closed_port())}
    else:
        down = {"ELT_DUCKDB_PATH": str(settings.duckdb_path.with_name("absent.duckdb"))}
    code, report, text = _health(cli, **down)
    assert code == 2 and report["warehouse_status"] == "critical", text
    assert report["warehouse_error"] and "warehouse unreachable" in text

"""Data tests of the automation staging models read only the rows no build has tested yet
(`__not_yet_built__`, macros/loads/new_rows_only.sql), and a bad row keeps failing until fixed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import RunReport, run
from extract.sandbox.automation import AutomationDB
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import query

NOW = datetime(2026, 10, 1, tzinfo=UTC)
TEST = "accepted_values_stg_automation__assignment_logs_assignment_type"


def _run(settings: Settings) -> RunReport:
    return run(settings, [SOURCES["automation"]], RunOptions())


def _compiled_test(settings: Settings) -> str:
    results = json.loads((settings.dbt_target_path / "run_results.json").read_text())["results"]
    return next(
        r["compiled_code"] for r in results if r["unique_id"].startswith(f"test.logistics_elt.{TEST}")
    )


def _set_type(settings: Settings, row_id: str, value: str) -> None:
    entry = sandbox.entry(settings, "automation")
    with AutomationDB(entry["credentials"], entry["schema"] or "public") as db:
        db.update("assignment_logs", row_id, {"assignment_type": value, "updated_at": datetime.now(UTC)})
        db.conn.commit()


def test_tests_read_new_rows_and_a_bad_row_fails_until_fixed(duckdb_settings: Settings) -> None:
    settings = duckdb_settings
    sandbox.generate(settings, ["automation"], sandbox.SandboxOptions(seed=7, scale=0.2, now=NOW))
    first = _run(settings)
    assert first.ok, first.lines()
    assert "_dlt_load_id >" not in _compiled_test(settings), "a first build tests the whole table"

    [(processed,)] = query(
        settings, "select max(_max_load_id) from intermediate.int_automation__assignments_daily"
    )
    entry = sandbox.entry(settings, "automation")
    with AutomationDB(entry["credentials"], entry["schema"] or "public") as db:
        row_id = db.fetch("assignment_logs")[0]["id"]

    # a row lands with a value the test refuses: the build fails and the daily model is not rebuilt
    _set_type(settings, row_id, "BOGUS")
    for _ in range(2):  # and it keeps failing: its rows stay "not yet built" until they pass
        report = _run(settings)
        assert not report.ok and TEST in " ".join(report.lines())
        assert f"_dlt_load_id > '{processed}'" in _compiled_test(settings)
        assert query(
            settings, "select max(_max_load_id) from intermediate.int_automation__assignments_daily"
        ) == [(processed,)]

    _set_type(settings, row_id, "MANUAL")
    fixed = _run(settings)
    assert fixed.ok, fixed.lines()
    assert f"_dlt_load_id > '{processed}'" in _compiled_test(settings), "the fixed rows are tested"
    [(after,)] = query(
        settings, "select max(_max_load_id) from intermediate.int_automation__assignments_daily"
    )
    assert after > processed, "the rows passed: the daily model moved past their load"

"""A second run with nothing new changes nothing and builds nothing; the summary counts rows inserted or
updated, not rows read; a table rewritten whole with the same content counts no change."""

from __future__ import annotations

import dlt
import pytest

from extract.changes import BuildState, source_loads
from extract.pipeline import land
from extract.settings import Settings
from tests.support import elt, query

NOW = "2026-10-01"


@pytest.mark.e2e
def test_second_run_reads_and_rebuilds_nothing(duckdb_settings: Settings) -> None:
    s = duckdb_settings
    assert (
        elt(s, "sandbox", "generate", "--only", "automation", "--scale", "0.05", "--now", NOW).returncode == 0
    )
    first = elt(s, "run", "--only", "automation")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "dbt build: " in first.stdout and "models built" in first.stdout
    # intermediates in their own schema, with the bookkeeping columns; marts without them
    schemas = dict(
        query(
            s, "select table_name, table_schema from information_schema.tables where table_name like 'int_%'"
        )
    )
    assert schemas and set(schemas.values()) == {"intermediate"}, schemas
    mart_columns = {
        r[0]
        for r in query(
            s, "select column_name from information_schema.columns where table_schema = 'automation'"
        )
    }
    assert mart_columns and not {"_max_load_id", "_computed_at", "_dlt_load_id"} & mart_columns
    changed_first = next(ln for ln in first.stdout.splitlines() if ln.startswith("automation: read"))
    assert "rows inserted or updated" in changed_first and "; 0 rows" not in changed_first

    second = elt(s, "run", "--only", "automation")
    assert second.returncode == 0, second.stdout + second.stderr
    line = next(ln for ln in second.stdout.splitlines() if ln.startswith("automation: read"))
    assert "; 0 rows inserted or updated" in line, second.stdout
    assert "dbt build: skipped" in second.stdout and "models built" not in second.stdout

    # a change at the source: only then is the source's downstream rebuilt
    assert elt(s, "sandbox", "change", "--only", "automation").returncode == 0
    third = elt(s, "run", "--only", "automation")
    assert third.returncode == 0, third.stdout + third.stderr
    line = next(ln for ln in third.stdout.splitlines() if ln.startswith("automation: read"))
    assert "; 0 rows" not in line and "models built" in third.stdout


def test_a_replaced_table_with_the_same_content_is_no_change(duckdb_settings: Settings) -> None:
    s = duckdb_settings
    rows = [{"id": i, "name": f"row {i}"} for i in range(5)]

    def load(data: list[dict]) -> str | None:
        before = BuildState(s)
        newest = source_loads(s, "replaced", None)[0]
        land(s, "replaced", dlt.resource(data, name="items", write_disposition="replace"))
        state = BuildState(s)
        state.fingerprints.update(before.fingerprints)
        changed = source_loads(s, "replaced", newest, state)[1]
        state.save()
        return changed

    assert load(rows) == {"items": 5}  # first load: every row is new
    assert load(rows) == {}  # rewritten whole, same content: no change
    assert load([*rows[:4], {"id": 4, "name": "renamed"}]) == {"items": 5}  # one value changed

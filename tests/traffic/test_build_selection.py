"""Which dbt nodes a run builds after traffic changed: the changed raw tables' downstream once the
source was built with this project; the whole source before, and after changes of unknown tables."""

from __future__ import annotations

from extract.changes import BuildState
from extract.pipeline import RunOptions
from extract.runner import dbt_selection
from extract.settings import Settings
from extract.sources import SOURCES

TRAFFIC = SOURCES["traffic"]


def test_changed_tables_select_their_downstream_once_built(duckdb_settings: Settings) -> None:
    state = BuildState(duckdb_settings)
    state.note_changes("traffic", ["arribos"])
    assert state.changed_tables("traffic", "p1") is None  # never built: the whole source
    state.record("p1", ["traffic"])
    assert state.changed_tables("traffic", "p1") == []  # built, nothing pending
    state.note_changes("traffic", ["arribos"])
    state.note_changes("traffic", ["csv_arribos_semana"])  # a failed build keeps what was pending
    assert state.changed_tables("traffic", "p1") == ["arribos", "csv_arribos_semana"]
    assert state.changed_tables("traffic", "p2") is None  # the project changed: everything

    select = dbt_selection([TRAFFIC], RunOptions(), False, {"traffic": ["arribos", "csv_arribos_semana"]})
    assert select == [
        "source:traffic.arribos+",
        "source:traffic.csv_arribos_semana+",
        "source:traffic._dlt_loads+",
    ]
    # a raw table dbt does not declare (the quarantine): the whole source
    assert dbt_selection([TRAFFIC], RunOptions(), False, {"traffic": ["cursor_quarantine"]}) == [
        "source:traffic+"
    ]
    assert dbt_selection([TRAFFIC], RunOptions(), False, {"traffic": None}) == ["source:traffic+"]
    # a source that does not build by table keeps its whole downstream
    automation = SOURCES["automation"]
    assert dbt_selection([automation], RunOptions(), False, {"automation": ["orders"]}) == [
        "source:automation+"
    ]
    state.record("p1", ["traffic"])
    assert BuildState(duckdb_settings).changed_tables("traffic", "p1") == []

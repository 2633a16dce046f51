"""`elt run --full-refresh` on PostgreSQL, where dbt's staging views depend on the raw tables: the run
drops those views (CASCADE, one transaction) before dlt drops and reloads the raw tables, dbt builds
them again, and the next plain run still works."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.settings import Settings
from extract.sources import SOURCES
from tests.support import query

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

NOW = datetime(2026, 10, 1, tzinfo=UTC)
# a raw table with a view on it, per source (the ones PostgreSQL refused to drop)
RAW = {"automation": "escalation_logs", "traffic": "traficov2_manual_edits"}


def _run(settings: Settings, source: str, **opts: bool) -> None:
    report = run(settings, [SOURCES[source]], RunOptions(**opts))
    assert report.ok, report.lines()


@pytest.mark.parametrize("source", sorted(RAW))
def test_full_refresh_with_views_on_the_raw_tables(source: str, postgres_settings: Settings) -> None:
    settings = postgres_settings
    sandbox.generate(settings, [source], sandbox.SandboxOptions(seed=9, scale=0.1, now=NOW))
    # the sources are reached by a plain postgresql:// URL (SQLAlchemy 2.1 alone would want psycopg 3)
    assert sandbox.entry(settings, source)["credentials"].startswith("postgresql://")
    _run(settings, source)
    table = RAW[source]
    dependents = query(
        settings,
        "select count(*) from pg_depend d join pg_rewrite r on r.oid = d.objid "
        "where d.refobjid = ?::regclass and r.ev_class <> d.refobjid",
        (f"raw_{source}.{table}",),
    )
    assert dependents[0][0] > 0, "a view should depend on the raw table"
    ((before,),) = query(settings, f"select count(*) from raw_{source}.{table}")

    _run(settings, source, full_refresh=True)
    ((after,),) = query(settings, f"select count(*) from raw_{source}.{table}")
    assert after == before
    ((loads,),) = query(settings, f"select count(distinct _dlt_load_id) from raw_{source}.{table}")
    assert loads == 1, "every row was landed again by the full refresh"
    staging = query(settings, "select count(*) from information_schema.views where table_schema = 'staging'")
    assert staging[0][0] > 0, "dbt built the staging views again"
    _run(settings, source)  # and a plain run after it

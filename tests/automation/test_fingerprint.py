"""`escalation_logs` has no `updated_at`: on PostgreSQL it is read only when its fingerprint changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import run
from extract.settings import Settings, sqlalchemy_url
from extract.sources import SOURCES
from tests.support import query

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("settings", ["postgres"], indirect=True)]

TABLE = "escalation_logs"


def _read(settings: Settings, **opts) -> int:
    """Land `escalation_logs` alone; the rows read from the app (0 when not read)."""
    report = run(settings, [SOURCES["automation"]], RunOptions(tables=(TABLE,), **opts), build=False)
    assert report.ok, report.lines()
    return report.landed[0].rows.get(TABLE, 0)


def test_unchanged_table_without_cursor_is_not_read(settings: Settings) -> None:
    sandbox.generate(
        settings,
        ["automation"],
        sandbox.SandboxOptions(seed=7, scale=0.2, now=datetime(2026, 10, 1, tzinfo=UTC)),
    )
    entry = sandbox.entry(settings, "automation")
    table = f'"{entry["schema"] or "public"}".{TABLE}'
    engine = sa.create_engine(sqlalchemy_url(entry["credentials"]))
    try:
        with engine.connect() as conn:
            total = conn.execute(sa.text(f"select count(*) from {table}")).scalar()
        assert _read(settings) == total > 0
        assert _read(settings) == 0, "nothing changed: the table must not be read"

        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    f"update {table} set current_delay_minutes = coalesce(current_delay_minutes, 0) + 1 "
                    f"where id = (select min(id::text)::uuid from {table})"
                )
            )
        assert _read(settings) == total, "one row changed: read whole again"
        assert _read(settings) == 0
        assert _read(settings, full_refresh=True) == total, "a full refresh reads it whole"
    finally:
        engine.dispose()
    [(landed,)] = query(settings, f"select count(*) from raw_automation.{TABLE}")
    assert landed == total
    [(delays,)] = query(settings, f"select sum(current_delay_minutes) from raw_automation.{TABLE}")
    with sa.create_engine(sqlalchemy_url(entry["credentials"])).connect() as conn:
        assert delays == conn.execute(sa.text(f"select sum(current_delay_minutes) from {table}")).scalar()

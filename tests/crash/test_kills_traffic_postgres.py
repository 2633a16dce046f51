"""Kills at each phase (read, extract, normalize, load, dbt) of `elt run --only traffic` on PostgreSQL,
then one re-run equals a clean run
(the chain is in `tests/crash/kills.py`)."""

from __future__ import annotations

import pytest

from extract.settings import Settings
from tests.crash.kills import ALL, kill_each_phase_then_rerun, warehouse

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """This file's warehouse (overrides the both-warehouses fixture)."""
    return warehouse(request, "traffic", "postgres")


def test_kill_at_each_phase_then_one_rerun_equals_a_clean_run(
    settings: Settings, clean_settings: Settings
) -> None:
    kill_each_phase_then_rerun("traffic", ALL, settings, clean_settings)

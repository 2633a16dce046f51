"""One lock helper: a second holder of the same kind is refused at once; different kinds do not block
each other; the DuckDB lock file goes with the holder; PostgreSQL uses a session advisory lock."""

from __future__ import annotations

import pytest

from extract.locks import LockBusy, hold, lock_key
from extract.settings import Settings


def test_file_lock_refuses_a_second_holder_and_leaves_no_file(duckdb_settings: Settings) -> None:
    with hold(duckdb_settings, "source automation"):
        busy = pytest.raises(LockBusy, match="another source automation run holds")
        with busy, hold(duckdb_settings, "source automation"):
            pass
        with hold(duckdb_settings, "source traffic"):
            pass
    assert not list(duckdb_settings.dlt_pipelines_dir.glob("*.lock"))
    with hold(duckdb_settings, "source automation"):  # free again
        pass


@pytest.mark.postgres
def test_advisory_lock_with_a_configured_key(postgres_settings: Settings) -> None:
    with hold(postgres_settings, "fleet daily", 123456789):
        busy = pytest.raises(LockBusy, match="advisory lock 123456789")
        with busy, hold(postgres_settings, "fleet daily", 123456789):
            pass
    with hold(postgres_settings, "fleet daily", 123456789):
        pass
    assert lock_key("run:all") == lock_key("run:all") != lock_key("run:automation")

"""One run of each kind at a time: a PostgreSQL session advisory lock, or a file lock beside DuckDB."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

from extract.config import Settings
from extract.fleet.client import setting

KINDS = {"daily": "daily_lock_id", "backfill": "backfill_lock_id"}


class BusyError(RuntimeError):
    """Another run of the same kind holds the lock."""


def lock_id(kind: str) -> int:
    return int(setting(KINDS[kind]))


@contextmanager
def run_lock(settings: Settings, kind: str) -> Iterator[None]:
    """Hold the ``kind`` lock (``daily`` or ``backfill``) for the block; BusyError at once if taken.

    PostgreSQL: ``pg_try_advisory_lock`` on a dedicated session, released when the session ends, so
    a killed run never leaves the lock behind. DuckDB: ``flock`` on ``<warehouse>.fleet-<kind>.lock``,
    released by the kernel when the process dies.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown lock kind {kind!r}")
    if settings.target == "postgres":
        key = lock_id(kind)
        conn = psycopg2.connect(settings.postgres.dsn())
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("select pg_try_advisory_lock(%s)", (key,))
                if not cur.fetchone()[0]:
                    raise BusyError(
                        f"another fleet {kind} run holds the PostgreSQL advisory lock {key}; try again later"
                    )
            yield
        finally:
            conn.close()  # ends the session, which releases the lock
        return
    path = settings.duckdb_path.with_name(settings.duckdb_path.name + f".fleet-{kind}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(
                f"another fleet {kind} run holds the lock file {path.name}; try again later"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

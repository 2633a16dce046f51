"""One lock helper for every command that must not overlap itself.

PostgreSQL warehouse: a session advisory lock (``pg_try_advisory_lock``) on a dedicated connection,
released when the session ends, so a killed run never leaves it behind. DuckDB warehouse: ``flock`` on
a file in the pipelines folder, released by the kernel when the process dies and removed on release.
A lock that is taken raises ``LockBusy`` at once (exit code 75).

DuckDB allows one writing process per file, and no writer while another process reads it.
``warehouse_writer`` makes a run wait for both, up to ``ELT_DUCKDB_WAIT_SECONDS`` (default 30): runs
of different sources take turns, and an analyst's open session delays the run instead of failing it;
past the wait the run exits 75 with the reason. Readers that must not block runs use a copy of the
file or PostgreSQL (README, "Operating it").
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from extract.settings import Settings
from extract.warehouse import connect

POLL_S = 0.2
log = logging.getLogger(__name__)


class LockBusy(RuntimeError):
    """Another run of the same kind holds the lock."""


def lock_key(kind: str) -> int:
    """A stable signed 64-bit advisory-lock key for a kind of run."""
    return int.from_bytes(hashlib.sha256(f"logistics-elt:{kind}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def hold(settings: Settings, kind: str, key: int | None = None) -> Iterator[None]:
    """Hold the lock of ``kind`` (advisory key ``key``, default a hash of ``kind``) for the block."""
    if settings.target == "postgres":
        advisory = lock_key(kind) if key is None else int(key)
        with connect(settings, read_only=False) as conn, conn.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s)", (advisory,))
            if not cur.fetchone()[0]:
                raise LockBusy(
                    f"another {kind} run holds the PostgreSQL advisory lock {advisory} on "
                    f"{settings.warehouse_label}; try again when it ends"
                )
            yield  # the session lock goes with the connection
        return
    with _file_lock(settings, kind):
        yield


@contextmanager
def _file_lock(settings: Settings, kind: str, wait_s: float = 0.0) -> Iterator[None]:
    """``flock`` on ``<pipelines dir>/<kind>.lock``, waiting up to ``wait_s`` for its holder."""
    folder = settings.dlt_pipelines_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^a-z0-9_.-]+', '_', kind.lower())}.lock"
    deadline = time.monotonic() + wait_s
    while True:
        handle = open(path, "a+")  # noqa: SIM115 (held for the block)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            if time.monotonic() < deadline:
                time.sleep(POLL_S)
                continue
            waited = f" after waiting {wait_s:g}s" if wait_s else ""
            raise LockBusy(f"another {kind} run holds {path}{waited}; try again when it ends") from None
        # the holder before us may have removed the file after we opened it: lock the current one
        try:
            if os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        handle.close()
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _duckdb_holder(settings: Settings) -> str | None:
    """None when this process can open the DuckDB file for writing; else DuckDB's reason (it names the
    process holding the file)."""
    if not settings.duckdb_path.exists():
        return None
    try:
        duckdb.connect(str(settings.duckdb_path)).close()
    except duckdb.IOException as exc:
        return (str(exc).strip().splitlines() or [repr(exc)])[0]
    return None


@contextmanager
def warehouse_writer(settings: Settings, wait_s: float | None = None) -> Iterator[None]:
    """DuckDB: be the one writing process of the file for the block; wait up to ``wait_s`` (default
    ``settings.duckdb_wait_s``) for another run or for a process that holds the file, then ``LockBusy``.
    PostgreSQL: nothing to wait for (the source locks keep runs of one kind apart)."""
    if settings.target != "duckdb":
        yield
        return
    wait = settings.duckdb_wait_s if wait_s is None else wait_s
    deadline = time.monotonic() + wait
    with _file_lock(settings, "duckdb writer", wait):
        said = False
        while (holder := _duckdb_holder(settings)) is not None:
            if not said:
                log.warning(
                    "waiting up to %gs for the DuckDB file, held by another process: %s", wait, holder
                )
                said = True
            if time.monotonic() >= deadline:
                raise LockBusy(
                    f"the DuckDB file {settings.duckdb_path} is held by another process (waited {wait:g}s, "
                    f"ELT_DUCKDB_WAIT_SECONDS): {holder}. Close that session, or read a copy of the file"
                )
            time.sleep(POLL_S)
        yield

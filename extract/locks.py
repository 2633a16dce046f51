"""One lock helper for every command that must not overlap itself.

PostgreSQL warehouse: a session advisory lock (``pg_try_advisory_lock``) on a dedicated connection,
released when the session ends, so a killed run never leaves it behind. DuckDB warehouse: ``flock`` on
a file in the pipelines folder, released by the kernel when the process dies and removed on release.
A lock that is taken raises ``LockBusy`` at once (exit code 75).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from extract.settings import Settings
from extract.warehouse import connect


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
    folder = settings.dlt_pipelines_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^a-z0-9_.-]+', '_', kind.lower())}.lock"
    while True:
        handle = open(path, "a+")  # noqa: SIM115 (held for the block)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise LockBusy(f"another {kind} run holds {path}; try again when it ends") from None
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

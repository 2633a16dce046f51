"""Cheap fingerprints of the traffic sources, so a run reads and lands only what changed at the source.

- A weekly CSV export: size and modification time; when either moved, a SHA-256 of the bytes (a file
  touched but identical is no change).
- An operational table: ``count(*)`` and the sum of a 32-bit hash of every row's text, computed by the
  source database in one scan (PostgreSQL ``hashtext(t::text)``; SQLite a hash function registered on
  the connection). A table without ``id`` is read in physical order, so its row's position (``ctid``,
  ``rowid``) is part of the hash. Measured at 1 M rows on PostgreSQL 15: this sum 1.6 s,
  ``md5(string_agg(md5(t::text), '' order by id))`` 4.9 s; ``pg_stat_user_tables``' counters take 2 ms
  but are flushed asynchronously (a commit may show seconds later), are reset with the statistics and
  move on updates that change nothing, so they are not used as the verdict.

The fingerprints live in dlt's source state (key ``fingerprints``). The source function reads them
(read only, from the active pipeline) and leaves unchanged tables and files out of the run, so their raw
tables are neither read nor truncated; ``state_resource`` writes the new ones during extraction, so they
commit with the load package that carries the data.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.extract.resource import DltResource

STATE_KEY = "fingerprints"


def file_stat(path: Path) -> dict[str, int] | None:
    """Size and modification time (ns) of ``path``; None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes, streamed."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _sqlite_row_hash(*values: Any) -> int:
    """A 31-bit hash of a row's values (SQLite's integer sum cannot overflow on any table size we read)."""
    return zlib.crc32(repr(values).encode()) & 0x7FFFFFFF


def table_fingerprint(engine: sa.Engine, table: str, schema: str | None) -> str:
    """``<rows>:<sum of row hashes>`` of one table, computed by the source database in one scan."""
    prep = engine.dialect.identifier_preparer
    name = (f"{prep.quote(schema)}." if schema else "") + prep.quote(table)
    columns = [c["name"] for c in sa.inspect(engine).get_columns(table, schema=schema)]
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            position = "" if "id" in columns else "t.ctid::text || "
            sql = f"select count(*), coalesce(sum(hashtext({position}t::text)::bigint), 0) from {name} as t"
        elif engine.dialect.name == "sqlite":
            conn.connection.driver_connection.create_function(
                "elt_row_hash", -1, _sqlite_row_hash, deterministic=True
            )
            cells = ", ".join(prep.quote(c) for c in columns)
            position = "" if "id" in columns else "rowid, "
            sql = f"select count(*), coalesce(sum(elt_row_hash({position}{cells})), 0) from {name}"
        else:
            raise ValueError(f"no table fingerprint on {engine.dialect.name}")
        count, total = conn.execute(sa.text(sql)).one()
    return f"{count}:{total}"


class Fingerprints:
    """The fingerprints of the last landed run (read only) and the new ones this run will record."""

    def __init__(self, enabled: bool = True) -> None:
        self.old: dict[str, Any] = {}
        if enabled:
            try:
                self.old = dict(dlt.current.source_state().get(STATE_KEY, {}))
            except Exception:  # no active pipeline (a source made outside a run): everything is new
                self.old = {}
        self.enabled = enabled
        self.new: dict[str, Any] = {}
        self.skipped: list[str] = []

    def table_changed(self, key: str, fingerprint: Callable[[], str]) -> bool:
        """True when table ``key`` must be read (its fingerprint moved, or checks are off)."""
        value = fingerprint()
        if self.enabled and self.old.get(key) == value:
            self.skipped.append(key)
            return False
        self.new[key] = value
        return True

    def file_changed(self, key: str, path: Path) -> bool:
        """True when the file must be read: size or modification time moved and so did its content. A
        file touched but identical is not read; its new modification time is recorded."""
        stat = file_stat(path)
        if stat is None:  # the reader says the file is missing
            return True
        old = self.old.get(key) if self.enabled else None
        if isinstance(old, dict) and {k: old.get(k) for k in stat} == stat:
            self.skipped.append(key)
            return False
        digest = file_hash(path)
        self.new[key] = {**stat, "sha256": digest}
        if isinstance(old, dict) and old.get("sha256") == digest:
            self.skipped.append(key)
            return False
        return True

    def changed_value(self, key: str, value: Any) -> bool:
        """True when a cheap value (a count, a ceiling's verdict) differs from the last run's."""
        if self.enabled and self.old.get(key) == value:
            return False
        self.new[key] = value
        return True


def state_resource(fingerprints: Fingerprints) -> DltResource:
    """A resource that yields no rows and stores the new fingerprints in the source state while it is
    extracted, so they commit with the package that lands the changed tables."""
    new = dict(fingerprints.new)

    def record() -> Iterator[Any]:
        dlt.current.source_state().setdefault(STATE_KEY, {}).update(new)
        yield from ()

    return dlt.resource(record, name="_elt_fingerprints", write_disposition="append")

"""What a run changed, and what dbt still has to build: our own load-id check.

dlt merges with ``upsert`` + ``skip_unchanged_rows``, so a raw row keeps the load id that last changed
it. Rows with a load id newer than the newest before the run are the rows it inserted or updated (a
``replace`` table rewrites all its rows, so its content hash decides). A source with changes is
*pending* until a successful build of its downstream; the build also records the dbt project's hash
per source (``built_loads.json`` in the pipelines folder of the warehouse). The next run builds only
pending sources, and every source when the project changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from extract.settings import PROJECT_ROOT, Settings
from extract.warehouse import WarehouseUnavailable, connect, fetch, quote, raw_relation, raw_tables

STATE_FILE = "built_loads.json"
# when a check ran, not what it found: a rewritten table whose findings are the same is no change
_CHECK_TIME_COLUMNS = {"seen_at"}
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def project_hash() -> str:
    """A hash of every file of the dbt project (models, macros, tests, snapshots, yml)."""
    digest = hashlib.sha256()
    paths = [PROJECT_ROOT / name for name in _PROJECT_FILES]
    paths += sorted(p for p in (PROJECT_ROOT / "dbt_project").rglob("*") if p.is_file())
    for path in paths:
        if path.exists():
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def newest_load(settings: Settings, source: str) -> str | None:
    """The newest ``_dlt_load_id`` in ``raw_<source>`` (None before its first load)."""
    dataset = f"raw_{source}"
    newest: str | None = None
    try:
        with connect(settings) as conn:
            for table in raw_tables(conn, settings, dataset):
                try:
                    relation = raw_relation(settings, dataset, table)
                    top = fetch(conn, f"select max(_dlt_load_id) from {relation}")[0][0]
                except Exception:  # a table without _dlt_load_id
                    continue
                if top is not None and (newest is None or str(top) > newest):
                    newest = str(top)
    except WarehouseUnavailable:
        return None
    return newest


def _fingerprint(conn: Any, settings: Settings, dataset: str, table: str) -> str | None:
    """A hash of a table's content without dlt's columns and the time of a check (``seen_at`` of the
    quarantine and rejects tables); md5 and string_agg exist on both warehouses. None on Spark, where
    a table rewritten whole always counts as changed."""
    if settings.target == "spark":
        return None
    columns = [
        r[0]
        for r in fetch(
            conn,
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            (dataset, table),
        )
        if not r[0].startswith("_dlt") and r[0] not in _CHECK_TIME_COLUMNS
    ]
    if not columns:
        return None
    row = ", ".join(f"coalesce(cast({quote(c)} as varchar), '~')" for c in columns)
    sql = (
        f"select count(*), md5(coalesce(string_agg(h, '' order by h), '')) "
        f"from (select md5(concat_ws('|', {row})) as h from {quote(dataset)}.{quote(table)}) as t"
    )
    count, digest = fetch(conn, sql)[0]
    return f"{count}:{digest}"


def source_loads(
    settings: Settings, source: str, since: str | None, state: BuildState | None = None
) -> tuple[str | None, dict[str, int]]:
    """The newest load id in ``raw_<source>`` and, per raw table, the rows whose load id is newer than
    ``since`` (the newest before this run; None: every row). A table rewritten whole (``replace``)
    whose content equals the last run's (``state``) counts no change."""
    dataset = f"raw_{source}"
    newer = "1 = 1" if since is None else "_dlt_load_id > '" + since.replace("'", "''") + "'"
    newest: str | None = None
    changed: dict[str, int] = {}
    try:
        with connect(settings) as conn:
            for table in raw_tables(conn, settings, dataset):
                sql = (
                    f"select max(_dlt_load_id), sum(case when {newer} then 1 else 0 end), count(*) "
                    f"from {raw_relation(settings, dataset, table)}"
                )
                try:
                    top, count, total = fetch(conn, sql)[0]
                except Exception:  # a table without _dlt_load_id (none of ours): not counted
                    continue
                if top is not None and (newest is None or str(top) > newest):
                    newest = str(top)
                if state is not None and count and count == total:
                    key = f"{dataset}.{table}"
                    fingerprint = _fingerprint(conn, settings, dataset, table)
                    if fingerprint is not None and state.fingerprints.get(key) == fingerprint:
                        continue
                    state.fingerprints[key] = fingerprint
                if count:
                    changed[table] = int(count)
    except WarehouseUnavailable:
        return None, {}
    return newest, changed


class BuildState:
    """What the last successful dbt build saw: the sources built, the ones with changes landed since,
    the project hash, and the content hash of the tables that are rewritten whole on every run."""

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.dlt_pipelines_dir / STATE_FILE
        try:
            self.data: dict[str, Any] = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            self.data = {}
        self.fingerprints: dict[str, str | None] = self.data.setdefault("fingerprints", {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True))

    def note_changes(self, source: str, tables: list[str] | None = None) -> None:
        """``source`` landed changes (in raw ``tables``) that no build has seen yet."""
        pending = set(self.data.get("pending", []))
        self.data["pending"] = sorted(pending | {source})
        by_table = self.data.setdefault("pending_tables", {})
        by_table[source] = sorted(set(by_table.get(source, [])) | set(tables or []))

    def changed_tables(self, source: str, project: str) -> list[str] | None:
        """The raw tables of ``source`` with changes no build has seen, when only they need a build; None
        when the whole source does (never built with this project, or changes of unknown tables)."""
        built = self.data.get("built")
        if not isinstance(built, dict) or built.get(source) != project:
            return None
        if source not in self.data.get("pending", []):
            return []
        tables = self.data.get("pending_tables", {}).get(source)
        return list(tables) if tables else None

    def needs_build(self, source: str, project: str) -> bool:
        """True when no build of this project (hash) saw ``source`` yet, or changes landed since."""
        built = self.data.get("built")
        built = built if isinstance(built, dict) else {}
        return built.get(source) != project or source in self.data.get("pending", [])

    def record(self, project: str, sources: list[str]) -> None:
        """Remember a successful build of ``sources`` with the project at hash ``project``."""
        built = self.data.get("built")
        built = built if isinstance(built, dict) else {}
        built.update(dict.fromkeys(sources, project))
        self.data["built"] = built
        self.data["pending"] = sorted(set(self.data.get("pending", [])) - set(sources))
        by_table = self.data.setdefault("pending_tables", {})
        for source in sources:
            by_table.pop(source, None)
        self.save()

    def docs_current(self, project: str) -> bool:
        return self.data.get("docs") == project

    def record_docs(self, project: str) -> None:
        self.data["docs"] = project
        self.save()

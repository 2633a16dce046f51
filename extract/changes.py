"""What a run changed, and what dbt still has to build: our own load-id check.

dlt merges with ``upsert`` + ``skip_unchanged_rows``, so a raw row keeps the load id that last changed
it. Rows with a load id newer than the newest before the run are the rows it inserted or updated (a
``replace`` table rewrites all its rows). After a successful build we record, per source, the newest
load id the build saw and a hash of the dbt project (``built_loads.json`` in the pipelines folder of
the warehouse); the next run builds only the sources with a newer load, everything when the project
changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from extract.settings import PROJECT_ROOT, Settings
from extract.warehouse import WarehouseUnavailable, connect, fetch

STATE_FILE = "built_loads.json"
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


def _raw_tables(conn: Any, dataset: str) -> list[str]:
    rows = fetch(conn, "select table_name from information_schema.tables where table_schema = ?", (dataset,))
    return sorted(r[0] for r in rows if not r[0].startswith("_dlt"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def source_loads(settings: Settings, source: str, since: str | None) -> tuple[str | None, dict[str, int]]:
    """The newest load id in ``raw_<source>`` and, per raw table, the rows whose load id is newer than
    ``since`` (the newest before this run; None: every row)."""
    dataset = f"raw_{source}"
    newer = "1 = 1" if since is None else "_dlt_load_id > '" + since.replace("'", "''") + "'"
    newest: str | None = None
    changed: dict[str, int] = {}
    try:
        with connect(settings) as conn:
            for table in _raw_tables(conn, dataset):
                sql = (
                    f"select max(_dlt_load_id), sum(case when {newer} then 1 else 0 end) "
                    f"from {_quote(dataset)}.{_quote(table)}"
                )
                try:
                    top, count = fetch(conn, sql)[0]
                except Exception:  # a table without _dlt_load_id (none of ours): not counted
                    continue
                if count:
                    changed[table] = int(count)
                if top is not None and (newest is None or str(top) > newest):
                    newest = str(top)
    except WarehouseUnavailable:
        return None, {}
    return newest, changed


class BuildState:
    """Per source, the newest load id of the last successful dbt build, and the project hash it used."""

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.dlt_pipelines_dir / STATE_FILE
        try:
            self.data: dict[str, Any] = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            self.data = {}

    def project_changed(self, current: str) -> bool:
        return self.data.get("project") != current

    def needs_build(self, source: str, newest: str | None) -> bool:
        """True when ``raw_<source>`` has a load newer than the last build saw (or none was recorded)."""
        built = self.data.get("sources", {}).get(source)
        return built is None or (newest is not None and newest > built)

    def record(self, project: str, newest: dict[str, str | None], *, everything: bool) -> None:
        """Remember a successful build of the sources in ``newest``."""
        sources = self.data.setdefault("sources", {})
        sources.update({name: lid for name, lid in newest.items() if lid is not None})
        if everything:
            self.data["project"] = project
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True))

    def docs_current(self, project: str) -> bool:
        return self.data.get("docs") == project

    def record_docs(self, project: str) -> None:
        self.data["docs"] = project
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True))

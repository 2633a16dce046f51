"""Back-propagation: write the resolved ``Chofer`` (mart ``traffic.traficov2_chofer_writeback``) back to
the operational tables, by ``Contenedor``, only where it differs, in one transaction.

Which Chofer wins is decided in dbt (the mart); this module only moves the values. A repeat changes
nothing: every UPDATE is guarded by ``"Chofer" IS DISTINCT FROM`` the new value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import dlt
import duckdb
import psycopg2
import sqlalchemy as sa

from extract.settings import Settings, sqlalchemy_url
from extract.warehouse import WarehouseUnavailable, query

log = logging.getLogger(__name__)

MART = "traffic.traficov2_chofer_writeback"
TARGET_TABLES = ("arribos", "arribos_expo_ctns")
CONTAINER, DRIVER = "Contenedor", "Chofer"


@dataclass(frozen=True)
class Change:
    """One container of one source table whose Chofer will change."""

    source_table: str
    contenedor: str
    old: tuple[str | None, ...]
    new: str | None
    rows: int

    def describe(self) -> str:
        olds = ", ".join(sorted({repr(o) for o in self.old}))
        return f"{self.source_table} {self.contenedor!r}: Chofer {olds} -> {self.new!r} ({self.rows} rows)"


@dataclass
class BackPropagation:
    """What a back-propagation found and did."""

    changes: list[Change] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)
    rows_updated: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = [c.describe() for c in self.changes]
        out += [f"NOT APPLIED: {reason}" for reason in self.not_applied]
        rows = sum(c.rows for c in self.changes)
        if self.dry_run:
            out.append(
                f"back-propagate (dry run): would update {rows} rows in {len(self.changes)} containers"
            )
        else:
            out.append(f"back-propagate: updated {self.rows_updated} rows in {len(self.changes)} containers")
        return out


def read_writeback(settings: Settings) -> list[tuple[str, str | None, str | None]]:
    """(source_table, contenedor, chofer) rows of the write-back mart in the warehouse."""
    missing = (
        f"{MART} not found in the warehouse {settings.warehouse_label}: run `elt run --only traffic` first"
    )
    try:
        return query(settings, f"select source_table, contenedor, chofer from {MART}")
    except WarehouseUnavailable as exc:
        raise LookupError(f"{missing} ({exc})") from exc
    except (duckdb.CatalogException, psycopg2.errors.UndefinedTable) as exc:
        raise LookupError(missing) from exc


def _wanted(
    rows: Iterable[tuple[str, str | None, str | None]],
) -> tuple[dict[str, dict[str, str | None]], list[str]]:
    """The new Chofer per (table, container); conflicting or unusable rows are reported, not applied."""
    wanted: dict[str, dict[str, str | None]] = {t: {} for t in TARGET_TABLES}
    problems: list[str] = []
    for table, container, driver in rows:
        if table not in TARGET_TABLES:
            problems.append(f"{MART} row for unknown source_table {table!r} (container {container!r})")
            continue
        if container is None or not container.strip() or container.strip() == "-":
            problems.append(f"{table}: write-back row without a container (Chofer {driver!r})")
            continue
        if container in wanted[table] and wanted[table][container] != driver:
            raise ValueError(
                f"{MART} has two Chofer values for {table} {container!r}: "
                f"{wanted[table][container]!r} and {driver!r}; the mart must hold one row per container"
            )
        wanted[table][container] = driver
    return wanted, problems


def plan(
    engine: sa.Engine, schema: str | None, rows: Iterable[tuple[str, str | None, str | None]]
) -> BackPropagation:
    """The changes the write-back rows imply against what the source tables hold now."""
    wanted, problems = _wanted(rows)
    result = BackPropagation(not_applied=problems)
    for table_name, targets in wanted.items():
        if not targets:
            continue
        table = sa.Table(table_name, sa.MetaData(), schema=schema, autoload_with=engine)
        if DRIVER not in table.c or CONTAINER not in table.c:
            result.not_applied.append(
                f"{table_name}: {len(targets)} write-back rows, but the source table has no "
                f'"{CONTAINER}"/"{DRIVER}" column'
            )
            continue
        current: dict[str, list[str | None]] = {}
        with engine.connect() as conn:
            keys = list(targets)
            for i in range(0, len(keys), 1000):
                query = sa.select(table.c[CONTAINER], table.c[DRIVER]).where(
                    table.c[CONTAINER].in_(keys[i : i + 1000])
                )
                for container, driver in conn.execute(query):
                    current.setdefault(container, []).append(driver)
        for container, new in sorted(targets.items()):
            differing = [d for d in current.get(container, []) if d != new]
            if differing:
                result.changes.append(Change(table_name, container, tuple(differing), new, len(differing)))
    return result


def apply(engine: sa.Engine, schema: str | None, result: BackPropagation) -> int:
    """Run the planned updates in one transaction; returns the rows updated."""
    tables: dict[str, sa.Table] = {}
    updated = 0
    with engine.begin() as conn:
        for change in result.changes:
            if change.source_table not in tables:
                tables[change.source_table] = sa.Table(
                    change.source_table, sa.MetaData(), schema=schema, autoload_with=conn
                )
            table = tables[change.source_table]
            stmt = (
                sa.update(table)
                .where(table.c[CONTAINER] == change.contenedor)
                .where(table.c[DRIVER].is_distinct_from(change.new))
                .values({table.c[DRIVER]: change.new})
            )
            updated += conn.execute(stmt).rowcount
    return updated


def source_location() -> tuple[str, str | None]:
    """SQLAlchemy URL and schema of the operational tables, from dlt's settings of the traffic source."""
    try:
        credentials: Any = dlt.secrets["sources.traffic.credentials"]
    except KeyError as exc:
        raise LookupError(
            "no sources.traffic.credentials (env SOURCES__TRAFFIC__CREDENTIALS or .dlt/secrets.toml)"
        ) from exc
    schema = dlt.config.get("sources.traffic.schema") or None
    return sqlalchemy_url(credentials), schema


def back_propagate(settings: Settings, *, dry_run: bool = False) -> BackPropagation:
    """Read the write-back mart and update the source tables (or, with ``dry_run``, only plan)."""
    rows = read_writeback(settings)
    url, schema = source_location()
    engine = sa.create_engine(url)
    try:
        result = plan(engine, schema, rows)
        result.dry_run = dry_run
        if not dry_run and result.changes:
            result.rows_updated = apply(engine, schema, result)
        return result
    finally:
        engine.dispose()

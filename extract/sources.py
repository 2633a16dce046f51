"""The source systems the project knows: each lands with ``land_source(settings, opts)``.

Registered by direct reference; add a source by adding its package and one line to ``SOURCES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from extract import automation, fleet, inventory, traffic
from extract.pipeline import LandResult, RunOptions
from extract.settings import Settings


def _own_lock(name: str) -> Callable[[], tuple[str, int | None]]:
    return lambda: (f"source {name}", None)


@dataclass(frozen=True)
class SourceSpec:
    """A source: how it lands, which raw tables it has, which lock a run of it holds."""

    name: str
    land: Callable[[Settings, RunOptions], LandResult]
    tables: tuple[str, ...]
    lock: Callable[[], tuple[str, int | None]] = field(default=lambda: ("source", None))
    row_counts: Callable[[Settings], dict[str, int]] | None = None
    # a run that changed some of its raw tables builds only their downstream (dbt sources = raw names)
    build_by_table: bool = False

    @property
    def dbt_select(self) -> str:
        return f"source:{self.name}+"


SOURCES: dict[str, SourceSpec] = {
    "automation": SourceSpec(
        "automation",
        automation.land_source,
        automation.TABLES,
        _own_lock("automation"),
        automation.source_row_counts,
    ),
    "traffic": SourceSpec(
        "traffic", traffic.land_source, traffic.RESOURCES, _own_lock("traffic"), build_by_table=True
    ),
    "inventory": SourceSpec(
        "inventory",
        inventory.land_source,
        ("warehouses", "products", "product_stock", "lots", "product_requests", "lot_requests"),
        _own_lock("inventory"),
    ),
    "fleet": SourceSpec("fleet", fleet.land_source, ("positions", "terminals"), fleet.daily_lock),
}


def select(only: list[str] | None) -> list[SourceSpec]:
    """The sources named by ``--only`` (all when none); unknown names are an error that lists the known."""
    if not only:
        return list(SOURCES.values())
    unknown = [name for name in only if name not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    return [SOURCES[name] for name in only]

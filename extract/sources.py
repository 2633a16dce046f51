"""The source systems the project knows, and the options every source run takes.

A source module exposes ``land_source(settings, opts) -> LandResult``; its sandbox module exposes
``generate_into(settings, opts)`` and ``change_into(entry, batch)``. Add one line to ``SOURCES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunOptions:
    """What the user asked of a run; every source honours the same flags."""

    sandbox: bool = False
    full_refresh: bool = False
    dry_run: bool = False
    verbose: bool = False
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceSpec:
    """Where a source's code lives and which dbt nodes it feeds."""

    name: str
    module: str
    sandbox_module: str
    dbt_select: str
    demo_scale: float = 1.0  # sandbox size in `elt demo`, relative to --scale

    def land_fn(self) -> Callable[..., Any]:
        return importlib.import_module(self.module).land_source

    def sandbox(self) -> Any:
        return importlib.import_module(self.sandbox_module)


SOURCES: dict[str, SourceSpec] = {
    "automation": SourceSpec(
        name="automation",
        module="extract.automation",
        sandbox_module="extract.sandbox.automation",
        dbt_select="source:automation+",
    ),
    "traffic": SourceSpec(
        name="traffic",
        module="extract.traffic",
        sandbox_module="extract.sandbox.traffic",
        dbt_select="source:traffic+",
    ),
    "inventory": SourceSpec(
        name="inventory",
        module="extract.inventory",
        sandbox_module="extract.sandbox.inventory",
        dbt_select="source:inventory+",
        # the Relbase sandbox keeps the real 7 requests/s limit: 60 products keep the demo short
        demo_scale=0.2,
    ),
    "fleet": SourceSpec(
        name="fleet",
        module="extract.fleet",
        sandbox_module="extract.sandbox.fleet",
        dbt_select="source:fleet+",
    ),
}


def select(only: list[str] | None) -> list[SourceSpec]:
    """The sources named by ``--only`` (all when none); unknown names are an error that lists the known."""
    if not only:
        return list(SOURCES.values())
    unknown = [name for name in only if name not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    return [SOURCES[name] for name in only]

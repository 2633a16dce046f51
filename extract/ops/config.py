"""`elt config`: every setting of every source and of the warehouse, where its value came from.

In the spirit of ``meltano config list``: per setting its dlt key, its legacy environment name, its value
(secrets masked) and its origin (the sandbox's sources.toml, the environment, secrets.toml, config.toml,
or the default), resolved by dlt's own providers in their order.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from extract.redact import MASK, redact
from extract.settings import LEGACY_ENV, PROJECT_ROOT, Settings, activate, env_name

# settings that are read but have neither a legacy name nor a line in .dlt/config.toml
_EXTRA_KEYS = (
    "sources.automation.credentials",
    "sources.traffic.credentials",
    "sources.traffic.csv_folder",
    "sources.inventory.lake_max_age_minutes",
)
_SECRET_KEY = re.compile(r"(credentials|token|key|password|odbc)$")
# the warehouse: environment name -> (meaning, default shown when unset)
WAREHOUSE = {
    "ELT_TARGET": ("warehouse of dlt and dbt: duckdb or postgres", "duckdb"),
    "ELT_DUCKDB_PATH": ("DuckDB file", "warehouse/logistics.duckdb"),
    "PGHOST": ("PostgreSQL host", "127.0.0.1"),
    "PGPORT": ("PostgreSQL port", "5432"),
    "PGUSER": ("PostgreSQL user", "postgres"),
    "PGPASSWORD": ("PostgreSQL password", ""),
    "PGDATABASE": ("PostgreSQL database", "postgres"),
    "ELT_PIPELINES_DIR": ("dlt state folder", "per warehouse (warehouse/logistics.pipelines)"),
    "ELT_SANDBOX_DIR": ("sandbox folder (its sources.toml wins while it exists)", "warehouse/sandbox"),
    "DBT_TARGET_PATH": ("dbt target folder", "target"),
}


@dataclass
class Setting:
    key: str
    legacy: str
    value: str
    origin: str

    def line(self) -> str:
        legacy = self.legacy or "-"
        return f"{self.key:<42} {legacy:<24} {self.value:<40} {self.origin}"


def source_keys(only: list[str] | None = None) -> list[str]:
    """Every dlt key of the sources: legacy names, `.dlt/config.toml` and the few others."""
    keys = {item.key for item in LEGACY_ENV} | set(_EXTRA_KEYS)
    config = PROJECT_ROOT / ".dlt" / "config.toml"
    if config.exists():
        for source, values in tomllib.loads(config.read_text()).get("sources", {}).items():
            keys |= {f"sources.{source}.{name}" for name in values}
    if only:
        keys = {k for k in keys if k.split(".")[1] in only}
    return sorted(keys)


def _secret(key: str) -> bool:
    legacy = {item.key: item.secret for item in LEGACY_ENV}
    return legacy.get(key, False) or bool(_SECRET_KEY.search(key))


def _show(key: str, value: Any) -> str:
    if value is None:
        return "(not set)"
    text = str(value)
    if _secret(key):
        return redact(text) if "://" in text else MASK
    return redact(text)


def resolve(key: str) -> tuple[Any, str]:
    """The value of dlt key ``key`` and the name of the provider that gave it (dlt's order)."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    *sections, name = key.split(".")
    for provider in Container()[PluggableRunContext].providers.providers:
        try:
            value, _ = provider.get_value(name, Any, None, *sections)
        except Exception:  # a provider that cannot answer this key
            continue
        if value is not None and value != "":
            return value, provider.name
    return None, "default"


def source_settings(settings: Settings, only: list[str] | None = None) -> list[Setting]:
    activate(settings)
    legacy = {item.key: item.env for item in LEGACY_ENV}
    out = []
    for key in source_keys(only):
        value, origin = resolve(key)
        out.append(Setting(key, legacy.get(key, ""), _show(key, value), origin))
    return out


def warehouse_settings() -> list[Setting]:
    out = []
    for name, (_meaning, default) in WAREHOUSE.items():
        value = os.environ.get(name)
        shown = (MASK if value else "(not set)") if name == "PGPASSWORD" else (value or default)
        out.append(Setting(f"warehouse ({name})", name, shown, "environment" if value else "default"))
    return out


def lines(settings: Settings, only: list[str] | None = None) -> list[str]:
    """The table `elt config` prints."""
    header = Setting("dlt key", "legacy environment", "value", "origin").line()
    rows = [s.line() for s in (warehouse_settings() if not only else [])]
    rows += [s.line() for s in source_settings(settings, only)]
    note = f"dlt environment name of a key: {env_name('sources.fleet.user')} for sources.fleet.user"
    return [header, *rows, note]

"""`elt check [--only S]`: can each configured source and the warehouse be reached? Lands nothing.

Airbyte's "check connection": per source one cheap read with the configured settings (a `select 1`
on a database, the smallest API call), per failure the one-line cause (``extract.errors.explain``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dlt

from extract.errors import explain, is_usage
from extract.settings import ConfigError, Settings, activate, env_name, sqlalchemy_url
from extract.warehouse import connect, fetch

OK, NOT_CONFIGURED, FAILED = "ok", "not configured", "FAILED"


@dataclass
class Check:
    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.name}: {self.status}: {self.detail}"


def _database(key: str) -> str:
    """``select 1`` on the database of secret ``key`` (a SQLAlchemy URL)."""
    import sqlalchemy as sa

    credentials = dlt.secrets.get(key)
    if not credentials:
        raise ConfigError(f"missing setting {key} (set {env_name(key)} or add it to .dlt/secrets.toml)")
    url = sqlalchemy_url(credentials)
    timeout = {"connect_timeout": 10} if url.startswith("postgresql") else {}
    engine = sa.create_engine(url, connect_args=timeout)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("select 1")
        return f"database {engine.url.render_as_string(hide_password=True)} answers"
    finally:
        engine.dispose()


def _automation(settings: Settings) -> str:
    return _database("sources.automation.credentials")


def _traffic(settings: Settings) -> str:
    detail = _database("sources.traffic.credentials")
    folder = dlt.config.get("sources.traffic.csv_folder")
    if folder:
        from extract.traffic.settings import CSV_EXPORTS

        missing = [name for name in CSV_EXPORTS.values() if not (Path(folder) / name).is_file()]
        if missing:
            raise FileNotFoundError(f"weekly exports missing in {folder}: {', '.join(missing)}")
        detail += f"; weekly exports present in {folder}"
    else:
        detail += "; csv_folder not set (weekly exports skipped)"
    return detail


def _fleet(settings: Settings) -> str:
    from extract.fleet.client import EtracClient, etrac_config

    config = etrac_config()
    with EtracClient(config) as client:
        positions = client.latest()
    return f"e-Track answers: {len(positions)} latest positions"


def _inventory(settings: Settings) -> str:
    from extract.inventory import InventoryConfig

    client = InventoryConfig.resolve().make_client()
    result = client.get("/bodegas")
    if result.outcome != "ok":
        raise RuntimeError(f"Relbase /bodegas answered HTTP {result.status} ({result.outcome})")
    found = ((result.body or {}).get("data") or {}).get("warehouses") or []
    return f"Relbase answers: {len(found)} warehouses"


CHECKS: dict[str, Callable[[Settings], str]] = {
    "automation": _automation,
    "traffic": _traffic,
    "fleet": _fleet,
    "inventory": _inventory,
}


def _warehouse(settings: Settings) -> str:
    if settings.target == "duckdb" and not settings.duckdb_path.exists():
        return f"no DuckDB file yet at {settings.duckdb_path} (the first run creates it)"
    with connect(settings) as conn:
        fetch(conn, "select 1")
    return f"{settings.warehouse_label} answers"


def run_checks(settings: Settings, only: list[str] | None = None) -> list[Check]:
    """The warehouse, then each selected source: ok, not configured, or FAILED with the cause."""
    activate(settings)
    out = []
    for name, probe in [("warehouse", _warehouse), *((n, CHECKS[n]) for n in (only or CHECKS))]:
        try:
            out.append(Check(name, OK, probe(settings)))
        except Exception as exc:
            status = NOT_CONFIGURED if is_usage(exc) and "missing" in explain(exc).lower() else FAILED
            out.append(Check(name, status, explain(exc)))
    return out

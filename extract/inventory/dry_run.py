"""`--dry-run`: what a load of a lake folder would change in ``inventory.warehouse_stock``.

On DuckDB the warehouse file (and the dlt state) is copied to a scratch folder, the lake folder is
loaded and the inventory models are built *there* by dbt (so every rule stays in dbt), and the
scratch ``warehouse_stock`` is compared with the real one: rows added, removed, changed. The real
warehouse is only read. On PostgreSQL, where a database cannot be copied while in use, the dry run
reports the raw rows that would land.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from extract.dbt import run_dbt
from extract.inventory.lake import LakeRun
from extract.inventory.load import lake_source
from extract.pipeline import LandResult, land, pipeline_name
from extract.settings import Settings
from extract.warehouse import connect, fetch

KEY = ("product_id", "warehouse_id", "lot_number")


@dataclass
class DryRunResult(LandResult):
    """Raw rows that would land, and the changes they would make to current stock."""

    stock_changes: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        text = super().describe()
        if self.stock_changes:
            text += "; warehouse_stock would change: " + ", ".join(
                f"{k}={v}" for k, v in self.stock_changes.items()
            )
        return text


def raw_rows(run: LakeRun) -> dict[str, int]:
    """The raw rows a load of ``run`` would land, counted on the lake's Arrow tables."""
    source = lake_source(str(run.path))
    return {name: sum(t.num_rows for t in resource) for name, resource in source.resources.items()}


def dry_run(settings: Settings, run: LakeRun) -> DryRunResult:
    result = DryRunResult("inventory", raw_rows(run), dry_run=True)
    if settings.target == "duckdb":
        result.stock_changes = _stock_changes_duckdb(settings, run)
    return result


def _stock_changes_duckdb(settings: Settings, run: LakeRun) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="elt-inventory-dry-") as tmp:
        root = Path(tmp)
        scratch = replace(
            settings,
            duckdb_path=root / "scratch.duckdb",
            pipelines_dir=root / "pipelines",
            dbt_target_path=root / "target",
        )
        live = settings.duckdb_path.exists()
        if live:
            shutil.copy2(settings.duckdb_path, scratch.duckdb_path)
        state = settings.dlt_pipelines_dir / pipeline_name("inventory")
        if state.exists():
            shutil.copytree(state, root / "pipelines" / state.name)
        land(scratch, "inventory", lake_source(str(run.path)))
        run_dbt(scratch, ["run", "--select", "source:inventory+"], quiet=True)
        with connect(scratch, read_only=False) as con:
            has_live = 0
            if live:
                fetch(con, f"attach '{settings.duckdb_path}' as live (read_only)")
                has_live = fetch(
                    con,
                    "select count(*) from duckdb_tables() where database_name = 'live' "
                    "and schema_name = 'inventory' and table_name = 'warehouse_stock'",
                )[0][0]
            old = (
                "live.inventory.warehouse_stock"
                if has_live
                else "(select * from inventory.warehouse_stock limit 0)"
            )
            keys = " and ".join(f"n.{k} = o.{k}" for k in KEY)
            added, removed, changed = fetch(
                con,
                f"""
                select
                    (select count(*) from inventory.warehouse_stock n
                     where not exists (select 1 from {old} o where {keys})),
                    (select count(*) from {old} o
                     where not exists (select 1 from inventory.warehouse_stock n where {keys})),
                    (select count(*) from inventory.warehouse_stock n join {old} o on {keys}
                     where n.quantity <> o.quantity
                        or n.expiration_date is distinct from o.expiration_date)
                """,
            )[0]
    return {"added": added, "removed": removed, "changed": changed}

"""Documentation coverage: every model and snapshot, and every column declared in YAML, is described."""

from __future__ import annotations

import json

from extract.config import Settings
from extract.dbt_runner import run_dbt


def test_every_model_and_declared_column_has_a_description(duckdb_settings: Settings) -> None:
    run_dbt(duckdb_settings, ["parse"], quiet=True)
    manifest = json.loads((duckdb_settings.dbt_target_path / "manifest.json").read_text())

    offenders: list[str] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in {"model", "snapshot"}:
            continue
        if not (node.get("description") or "").strip():
            offenders.append(f"{node['resource_type']} {node['name']}: no description")
        for column, spec in node.get("columns", {}).items():
            if not (spec.get("description") or "").strip():
                offenders.append(f"{node['resource_type']} {node['name']}.{column}: no description")

    assert not offenders, f"{len(offenders)} undocumented:\n" + "\n".join(sorted(offenders))

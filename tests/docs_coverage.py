"""Documentation coverage, run by `make lint`: every model and snapshot, and every column declared in
YAML, is described. Exit 1 with the list of what is not.

    python -m tests.docs_coverage
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from extract.dbt import run_dbt
from extract.settings import Settings


def undocumented(manifest: dict) -> list[str]:
    offenders: list[str] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in {"model", "snapshot"}:
            continue
        if not (node.get("description") or "").strip():
            offenders.append(f"{node['resource_type']} {node['name']}: no description")
        for column, spec in node.get("columns", {}).items():
            if not (spec.get("description") or "").strip():
                offenders.append(f"{node['resource_type']} {node['name']}.{column}: no description")
    return sorted(offenders)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="elt-docs-") as tmp:
        settings = Settings(duckdb_path=Path(tmp) / "docs.duckdb", dbt_target_path=Path(tmp) / "target")
        run_dbt(settings, ["parse"], quiet=True)
        manifest = json.loads((settings.dbt_target_path / "manifest.json").read_text())
    offenders = undocumented(manifest)
    if offenders:
        print(f"{len(offenders)} undocumented:\n" + "\n".join(offenders))
        return 1
    print("docs coverage: every model, snapshot and declared column is described")
    return 0


if __name__ == "__main__":
    sys.exit(main())

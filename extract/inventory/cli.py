"""`elt inventory download|load`: the two steps of the Relbase sync, run separately.

elt inventory download             API -> lake folder (prints the summary)
elt inventory load [--run RUN_ID]    newest complete lake folder (or RUN_ID) -> raw_inventory, no API call
"""

from __future__ import annotations

import argparse

from extract.settings import Settings, activate


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env().with_target(args.target)
    activate(settings)
    return settings


def cmd_download(args: argparse.Namespace) -> int:
    from extract.inventory import InventoryConfig, download_step

    settings = _settings(args)
    run = download_step(settings, InventoryConfig.resolve())
    print(run.describe())
    print(f"lake folder: {run.path}")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from extract.dbt import run_dbt
    from extract.inventory import InventoryConfig, load_step
    from extract.inventory.lake import latest_run

    settings = _settings(args)
    run = latest_run(InventoryConfig.resolve().lake_for(settings), args.run)
    result = load_step(settings, run, dry_run=args.dry_run)
    print(f"{result.describe()} from lake folder {run.run_id}")
    if args.build and not args.dry_run:
        dbt = run_dbt(
            settings, ["build", "--select", "source:inventory+"], check=False, quiet=not args.verbose
        )
        print(dbt.describe())
        for line in dbt.failures:
            print(f"  {line}")
        return 0 if dbt.ok else 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `elt inventory ...` to the main parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "inventory",
        help="Relbase inventory: download to the lake, load from it",
        description="The two steps of the Relbase sync, run separately (`elt run` does both).",
        epilog="examples:\n  elt inventory download\n  elt inventory load --dry-run\n"
        "  elt inventory load --run 20261001T000000Z --build",
        formatter_class=fmt,
    )
    steps = p.add_subparsers(dest="step", required=True, metavar="STEP")
    for name, func, help_text, example in (
        ("download", cmd_download, "API -> lake folder", "elt inventory download -v"),
        (
            "load",
            cmd_load,
            "lake folder -> raw_inventory (zero API calls)",
            "elt inventory load --build   # the newest complete lake folder, then dbt",
        ),
    ):
        s = steps.add_parser(
            name, help=help_text, description=help_text, epilog=f"example:\n  {example}", formatter_class=fmt
        )
        s.add_argument("--target", choices=["duckdb", "postgres"], help="warehouse (default: ELT_TARGET)")
        s.add_argument("--verbose", "-v", action="store_true", help="show library logs and failure chains")
        s.set_defaults(func=func)
        if name == "load":
            s.add_argument(
                "--run",
                help="lake folder (run id) to load, e.g. 20261001T000000Z; default the newest complete one",
            )
            s.add_argument("--dry-run", action="store_true", help="report the rows that would land")
            s.add_argument("--build", action="store_true", help="then dbt build the inventory models")

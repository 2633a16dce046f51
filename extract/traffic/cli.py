"""`elt back-propagate [--dry-run]`: the traffic commands of the CLI (``register`` adds them)."""

from __future__ import annotations

import argparse

from extract.settings import Settings, activate
from extract.traffic.backpropagate import back_propagate


def cmd_back_propagate(args: argparse.Namespace) -> int:
    """Write the resolved Chofer back to the operational tables; print what changed (or would)."""
    settings = Settings.from_env().with_target(args.target)
    activate(settings)
    result = back_propagate(settings, dry_run=args.dry_run)
    for line in result.lines():
        print(line)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``back-propagate`` to the ``elt`` sub-commands."""
    p = subparsers.add_parser(
        "back-propagate",
        help="write the resolved Chofer of arribos and expo back to the operational tables",
        description="Write the resolved Chofer of arribos and expo back to the operational tables, "
        "in one transaction, only where it differs.",
        epilog="examples:\n  elt back-propagate --dry-run   # print what would change\n  elt back-propagate",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--target", choices=["duckdb", "postgres"], help="warehouse (default: ELT_TARGET or duckdb)"
    )
    p.add_argument("--verbose", "-v", action="store_true", help="show library logs and failure chains")
    p.add_argument("--dry-run", action="store_true", help="print the changes; write nothing")
    p.set_defaults(func=cmd_back_propagate)

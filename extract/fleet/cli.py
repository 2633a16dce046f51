"""`elt fleet history|backfill`: day histories of plates from the e-Track API, resumable and locked."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from extract.dbt import run_dbt
from extract.exit_codes import EXIT_BUSY, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from extract.fleet.backfill import backfill
from extract.fleet.client import AuthError, EtracClient, etrac_config
from extract.locks import LockBusy
from extract.settings import Settings, activate
from extract.warehouse import WarehouseUnavailable, query


def _day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD or DD/MM/YYYY): {text!r}")


def plates_from_file(path: Path) -> list[str]:
    """Plates one per line; blank lines and ``#`` comments ignored."""
    if not path.exists():
        raise ValueError(f"plates file not found: {path}")
    return [
        ln.split("#", 1)[0].strip() for ln in path.read_text().splitlines() if ln.split("#", 1)[0].strip()
    ]


def _unparsed(settings: Settings, plates: list[str], start: date, end: date) -> int | None:
    """Values in the range that dbt could not parse (``fleet.positions.unparsed_fields``)."""
    marks = ", ".join("'" + p.replace("'", "''") + "'" for p in plates)
    sql = (
        "select coalesce(sum(unparsed_fields), 0) from fleet.positions "
        f"where rota_date between '{start.isoformat()}' and '{end.isoformat()}' and placa in ({marks})"
    )
    try:
        return int(query(settings, sql)[0][0])
    except (WarehouseUnavailable, LookupError, RuntimeError, ValueError):
        return None
    except Exception:  # the mart is not built yet (engine-specific "no such table")
        return None


def cmd_fleet(args: argparse.Namespace) -> int:
    settings = Settings.from_env().with_target(args.target)
    activate(settings)
    if args.action == "history":
        plates, start, end = [args.plate], args.date, args.date
    else:
        start, end = args.date_start, args.date_end
        plates = plates_from_file(args.plates_file) if args.plates_file else args.plates.split(",")
    try:
        with EtracClient(etrac_config()) as client:
            summary = backfill(settings, client, plates, start, end, batch_size=args.batch_size)
    except LockBusy as exc:
        print(f"elt fleet: {exc}", flush=True)
        return EXIT_BUSY
    except AuthError as exc:
        print(f"elt fleet: {exc}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    for line in summary.lines():
        print(line)
    if summary.interrupted:
        return EXIT_INTERRUPTED
    if args.no_build:
        return EXIT_OK if not summary.failed else EXIT_FAILED
    result = run_dbt(settings, ["build", "--select", "source:fleet+"], check=False, quiet=not args.verbose)
    print(result.describe())
    for line in result.failures:
        print(f"  {line}")
    unparsed = _unparsed(settings, plates, start, end)
    if unparsed is not None:
        print(f"unparseable values (null in fleet.positions): {unparsed}")
    return EXIT_OK if result.ok and not summary.failed else EXIT_FAILED


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `elt fleet history` and `elt fleet backfill`."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "fleet",
        help="fleet history and backfills from the e-Track API",
        description="Day histories of plates from the e-Track API: resumable, one call per plate-day.",
        epilog="examples:\n  elt fleet history --plate ABC1D23 --date 2026-09-30\n"
        "  elt fleet backfill --date-start 2026-09-01 --date-end 2026-09-30 --plates-file plates.txt",
        formatter_class=fmt,
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    h = actions.add_parser(
        "history",
        help="one plate's positions on one local day",
        description="Land one plate's positions of one local day (America/Sao_Paulo), then build routes.",
        epilog="example:\n  elt fleet history --plate ABC1D23 --date 30/09/2026",
        formatter_class=fmt,
    )
    h.add_argument("--plate", required=True, help="the vehicle plate (e.g. ABC1D23)")
    h.add_argument("--date", required=True, type=_day, help="local day, YYYY-MM-DD or DD/MM/YYYY")
    b = actions.add_parser(
        "backfill",
        help="plates × days, one call per plate-day, resumable",
        description="Plates × days, one history call per plate-day; a re-run skips finished plate-days.",
        epilog="examples:\n"
        "  elt fleet backfill --date-start 2026-09-01 --date-end 2026-09-30 --plates ABC1D23,XYZ9K88\n"
        "  elt fleet backfill --date-start 2026-09-01 --date-end 2026-09-01 --plates-file plates.txt",
        formatter_class=fmt,
    )
    b.add_argument("--date-start", required=True, type=_day, help="first local day (e.g. 2026-09-01)")
    b.add_argument("--date-end", required=True, type=_day, help="last local day, included (e.g. 2026-09-30)")
    who = b.add_mutually_exclusive_group(required=True)
    who.add_argument("--plates-file", type=Path, help="one plate per line, # comments (e.g. plates.txt)")
    who.add_argument("--plates", help="comma-separated plates (e.g. ABC1D23,XYZ9K88)")
    for q in (h, b):
        q.add_argument(
            "--target", choices=["duckdb", "postgres"], help="warehouse (default: ELT_TARGET or duckdb)"
        )
        q.add_argument("--verbose", "-v", action="store_true", help="show library logs and failure chains")
        q.add_argument("--no-build", action="store_true", help="land only; skip dbt")
        q.add_argument("--batch-size", type=int, default=10, help="plate-days per dlt load (default 10)")
        q.set_defaults(func=cmd_fleet)

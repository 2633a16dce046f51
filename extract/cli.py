"""`elt`: the command line of logistics-elt.

elt demo                       sandbox + extract + dbt build + docs on DuckDB, with a summary
elt run [--only SOURCE] ...    land sources, then dbt build what they feed
elt build [--select ...]       dbt build only
elt sandbox up|down|serve      point the sources at the local sandbox (or back), serve its APIs
elt sandbox generate|change    (re)generate the sandbox, or apply a change batch to it
elt docs [--serve]             dbt docs, served on 127.0.0.1
elt health [--json]            is every source loading and every mart there (exit 0 ok, 1 warn, 2 critical)
elt history [--limit N]        the last runs: rows landed, dbt models and tests, errors
elt back-propagate [--dry-run] write the resolved traffic Chofer back to the source tables

Sources read their settings through dlt: `elt sandbox up` writes them for the local sandbox,
otherwise the environment and .dlt/ (see README, "Settings").
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from contextlib import ExitStack, nullcontext
from datetime import UTC, datetime

from extract import sandbox
from extract.dbt import DbtError, run_dbt
from extract.exit_codes import EXIT_BUSY, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from extract.fleet.cli import register as register_fleet
from extract.inventory.cli import register as register_inventory
from extract.locks import LockBusy, hold, warehouse_writer
from extract.ops import health as ops_health
from extract.ops import history as ops_history
from extract.ops.schedule import Scheduler, parse_interval
from extract.pipeline import RunOptions
from extract.redact import redact
from extract.runner import run
from extract.settings import ConfigError, Settings, activate, sources_pointed_at
from extract.sources import SOURCES, SourceSpec, select
from extract.traffic.cli import register as register_traffic
from extract.warehouse import WarehouseUnavailable

# commands that reach the source systems: the sandbox's APIs are served for them when it is in use
_REACH_SOURCES = {"run", "demo", "health", "fleet", "inventory"}


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env().with_target(getattr(args, "target", None))


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--target", choices=["duckdb", "postgres"], help="warehouse (default: ELT_TARGET or duckdb)"
    )
    p.add_argument("--verbose", "-v", action="store_true", help="show dlt and dbt logs")


def _add_run_flags(p: argparse.ArgumentParser) -> None:
    _add_common(p)
    p.add_argument(
        "--only", action="append", metavar="SOURCE", help=f"one of {', '.join(SOURCES)} (repeatable)"
    )
    p.add_argument(
        "--table", action="append", default=[], metavar="TABLE", help="one raw table and its models"
    )
    p.add_argument(
        "--full-refresh", action="store_true", help="reload sources and rebuild models from scratch"
    )
    p.add_argument("--dry-run", action="store_true", help="extract and report what would land; load nothing")
    p.add_argument("--no-build", action="store_true", help="land only; skip dbt")


def _command_line(argv: list[str] | None) -> str:
    return redact(" ".join(["elt", *(sys.argv[1:] if argv is None else argv)]))


def source_locks(settings: Settings, specs: list[SourceSpec]) -> ExitStack:
    """Hold the lock of every source of a run (a second run of any of them gets ``LockBusy``)."""
    stack = ExitStack()
    try:
        for spec in specs:
            kind, key = spec.lock()
            stack.enter_context(hold(settings, kind, key))
    except BaseException:
        stack.close()
        raise
    return stack


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    specs = select(args.only)
    opts = RunOptions(
        full_refresh=args.full_refresh,
        dry_run=args.dry_run,
        verbose=args.verbose,
        tables=tuple(args.table),
    )
    interval = parse_interval(args.every) if args.every else None
    print(sources_pointed_at(settings), flush=True)

    def one_run() -> bool:
        with warehouse_writer(settings):  # DuckDB: one writing process at a time (waits, else 75)
            started = datetime.now(UTC)
            report = run(settings, specs, opts, build=not args.no_build, all_selected=not args.only)
            for line in report.lines():
                print(line, flush=True)
            if not opts.dry_run:  # a dry run writes nothing to the warehouse, history included
                ops_history.record(settings, report, started=started, command=args.command_line)
            return report.ok

    try:
        with source_locks(settings, specs):
            if interval is None:
                return EXIT_OK if one_run() else EXIT_FAILED
            return Scheduler(interval, one_run, echo=lambda text: print(text, flush=True)).run()
    except LockBusy as exc:
        print(f"elt: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except WarehouseUnavailable as exc:
        print(f"elt: warehouse unreachable: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILED


def cmd_health(args: argparse.Namespace) -> int:
    settings = _settings(args)
    report = ops_health.check(settings, only=args.only)
    if args.json:
        print(report.to_json())
    else:
        print(sources_pointed_at(settings))
        for line in report.lines():
            print(line)
    return report.exit_code


def cmd_history(args: argparse.Namespace) -> int:
    settings = _settings(args)
    runs = ops_history.last_runs(settings, args.limit)
    if not runs:
        print(f"no runs recorded in {settings.warehouse_label}")
    for line in ops_history.format_runs(runs):
        print(line)
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    dbt_args = ["build", *(["--select", *args.select] if args.select else [])]
    if args.full_refresh:
        dbt_args.append("--full-refresh")
    result = run_dbt(settings, dbt_args, check=False, quiet=not args.verbose)
    print(result.describe())
    for line in result.problems():
        print(f"  {line}")
    return EXIT_OK if result.ok else EXIT_FAILED


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _print_made(made: dict[str, dict]) -> None:
    for name, found in made.items():
        rows = found.get("rows", {})
        print(f"sandbox {name}: {sum(rows.values())} rows " + ", ".join(f"{t}={n}" for t, n in rows.items()))


def cmd_sandbox(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.action in ("up", "generate"):
        existing = sandbox.read_manifest(settings)
        wanted = [s.name for s in select(args.only)]
        todo = wanted if args.force else [name for name in wanted if name not in existing]
        kwargs = {"seed": args.seed, "scale": args.scale}
        if args.now:
            kwargs["now"] = _parse_now(args.now)
        if todo:
            _print_made(sandbox.generate(settings, todo, sandbox.SandboxOptions(**kwargs)))
        else:
            print(f"sandbox already at {settings.sandbox_dir} (use --force to regenerate)")
        path = sandbox.write_settings(settings)
        print(f"sources now read the sandbox: {path} (`elt sandbox down` to undo)")
        return EXIT_OK
    if args.action == "down":
        removed = sandbox.remove_settings(settings)
        state = "no longer read" if removed else "was not in use;"
        print(f"the sandbox {state} the sources use the environment and .dlt/ settings")
        return EXIT_OK
    if args.action == "serve":
        with sandbox.serving(settings) as urls:
            if not urls:
                print("nothing to serve: no sandbox API generated, or already served")
                return EXIT_OK
            print("serving " + ", ".join(urls) + " (Ctrl-C to stop)", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return EXIT_OK
    # change
    for name, changed in sandbox.change(settings, args.only).items():
        found = sandbox.entry(settings, name)
        print(
            f"sandbox {name}: change batch {found['batches']}: "
            + ", ".join(f"{k}={v}" for k, v in changed.items())
        )
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    settings = _settings(args)
    run_dbt(settings, ["docs", "generate"], quiet=not args.verbose)
    print(f"docs generated in {settings.dbt_target_path}")
    if args.serve:
        print(f"serving on http://127.0.0.1:{args.port} (Ctrl-C to stop)")
        run_dbt(
            settings,
            ["docs", "serve", "--host", "127.0.0.1", "--port", str(args.port), "--no-browser"],
            check=False,
        )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job on the embedded warehouse: sandbox (once), extract, build and test, document."""
    settings = _settings(args)
    started = time.monotonic()
    manifest = sandbox.read_manifest(settings)
    missing = [name for name in SOURCES if name not in manifest]
    for name in missing:
        opts = sandbox.SandboxOptions(scale=args.scale * sandbox.DEMO_SCALE.get(name, 1.0))
        sandbox.generate(settings, [name], opts)
    sandbox.write_settings(settings)
    if missing:
        print(f"sandbox generated for {', '.join(missing)} in {settings.sandbox_dir}")
    else:
        print(f"sandbox present in {settings.sandbox_dir} (elt sandbox generate --force to regenerate)")
    print(sources_pointed_at(settings))
    run_started = datetime.now(UTC)
    with sandbox.serving(settings):  # generated just now: its APIs were not served yet
        report = run(settings, list(SOURCES.values()), RunOptions(verbose=args.verbose), all_selected=True)
    ops_history.record(settings, report, started=run_started, command=args.command_line)
    docs_ok = True
    if report.ok:
        try:
            run_dbt(settings, ["docs", "generate"], quiet=not args.verbose)
        except DbtError as exc:
            docs_ok = False
            print(exc, file=sys.stderr)
    print()
    print("=== logistics-elt demo summary ===")
    for result in report.landed:
        print(f"raw rows landed, {result.source}:")
        if not result.rows:
            print("  (none: nothing changed in the source since the last run)")
        for table, count in sorted(result.rows.items()):
            print(f"  raw_{result.source}.{table}: {count}")
    for name, error in report.failed.items():
        print(f"source {name} FAILED: {error}")
    if report.dbt is not None:
        dbt = report.dbt
        print(f"dbt models built: {dbt.count('model', 'success')}")
        passed = dbt.count("test", "pass") + dbt.count("unit_test", "pass")
        print(f"dbt tests passed: {passed}, failed: {len(dbt.failures)}")
        for line in dbt.problems():
            print(f"  {line}")
    print(f"warehouse: {settings.warehouse_label}")
    if docs_ok and report.ok:
        print("docs: `make docs` serves them on http://127.0.0.1:8080")
    print(f"done in {time.monotonic() - started:.1f}s")
    return EXIT_OK if report.ok and docs_ok else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="elt", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="land sources, then dbt build their models")
    _add_run_flags(p)
    p.add_argument(
        "--every",
        metavar="INTERVAL",
        help="keep running on a schedule (90s, 2m, 1h); stop with SIGTERM/SIGINT",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("build", help="dbt build (models, snapshots, tests)")
    _add_common(p)
    p.add_argument("--select", nargs="+", help="dbt node selection")
    p.add_argument("--full-refresh", action="store_true")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("sandbox", help="the local sandbox of the source systems")
    _add_common(p)
    p.add_argument(
        "action",
        choices=["up", "down", "serve", "generate", "change"],
        help="up: generate what is missing and point the sources at it; down: point them back at "
        ".dlt/ and the environment; serve: serve its APIs until Ctrl-C; generate: like up; "
        "change: apply the next change batch",
    )
    p.add_argument("--only", action="append", metavar="SOURCE")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0, help="1.0 is a few thousand rows per table")
    p.add_argument("--now", help="end of the generated history, ISO date (default: today 00:00 UTC)")
    p.add_argument("--force", action="store_true", help="regenerate even if the sandbox exists")
    p.set_defaults(func=cmd_sandbox)

    p = sub.add_parser("docs", help="dbt docs generate (and serve on 127.0.0.1)")
    _add_common(p)
    p.add_argument("--serve", action="store_true")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("demo", help="the main job against the bundled sandbox")
    _add_common(p)
    p.add_argument("--scale", type=float, default=1.0)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("health", help="sources and marts: loaded, fresh, complete (exit 0/1/2)")
    _add_common(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--only", action="append", metavar="SOURCE", help="these sources and their marts")
    p.set_defaults(func=cmd_health)

    p = sub.add_parser("history", help="the last runs recorded in the warehouse")
    _add_common(p)
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(func=cmd_history)

    register_traffic(sub)  # elt back-propagate
    register_inventory(sub)  # elt inventory download|load
    register_fleet(sub)  # elt fleet history|backfill
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.command_line = _command_line(argv)
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if verbose:
        os.environ.setdefault("RUNTIME__LOG_LEVEL", "INFO")
    try:
        settings = _settings(args)
        activate(settings)
        served = sandbox.serving(settings) if args.command in _REACH_SOURCES else nullcontext([])
        with served:
            return args.func(args)
    except (ConfigError, ValueError, LookupError) as exc:
        print(f"elt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DbtError as exc:
        print(f"elt: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())

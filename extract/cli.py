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
elt config [--only SOURCE]     every setting: dlt key, legacy name, value (secrets masked), origin
elt check [--only SOURCE]      connect to each configured source and the warehouse; land nothing
elt inventory download|load    the two steps of the Relbase sync
elt fleet history|backfill     plate-day histories from the e-Track API

Exit codes: 0 ok, 1 a source, build or check failed, 2 bad usage or settings, 75 busy (another run
holds the lock), 130 interrupted. `elt COMMAND --help` shows each command's options and examples.

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
from extract.changes import BuildState, project_hash
from extract.dbt import DbtError, run_dbt
from extract.errors import chain, exit_code, explain
from extract.exit_codes import EXIT_BUSY, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from extract.fleet.cli import register as register_fleet
from extract.inventory.cli import register as register_inventory
from extract.locks import LockBusy, hold, warehouse_writer
from extract.ops import health as ops_health
from extract.ops import history as ops_history
from extract.ops.schedule import Scheduler, parse_interval
from extract.pipeline import RunOptions
from extract.redact import redact
from extract.runner import run, tables_of
from extract.settings import Settings, activate, sources_pointed_at
from extract.sources import SOURCES, SourceSpec, select
from extract.traffic.cli import register as register_traffic
from extract.traffic.summary import manual_edits_line

# `elt demo` reuses a Relbase lake folder younger than this (`elt run` follows sources.inventory)
DEMO_LAKE_MAX_AGE_MINUTES = 60
# commands that reach the source systems: the sandbox's APIs are served for them when it is in use
_REACH_SOURCES = {"run", "demo", "health", "fleet", "inventory", "check"}


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env().with_target(getattr(args, "target", None))


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--target", choices=["duckdb", "postgres"], help="warehouse (default: ELT_TARGET or duckdb)"
    )
    p.add_argument(
        "--verbose", "-v", action="store_true", help="show dlt and dbt logs, and the full chain of a failure"
    )


def _add_run_flags(p: argparse.ArgumentParser) -> None:
    _add_common(p)
    p.add_argument(
        "--only",
        action="append",
        metavar="SOURCE",
        help=f"land only this source, repeatable: one of {', '.join(SOURCES)} (e.g. --only fleet)",
    )
    p.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="TABLE",
        help="land only this raw table and build its models, repeatable (e.g. --table arribos)",
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
    specs = tables_of(select(args.only), args.table)
    opts = RunOptions(
        full_refresh=args.full_refresh,
        dry_run=args.dry_run,
        verbose=args.verbose,
        tables=tuple(args.table),
    )
    interval = parse_interval(args.every) if args.every else None
    print(sources_pointed_at(settings), flush=True)

    def one_run() -> int:
        with warehouse_writer(settings):  # DuckDB: one writing process at a time (waits, else 75)
            started = datetime.now(UTC)
            report = run(settings, specs, opts, build=not args.no_build, all_selected=not args.only)
            for line in report.lines(verbose=args.verbose):
                print(line, flush=True)
            if not opts.dry_run:  # a dry run writes nothing to the warehouse, history included
                ops_history.record(settings, report, started=started, command=args.command_line)
            return report.exit_code

    try:
        with source_locks(settings, specs):
            if interval is None:
                return one_run()
            return Scheduler(
                interval, lambda: one_run() == EXIT_OK, echo=lambda text: print(text, flush=True)
            ).run()
    except LockBusy as exc:
        print(f"elt run: busy: {exc}", file=sys.stderr)
        return EXIT_BUSY


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


def cmd_config(args: argparse.Namespace) -> int:
    """Every setting, its dlt key, legacy name, value (secrets masked) and origin."""
    from extract.ops import config as ops_config

    settings = _settings(args)
    print(sources_pointed_at(settings))
    for line in ops_config.lines(settings, select_names(args.only)):
        print(line)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Connect to each configured source and the warehouse; exit 1 when one fails."""
    from extract.ops import check as ops_check

    settings = _settings(args)
    print(sources_pointed_at(settings), flush=True)
    results = ops_check.run_checks(settings, select_names(args.only))
    for result in results:
        print(result.line(), flush=True)
    return EXIT_FAILED if any(r.status == ops_check.FAILED for r in results) else EXIT_OK


def select_names(only: list[str] | None) -> list[str] | None:
    """``--only`` validated against the registry (an unknown name is a usage error)."""
    return [spec.name for spec in select(only)] if only else None


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
    for line in result.details():
        print(f"  {line}")
    if result.nothing_selected:
        return EXIT_USAGE
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
    # a second demo reuses the Relbase lake of the first (an environment value or .dlt/ setting wins)
    os.environ.setdefault("SOURCES__INVENTORY__LAKE_MAX_AGE_MINUTES", str(DEMO_LAKE_MAX_AGE_MINUTES))
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
    docs_note = "docs: unchanged since the last generation (the dbt project did not change)"
    state, project = BuildState(settings), project_hash()
    catalog = settings.dbt_target_path / "catalog.json"
    if report.ok and (not state.docs_current(project) or not catalog.exists()):
        try:
            run_dbt(settings, ["docs", "generate"], quiet=not args.verbose)
            BuildState(settings).record_docs(project)
            docs_note = "docs: regenerated"
        except DbtError as exc:
            docs_ok = False
            print(exc, file=sys.stderr)
    print()
    print("=== logistics-elt demo summary ===")
    for result in report.landed:
        changed = report.changed.get(result.source, {})
        print(
            f"raw rows inserted or updated, {result.source}: {sum(changed.values())} "
            f"(of {result.total_rows} read)"
        )
        for table, count in sorted(changed.items()):
            print(f"  raw_{result.source}.{table}: {count}")
    for name, error in report.failed.items():
        print(f"source {name} FAILED: {error}")
    if report.build_skipped:
        print(f"dbt build: skipped, {report.build_skipped}")
    if report.dbt is not None:
        dbt = report.dbt
        print(f"dbt models built: {dbt.count('model', 'success')}")
        passed = dbt.count("test", "pass") + dbt.count("unit_test", "pass")
        print(f"dbt tests passed: {passed}, failed: {len(dbt.failures)}")
        for line in dbt.details():
            print(f"  {line}")
        if edits := manual_edits_line(settings):
            print(edits)
    print(f"warehouse: {settings.warehouse_label}")
    if docs_ok and report.ok:
        print(f"{docs_note}; `make docs` serves them on http://127.0.0.1:8080")
    print(f"done in {time.monotonic() - started:.1f}s")
    return EXIT_OK if report.ok and docs_ok else EXIT_FAILED


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written; a default is shown when there is one to show."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, False, [], argparse.SUPPRESS) and "default" not in text:
            text += " (default: %(default)s)"
        return text


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _sub(sub: argparse._SubParsersAction, name: str, summary: str, *examples: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=_examples(*examples) if examples else None,
        formatter_class=_HelpFormatter,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    python = sys.version.split()[0]
    return f"elt {of('logistics-elt')} (dlt {of('dlt')}, dbt-core {of('dbt-core')}, Python {python})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="elt",
        description=__doc__,
        epilog=_examples(
            "elt demo                          # the whole job on the bundled sandbox, on DuckDB",
            "elt run --only fleet              # land one source, then build what it feeds",
            "elt run --table arribos --dry-run # what one raw table would land",
            "elt build --select traffic        # dbt build of one folder",
            "elt check                         # can every source and the warehouse be reached?",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    p = _sub(
        sub,
        "run",
        "land sources (each on its own), then dbt build the models they feed",
        "elt run                                  # every source, then dbt build",
        "elt run --only traffic --table arribos   # one raw table and its downstream models",
        "elt run --only fleet --every 2m          # keep running every 2 minutes",
        "elt run --no-build --dry-run             # what would land; nothing written",
    )
    _add_run_flags(p)
    p.add_argument(
        "--every",
        metavar="INTERVAL",
        help="keep running on a schedule (e.g. 90s, 2m, 1h); stop with SIGTERM/SIGINT",
    )
    p.set_defaults(func=cmd_run)

    p = _sub(
        sub,
        "build",
        "dbt build (models, snapshots, tests) without landing anything",
        "elt build",
        "elt build --select traffic                   # a folder of models",
        "elt build --select source:fleet+             # everything fed by one source",
        "elt build --select stg_automation__assignment_logs+ --full-refresh",
    )
    _add_common(p)
    p.add_argument(
        "--select", nargs="+", metavar="SELECTOR", help="dbt node selection (an empty selection is an error)"
    )
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    p.set_defaults(func=cmd_build)

    p = _sub(
        sub,
        "sandbox",
        "the local sandbox of the source systems (generated data and two API servers)",
        "elt sandbox up --scale 0.1 --seed 7   # a small sandbox; the sources now read it",
        "elt sandbox change                    # simulate time passing: new rows, status changes",
        "elt sandbox serve                     # serve its APIs until Ctrl-C",
        "elt sandbox down                      # the sources read the environment and .dlt/ again",
    )
    _add_common(p)
    p.add_argument(
        "action",
        choices=["up", "down", "serve", "generate", "change"],
        help="up: generate what is missing and point the sources at it; down: point them back at "
        ".dlt/ and the environment; serve: serve its APIs until Ctrl-C; generate: like up; "
        "change: apply the next change batch",
    )
    p.add_argument(
        "--only", action="append", metavar="SOURCE", help="only this source, repeatable (e.g. --only fleet)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=42,
        help="random seed of the generators: the same seed, the same data (e.g. --seed 7)",
    )
    p.add_argument(
        "--scale", type=float, default=1.0, help="size: 1.0 is a few thousand rows per table (e.g. 0.1)"
    )
    p.add_argument(
        "--now", help="end of the generated history, ISO date (e.g. 2026-10-01; default: today 00:00 UTC)"
    )
    p.add_argument("--force", action="store_true", help="regenerate even if the sandbox exists")
    p.set_defaults(func=cmd_sandbox)

    p = _sub(
        sub,
        "docs",
        "generate the dbt docs site (and serve it on 127.0.0.1)",
        "elt docs                    # generate into the dbt target folder",
        "elt docs --serve --port 8081",
    )
    _add_common(p)
    p.add_argument("--serve", action="store_true", help="then serve the site on 127.0.0.1 until Ctrl-C")
    p.add_argument("--port", type=int, default=8080, help="port of --serve (e.g. --port 8081)")
    p.set_defaults(func=cmd_docs)

    p = _sub(
        sub,
        "demo",
        "the whole job against the bundled sandbox: generate (once), land, build, test, document",
        "elt demo               # what `make demo` runs",
        "elt demo --scale 0.2   # a smaller sandbox on its first run",
    )
    _add_common(p)
    p.add_argument(
        "--scale", type=float, default=1.0, help="size of a sandbox generated now (e.g. 0.2); ignored after"
    )
    p.set_defaults(func=cmd_demo)

    p = _sub(
        sub,
        "health",
        "sources and marts: configured, landed, fresh, complete (exit 0 ok, 1 warning, 2 critical)",
        "elt health",
        "elt health --only fleet --json",
    )
    _add_common(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--only",
        action="append",
        metavar="SOURCE",
        help="these sources and their marts (e.g. --only traffic)",
    )
    p.set_defaults(func=cmd_health)

    p = _sub(
        sub,
        "history",
        "the last runs recorded in the warehouse: rows landed, models, tests, errors",
        "elt history",
        "elt history --limit 50",
    )
    _add_common(p)
    p.add_argument("--limit", type=int, default=10, help="how many runs to show (e.g. --limit 50)")
    p.set_defaults(func=cmd_history)

    p = _sub(
        sub,
        "config",
        "list every setting: dlt key, legacy environment name, value (secrets masked), origin",
        "elt config",
        "elt config --only fleet",
    )
    _add_common(p)
    p.add_argument("--only", action="append", metavar="SOURCE", help="this source only (e.g. --only fleet)")
    p.set_defaults(func=cmd_config)

    p = _sub(
        sub,
        "check",
        "connect to each configured source and the warehouse and report ok or the reason; lands nothing",
        "elt check",
        "elt check --only inventory --only fleet",
    )
    _add_common(p)
    p.add_argument("--only", action="append", metavar="SOURCE", help="this source only (e.g. --only traffic)")
    p.set_defaults(func=cmd_check)

    register_traffic(sub)  # elt back-propagate
    register_inventory(sub)  # elt inventory download|load
    register_fleet(sub)  # elt fleet history|backfill
    return parser


def _report_failure(command: str, exc: BaseException, verbose: bool) -> int:
    """One line naming the command and the innermost cause; with ``-v`` every layer of the chain."""
    code = exit_code(exc)
    if code == EXIT_INTERRUPTED:
        print(f"elt {command}: interrupted: run again to resume", file=sys.stderr, flush=True)
        return code
    what = {EXIT_BUSY: "busy: ", EXIT_USAGE: ""}.get(code, "FAILED: ")
    print(f"elt {command}: {what}{explain(exc)}", file=sys.stderr, flush=True)
    if verbose:
        for layer in chain(exc):
            print(f"    {layer}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `elt`: the help, as dbt and dlt do
        parser.print_help()
        return EXIT_OK
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
    except DbtError as exc:
        print(f"elt {args.command}: FAILED: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except (Exception, KeyboardInterrupt) as exc:  # foreseeable or not: one line, never a traceback
        return _report_failure(args.command, exc, verbose)


if __name__ == "__main__":
    sys.exit(main())

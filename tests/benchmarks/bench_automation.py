"""Dispatch automation: land N app rows (Arrow vs row dicts) into DuckDB and PostgreSQL, then dbt.

    python -m tests.benchmarks.bench_automation [--rows 1000000] [--skip-postgres]

The source is the PostgreSQL sandbox (real enums, uuid, jsonb, timestamptz). Each phase runs in its
own process so its peak RSS is its own. Figures print as a table, then per warehouse the run after 1%
of the rows changed (and the no-change run) as a ratio of the full refresh (land + dbt build of
``assignment_logs`` and its models and tests), with the peak RSS; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

from extract.settings import PostgresConn, Settings

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _phase(args: argparse.Namespace) -> None:
    """One measured phase, run in a child process; prints a JSON line."""
    from extract.automation import automation_source
    from extract.dbt import run_dbt
    from extract.pipeline import land

    work = Path(args.work)
    pg = PostgresConn.from_env().with_database(args.database)
    settings = Settings(
        target=args.target,
        duckdb_path=work / f"{args.label}.duckdb",
        postgres=pg,
        sandbox_dir=work / "sandbox",
        pipelines_dir=work / f"pipelines-{args.label}",
        dbt_target_path=work / f"target-{args.label}",
    )
    started = time.perf_counter()
    if args.kind == "land":
        source = automation_source(credentials=pg.url(), schema="bench_app", tables=["assignment_logs"])
        if args.backend != "default":
            source = _dict_source(pg, args.backend)
        result = land(settings, "automation", source)
        rows = result.total_rows
    else:
        run_dbt(settings, ["build", "--select", "source:automation.assignment_logs+"], quiet=True)
        rows = 0
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb}))


def _dict_source(pg: PostgresConn, backend: str):
    import dlt
    from dlt.sources.sql_database import sql_table

    from extract.automation import adapt_types, nested_as_text
    from extract.settings import sqlalchemy_url

    resource_ = sql_table(
        credentials=sqlalchemy_url(pg.url()),
        table="assignment_logs",
        schema="bench_app",
        backend=backend,
        type_adapter_callback=adapt_types,
        query_adapter_callback=nested_as_text,
    )
    resource_.apply_hints(
        primary_key="id",
        write_disposition={"disposition": "merge", "strategy": "upsert", "skip_unchanged_rows": True},
        incremental=dlt.sources.incremental("updated_at"),
    )
    return resource_


def _child(work: Path, database: str, label: str, target: str, kind: str, backend: str = "default") -> dict:
    cmd = [sys.executable, "-m", "tests.benchmarks.bench_automation", "--phase", "--work", str(work)]
    cmd += [
        "--database",
        database,
        "--label",
        label,
        "--target",
        target,
        "--kind",
        kind,
        "--backend",
        backend,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"phase {label} {kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _reset_warehouse(pg: PostgresConn) -> None:
    """Each measured pipeline starts from an empty PostgreSQL warehouse, dlt's merge staging dataset
    included (the source schema stays)."""
    with psycopg2.connect(pg.dsn()) as conn, conn.cursor() as cur:
        for schema in ("raw_automation", "raw_automation_staging", "staging", "automation"):
            cur.execute(f"drop schema if exists {schema} cascade")


def _generate(pg: PostgresConn, rows: int) -> float:
    import random

    from extract.sandbox.automation import AutomationDB, GenerateOptions, _assignment, _Gen

    started = time.perf_counter()
    opts = GenerateOptions(seed=1, scale=rows / 6000, days=365, now=NOW)
    with AutomationDB(pg.url(), "bench_app") as db:
        db.create()
        g = _Gen(random.Random(1), opts)
        remaining = rows
        while remaining > 0:
            batch = min(remaining, 100_000)
            db.insert("assignment_logs", (_assignment(g) for _ in range(batch)))
            remaining -= batch
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_automation")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dict-rows", type=int, default=50_000, help="rows for the row-dict comparison")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--work", "--database", "--label", "--target", "--kind", "--backend"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        _phase(args)
        return 0

    admin = PostgresConn.from_env()
    header = ("rows", "backend", "target", "phase", "seconds", "rows/s", "peak MB")
    widths = (9, 11, 9, 22, 8, 10, 8)

    def report(rows: int, backend: str, target: str, phase: str, r: dict) -> None:
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r["rows"] else "-"
        cells = (rows, backend, target, phase, f"{r['seconds']:.1f}", rate, f"{r['peak_mb']:.0f}")
        print(" ".join(f"{c!s:>{w}}" for c, w in zip(cells, widths, strict=True)), flush=True)

    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    # "default" is the project's reader (ConnectorX Arrow stream); "pyarrow" is dlt's SQLAlchemy Arrow
    # backend; "sqlalchemy" yields row dicts
    comparisons = ((args.rows, ["default"]), (args.dict_rows, ["sqlalchemy", "pyarrow", "default"]))
    comparisons = comparisons if args.dict_rows else comparisons[:1]  # --dict-rows 0: no comparison
    verdicts: list[str] = []
    for rows, backends in comparisons:
        database = f"elt_bench_{uuid.uuid4().hex[:8]}"
        conn = psycopg2.connect(admin.dsn())
        conn.autocommit = True
        conn.cursor().execute(f'create database "{database}"')
        pg = admin.with_database(database)
        try:
            gen_s = _generate(pg, rows)
            print(f"(generated {rows} assignment_logs rows in PostgreSQL in {gen_s:.1f}s)", flush=True)
            with tempfile.TemporaryDirectory(prefix="elt-bench-") as tmp:
                work = Path(tmp)
                targets = ["duckdb"] if args.skip_postgres else ["duckdb", "postgres"]
                for backend in backends:
                    for target in targets:
                        label = f"{backend}-{target}"
                        _reset_warehouse(pg)
                        land = _child(work, database, label, target, "land", backend)
                        report(rows, backend, target, "land", land)
                        if backend == "default" and rows == args.rows:
                            build = _child(work, database, label, target, "dbt")
                            report(rows, backend, target, "dbt build (full)", build)
                            land2 = _child(work, database, label, target, "land", backend)
                            report(rows, backend, target, "land (no change)", land2)
                            build2 = _child(work, database, label, target, "dbt")
                            report(rows, backend, target, "dbt build (no change)", build2)
                            changed = _change(pg, 0.01)
                            land3 = _child(work, database, label, target, "land", backend)
                            report(rows, backend, target, f"land ({changed} changed)", land3)
                            build3 = _child(work, database, label, target, "dbt")
                            report(rows, backend, target, "dbt build (1% changed)", build3)
                            full = land["seconds"] + build["seconds"]
                            peak = max(r["peak_mb"] for r in (land, build, land2, build2, land3, build3))
                            verdicts.append(
                                f"{target}: 1% change {land3['seconds'] + build3['seconds']:.1f}s = "
                                f"{(land3['seconds'] + build3['seconds']) / full:.0%} of the full refresh "
                                f"({full:.1f}s; goal <= 25%); no change "
                                f"{(land2['seconds'] + build2['seconds']) / full:.0%}; peak MB "
                                f"{peak:.0f}"
                            )
        finally:
            conn.cursor().execute(f'drop database if exists "{database}" with (force)')
            conn.close()

    for line in verdicts:
        print(line)
    return 0


def _change(pg: PostgresConn, fraction: float) -> int:
    """Change ``fraction`` of the assignment rows (a score and ``updated_at``), as the app would."""
    with psycopg2.connect(pg.dsn()) as conn, conn.cursor() as cur:
        cur.execute(
            "update bench_app.assignment_logs set total_score = coalesce(total_score, 0) + 1, "
            "updated_at = now() where random() < %s",
            (fraction,),
        )
        return cur.rowcount


if __name__ == "__main__":
    sys.exit(main())

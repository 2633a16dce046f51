"""Traffic benchmark: extraction vs COPY and a legacy upsert; whole runs vs dbt's fixed cost, a full refresh.

    python -m tests.benchmarks.bench_traffic [--rows 1000000] [--legacy-sample 20000] [--target both]
        [--landing-only]

The four operational tables (``--rows`` in total) are generated into a fresh PostgreSQL database
(schema ``sandbox_traffic``) and landed into the warehouse (``raw_traffic``): a full run, then a run
after 1% of the rows changed (a third updated, a third deleted, a third inserted). Beside it, the
references: (a) ``COPY ... TO STDOUT`` piped into ``COPY ... FROM STDIN`` of the same tables (the
physical limit of moving these bytes into PostgreSQL), (c) ConnectorX into Arrow, then ``create table
... as`` in a DuckDB file (the same into DuckDB); and (b) a row-by-row upsert loop like the legacy
script's (select the target row by key, then insert or update it, one statement at a time,
autocommit), run on ``--legacy-sample`` rows and extrapolated linearly. The full run's rate prints as
a ratio of the reference of its warehouse ((a) for PostgreSQL, (c) for DuckDB; goal 0.5 at least).

Then whole runs (``elt run --only traffic``: land, then dbt build), back to back: a full refresh, a
run with nothing changed at the source against a trivial ``dbt run`` (one view: dbt's fixed cost), and
a run after 1% of the rows changed against the full refresh; each printed as a ratio. ``--target
both`` (the default) measures DuckDB and PostgreSQL in the same invocation. Each step runs in its own
process so its peak RSS is its own; the load average prints at the start and the end.
``--landing-only`` stops after the landing figures.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import resource
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg2

from extract.changes import BuildState, project_hash
from extract.dbt import DbtResult
from extract.pipeline import RunOptions
from extract.sandbox import SandboxOptions, write_entry
from extract.sandbox import traffic as sb
from extract.settings import PostgresConn, Settings

TABLES = sb.OPERATIONAL
TRIVIAL_MODEL = "stg_traffic__manual_edits"
BASE_TOTAL = sum(sb.BASE_ROWS.values())


def _child(fn: Callable[..., Any], args: tuple, out: Any) -> None:
    started = time.perf_counter()
    value = fn(*args)
    seconds = time.perf_counter() - started
    out.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, value))


def measured(fn: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """(wall seconds, peak RSS MiB, result) of ``fn(*args)`` in a fresh process."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, out))
    proc.start()
    while True:  # a child that dies never answers: do not wait for it forever
        try:
            result = out.get(timeout=5)
            break
        except queue.Empty:
            if not proc.is_alive():
                raise RuntimeError(f"{fn.__name__} failed with exit code {proc.exitcode}") from None
    proc.join()
    return result


# ---------------------------------------------------------------------------- steps (run in children)


def step_generate(settings: Settings, scale: float) -> dict[str, Any]:
    entry = sb.build(settings, SandboxOptions(seed=1, scale=scale))
    write_entry(settings, "traffic", entry)
    return entry["rows"]


def step_dlt(settings: Settings) -> int:
    from extract.settings import activate
    from extract.traffic import land_source

    activate(settings)  # the sandbox's source settings
    result = land_source(settings, RunOptions(tables=TABLES))
    return result.total_rows


def step_change(settings: Settings, fraction: float) -> dict[str, int]:
    from extract.sandbox import entry

    found = entry(settings, "traffic")
    return sb.change_into(found, 1, fraction=fraction)


def step_run(settings: Settings, full_refresh: bool) -> tuple[int, int]:
    """One whole run of traffic (land + dbt build): (rows landed, models and snapshots dbt built)."""
    from extract.runner import run
    from extract.sources import SOURCES

    report = run(settings, [SOURCES["traffic"]], RunOptions(full_refresh=full_refresh))
    if report.failed or (report.dbt is not None and report.dbt.failures and _model_failed(report.dbt)):
        raise RuntimeError("; ".join(report.lines()))
    if report.dbt is not None and not report.dbt.ok:
        # every model built, some data test failed (the sandbox at this scale): the cost is measured,
        # and the build is recorded as done so the next run's figure is not a re-build of this one
        print(
            "WARNING: dbt data tests failed, build recorded for the benchmark: " + "; ".join(report.lines())
        )
        BuildState(settings).record(project_hash(), ["traffic"])
    built = 0 if report.dbt is None else sum(report.dbt.count(k, "success") for k in ("model", "snapshot"))
    return sum(r.total_rows for r in report.landed), built


def _model_failed(result: DbtResult) -> bool:
    return any(result.count(kind, "error") for kind in ("model", "snapshot"))


def step_trivial_dbt(settings: Settings) -> int:
    """dbt's fixed cost: ``dbt run`` of one view (parse, connect, one statement)."""
    from extract.dbt import run_dbt
    from extract.settings import activate

    activate(settings)
    result = run_dbt(settings, ["run", "--select", TRIVIAL_MODEL], check=True, quiet=True)
    return result.count("model")


def step_copy(source: PostgresConn, target: PostgresConn) -> int:
    """COPY TO STDOUT of each source table streamed through a pipe into COPY FROM STDIN."""
    src = psycopg2.connect(source.dsn())
    dst = psycopg2.connect(target.dsn())
    rows = 0
    with dst.cursor() as cur:
        cur.execute("create schema if not exists bench_copy")
    for table in TABLES:
        with dst.cursor() as cur:
            cur.execute(f"drop table if exists bench_copy.{table}")
            cur.execute(
                f"create table bench_copy.{table} "
                f'(like "{sb.SANDBOX_PG_SCHEMA}"."{table}" including defaults)'
            )
        read_fd, write_fd = os.pipe()
        reader, writer = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")

        def produce(table: str = table, writer: Any = writer) -> None:
            try:
                with src.cursor() as cur:
                    cur.copy_expert(f'copy "{sb.SANDBOX_PG_SCHEMA}"."{table}" to stdout', writer)
            finally:
                writer.close()

        thread = threading.Thread(target=produce)
        thread.start()
        with dst.cursor() as cur:
            cur.copy_expert(f"copy bench_copy.{table} from stdin", reader)
            rows += cur.rowcount
        thread.join()
        reader.close()
    dst.commit()
    src.close()
    dst.close()
    return rows


def step_connectorx_ctas(source: PostgresConn, path: Path) -> int:
    """ConnectorX reads each source table into Arrow; DuckDB creates a table from it (CTAS)."""
    import connectorx as cx
    import duckdb

    rows = 0
    with duckdb.connect(str(path)) as con:
        for table in TABLES:
            sql = f'select * from "{sb.SANDBOX_PG_SCHEMA}"."{table}"'
            arrow = cx.read_sql(source.url(), sql, return_type="arrow")
            con.register("arrow_in", arrow)
            con.execute(f'create or replace table "{table}" as select * from arrow_in')
            con.unregister("arrow_in")
            rows += arrow.num_rows
    return rows


def step_legacy(source: PostgresConn, target: PostgresConn, sample: int) -> int:
    """The legacy shape: per source row, SELECT the target row by key, then INSERT or UPDATE it."""
    src = psycopg2.connect(source.dsn())
    dst = psycopg2.connect(target.dsn())
    dst.autocommit = True
    done = 0
    per_table = max(1, sample // len(TABLES))
    with dst.cursor() as cur:
        cur.execute("create schema if not exists bench_legacy")
    for table in TABLES:
        with src.cursor() as cur:
            cur.execute(f'select * from "{sb.SANDBOX_PG_SCHEMA}"."{table}" limit {per_table}')
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        cols = ", ".join(f'"{n}"' for n in names)
        with dst.cursor() as cur:
            cur.execute(f"drop table if exists bench_legacy.{table}")
            typed = ", ".join(f'"{n}" text' for n in names)
            cur.execute(f"create table bench_legacy.{table} (k bigint primary key, {typed})")
            sets = ", ".join(f'"{n}" = %s' for n in names)
            marks = ", ".join(["%s"] * (len(names) + 1))
            for k, row in enumerate(rows, start=1):
                values = [None if v is None else str(v) for v in row]
                cur.execute(f"select {cols} from bench_legacy.{table} where k = %s", (k,))
                found = cur.fetchone()
                if found is None:
                    cur.execute(
                        f"insert into bench_legacy.{table} (k, {cols}) values ({marks})", (k, *values)
                    )
                elif list(found) != values:
                    cur.execute(f"update bench_legacy.{table} set {sets} where k = %s", (*values, k))
                done += 1
    src.close()
    dst.close()
    return done


# ---------------------------------------------------------------------------- main


def _fresh_database(admin: PostgresConn) -> PostgresConn:
    name = f"elt_bench_traffic_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(admin.dsn())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'create database "{name}"')
    conn.close()
    return admin.with_database(name)


def _drop_database(admin: PostgresConn, db: PostgresConn) -> None:
    conn = psycopg2.connect(admin.dsn())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{db.database}" with (force)')
    conn.close()


def _print_landing(target: str, total: int, results: list[tuple[str, float, float, int]]) -> None:
    """The landing figures, each rate as a ratio of the reference of this warehouse."""
    ref_name, ref_secs, _, ref_rows = results[2] if target == "postgres" else results[3]
    ref_rate = ref_rows / ref_secs
    print(f"\ntraffic extraction, {total} rows, warehouse {target} (extraction + landing only); {_load()}")
    print(f"{'step':58} {'wall s':>9} {'peak MiB':>9} {'rows/s':>10} {'x ref':>7}")
    for name, secs, mem, n in results:
        print(f"{name:58} {secs:9.1f} {mem:9.0f} {n / secs:10.0f} {n / secs / ref_rate:7.2f}")
    name, secs, mem, n = results[0]
    print(
        f"verdict landing {target}: {name} {n / secs:.0f} rows/s = {n / secs / ref_rate:.2f} of "
        f"{ref_name} {ref_rate:.0f} rows/s (goal: 0.50 at least); peak {mem:.0f} MiB (goal: 1 GB at most)"
    )


def _load() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _bench_target(
    admin: PostgresConn, target: str, rows_wanted: int, legacy_sample: int, landing_only: bool = False
) -> None:
    """Every figure of one warehouse, in a fresh database and folder."""
    db = _fresh_database(admin)
    try:
        with TemporaryDirectory(prefix="bench-traffic-") as tmp:
            base = Settings(
                target="postgres",
                postgres=db,
                duckdb_path=Path(tmp) / "w.duckdb",
                sandbox_dir=Path(tmp) / "sandbox",
                pipelines_dir=Path(tmp) / "pipelines",
                dbt_target_path=Path(tmp) / "target",
            )
            # the sandbox always lives in PostgreSQL (schema sandbox_traffic), whatever the warehouse
            secs, mem, rows = measured(step_generate, base, rows_wanted / BASE_TOTAL)
            total = sum(rows[t] for t in TABLES)
            print(f"generated {total} rows ({', '.join(f'{t}={rows[t]}' for t in TABLES)}) in {secs:.1f}s")
            settings = replace(base, target=target)

            results: list[tuple[str, float, float, int]] = []
            secs, mem, n = measured(step_dlt, settings)
            results.append(("dlt full run", secs, mem, n))
            secs, mem, changed = measured(step_change, settings, 0.01 / 3)
            print(
                "changed: " + ", ".join(f"{k}={v}" for k, v in changed.items() if not k.startswith("salidas"))
            )
            secs, mem, n = measured(step_dlt, settings)
            results.append(("dlt run after 1% changed", secs, mem, n))
            secs, mem, n = measured(step_copy, db, db)
            results.append(("(a) COPY TO STDOUT | COPY FROM STDIN", secs, mem, n))
            secs, mem, n = measured(step_connectorx_ctas, db, Path(tmp) / "ctas.duckdb")
            results.append(("(c) ConnectorX -> Arrow -> DuckDB CTAS", secs, mem, n))
            secs, mem, n = measured(step_legacy, db, db, legacy_sample)
            scale = total / max(n, 1)
            results.append(
                (f"(b) row-by-row upsert, {n} rows x{scale:.0f} (extrapolated)", secs * scale, mem, total)
            )

            _print_landing(target, total, results)
            if landing_only:
                return
            # whole runs (land + dbt build) into a warehouse of their own, each ratio's two sides back to
            # back (the extraction steps above landed only the operational tables)
            warehouse = _fresh_database(admin)
            settings = replace(
                settings,
                postgres=warehouse,
                duckdb_path=Path(tmp) / "runs.duckdb",
                pipelines_dir=Path(tmp) / "runs-pipelines",
                dbt_target_path=Path(tmp) / "runs-target",
            )
            runs: dict[str, tuple[float, float, int, int]] = {}
            try:
                secs, mem, (landed, built) = measured(step_run, settings, False)
                runs["first run"] = (secs, mem, landed, built)
                secs, mem, (landed, built) = measured(step_run, settings, False)
                runs["no change at the source"] = (secs, mem, landed, built)
                secs, mem, built = measured(step_trivial_dbt, settings)
                runs[f"trivial dbt run ({TRIVIAL_MODEL})"] = (secs, mem, 0, built)
                measured(step_change, settings, 0.01 / 3)
                secs, mem, (landed, built) = measured(step_run, settings, False)
                runs["run after 1% changed"] = (secs, mem, landed, built)
                secs, mem, (landed, built) = measured(step_run, settings, True)
                runs["full refresh"] = (secs, mem, landed, built)
            finally:
                _drop_database(admin, warehouse)
    finally:
        _drop_database(admin, db)

    print(f"\ntraffic whole runs (land + dbt build), {total} rows, warehouse {target}")
    print(f"{'run':58} {'wall s':>9} {'peak MiB':>9} {'landed':>10} {'built':>7}")
    for name, (secs, mem, landed, built) in runs.items():
        print(f"{name:58} {secs:9.1f} {mem:9.0f} {landed:10d} {built:7d}")
    trivial = runs[f"trivial dbt run ({TRIVIAL_MODEL})"][0]
    none = runs["no change at the source"][0]
    change = runs["run after 1% changed"][0]
    full = runs["full refresh"][0]
    print(
        f"verdict {target}: no-change run {none:.1f}s = trivial dbt run {trivial:.1f}s "
        f"{none - trivial:+.1f}s (x{none / trivial:.2f}; goal: +5 s at most); 1% change {change:.1f}s = "
        f"{change / full:.0%} of the full refresh after it, {full:.1f}s (goal: 25% at most)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_traffic", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows across the four tables")
    parser.add_argument("--legacy-sample", type=int, default=20_000, help="rows the row-by-row loop runs")
    parser.add_argument("--target", choices=["postgres", "duckdb", "both"], default="both")
    parser.add_argument("--landing-only", action="store_true", help="no whole runs (land + dbt build)")
    args = parser.parse_args(argv)

    admin = PostgresConn.from_env()
    print(f"bench_traffic --rows {args.rows}: {_load()}")
    for target in ("duckdb", "postgres") if args.target == "both" else (args.target,):
        _bench_target(admin, target, args.rows, args.legacy_sample, args.landing_only)
    print(f"end: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

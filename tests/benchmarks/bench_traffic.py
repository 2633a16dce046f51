"""Traffic extraction benchmark: dlt (sql_table, pyarrow, replace) vs raw COPY vs a legacy row-by-row upsert.

    python -m tests.benchmarks.bench_traffic [--rows 1000000] [--legacy-sample 20000] [--target postgres]

The four operational tables (``--rows`` in total) are generated into a fresh PostgreSQL database
(schema ``sandbox_traffic``) and landed into the warehouse (``raw_traffic``): a full run, then a run
after 1% of the rows changed (a third updated, a third deleted, a third inserted). Beside it:
(a) ``COPY (select ...) TO STDOUT`` piped into ``COPY ... FROM STDIN`` of the same tables (the
physical limit of moving these bytes), and (b) a row-by-row upsert loop like the legacy script's
(select the target row by key, then insert or update it, one statement at a time, autocommit), run
on ``--legacy-sample`` rows and extrapolated linearly. Each step runs in its own process so its peak
RSS is its own. Extraction and landing only: the dbt models are not part of this branch.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
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

from extract.pipeline import RunOptions
from extract.sandbox import SandboxOptions, write_entry
from extract.sandbox import traffic as sb
from extract.settings import PostgresConn, Settings

TABLES = sb.OPERATIONAL
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
    result = out.get()
    proc.join()
    if proc.exitcode:
        raise RuntimeError(f"{fn.__name__} failed with exit code {proc.exitcode}")
    return result


# ---------------------------------------------------------------------------- steps (run in children)


def step_generate(settings: Settings, scale: float) -> dict[str, Any]:
    entry = sb.build(settings, SandboxOptions(seed=1, scale=scale))
    write_entry(settings, "traffic", entry)
    return entry["rows"]


def step_dlt(settings: Settings) -> int:
    from extract.traffic import land_source

    result = land_source(settings, RunOptions(tables=TABLES))
    return result.total_rows


def step_change(settings: Settings, fraction: float) -> dict[str, int]:
    from extract.sandbox import entry

    found = entry(settings, "traffic")
    return sb.change_into(found, 1, fraction=fraction)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_traffic", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows across the four tables")
    parser.add_argument("--legacy-sample", type=int, default=20_000, help="rows the row-by-row loop runs")
    parser.add_argument("--target", choices=["postgres", "duckdb"], default="postgres")
    args = parser.parse_args(argv)

    admin = PostgresConn.from_env()
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
            secs, mem, rows = measured(step_generate, base, args.rows / BASE_TOTAL)
            total = sum(rows[t] for t in TABLES)
            print(f"generated {total} rows ({', '.join(f'{t}={rows[t]}' for t in TABLES)}) in {secs:.1f}s")
            settings = replace(base, target=args.target)

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
            secs, mem, n = measured(step_legacy, db, db, args.legacy_sample)
            scale = total / max(n, 1)
            results.append(
                (f"(b) row-by-row upsert, {n} rows x{scale:.0f} (extrapolated)", secs * scale, mem, total)
            )
    finally:
        _drop_database(admin, db)

    copy_secs = results[2][1]
    print(
        f"\ntraffic extraction benchmark, {total} rows, warehouse {args.target} (extraction + landing only)"
    )
    print(f"{'step':58} {'wall s':>9} {'peak MiB':>9} {'rows/s':>10} {'x COPY':>7}")
    for name, secs, mem, n in results:
        print(f"{name:58} {secs:9.1f} {mem:9.0f} {n / secs:10.0f} {secs / copy_secs:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scale: routes from N raw positions on DuckDB, PostgreSQL, Spark local and a two-worker Spark cluster.

    python -m tests.benchmarks.bench_scale [--positions 1000000,10000000] [--skip-postgres]
        [--skip-cluster] [--days 30]

For each N the same generated positions (bench_fleet's generator: text as dlt lands it, both date
formats, units, ~3% bad points) go to each engine: a DuckDB table, a PostgreSQL table (COPY), parquet
files in the lake folder `raw_fleet/positions/` for Spark. Then one `dbt run --full-refresh` of
`source:fleet.positions+` (staging, route points, positions, route_points, routes). Wall time and the
peak memory of the whole process tree of dbt (for Spark the JVM driver; on the cluster also the
executors; for PostgreSQL the client only, not the server), sampled every 0.2 s. Nothing asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import duckdb
import psycopg2

from extract.settings import PROJECT_ROOT, PostgresConn, Settings
from tests.benchmarks.bench_fleet import (
    POINTS_PER_DAY,
    _load_duckdb,
    _load_postgres,
    positions_sql,
)

SELECT = ["--select", "source:fleet.positions+"]


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 2**20


def _tree_rss_of(pids: list[int]) -> float:
    return sum(_tree_rss_mb(pid) for pid in pids)


def _dbt(settings: Settings, args: list[str], extra_pids: list[int] | None = None) -> tuple[float, float]:
    """Run dbt once in a subprocess; (seconds, peak MB of its process tree plus ``extra_pids``' trees)."""
    cmd = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
    ]
    cmd += ["--target-path", str(settings.dbt_target_path)]
    env = {**os.environ, **settings.dbt_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env["DBT_LOG_PATH"] = str(settings.dbt_target_path.parent / "logs")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = [0.0]
    baseline = _tree_rss_of(extra_pids or [])

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid) + _tree_rss_of(extra_pids or []) - baseline)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read() if proc.stdout else b""
    proc.wait()
    sampler.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{output.decode()[-3000:]}")
    return seconds, peak[0]


def _row(engine: str, rows: int, seconds: float, peak_mb: float) -> None:
    rate = rows / seconds if seconds else 0
    print(f"{engine:<15} {rows:>11,} {seconds:>9.1f} {rate:>12,.0f} {peak_mb:>9.0f}", flush=True)


def _spark_settings(work: Path, master: str) -> Settings:
    # no brackets in folder names: Hadoop reads `local[2]` in a path as a glob
    master_name = "local" if master.startswith("local") else "cluster"
    return Settings(
        target="spark",
        lake_url=str(work / "lake"),
        spark_dir=work / f"spark-{master_name}",
        spark_master=master,
        dbt_target_path=work / f"target-spark-{master_name}",
    )


def _spark_lake(work: Path, sql: str) -> None:
    folder = work / "lake" / "raw_fleet" / "positions"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    con = duckdb.connect()
    try:
        con.execute(f"copy ({sql}) to '{folder}/positions.parquet' (format parquet, row_group_size 500000)")
    finally:
        con.close()


def run_spark(work: Path, master: str, rows: int, label: str, worker_pids: list[int] | None = None) -> None:
    settings = _spark_settings(work, master)
    lake_vars = json.dumps({"lake_tables": ["raw_fleet/positions"]})
    seconds, peak = _dbt(settings, ["run", *SELECT, "--full-refresh", "--vars", lake_vars], worker_pids)
    _row(label, rows, seconds, peak)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--positions", default="1000000,10000000", help="comma-separated sizes N")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-cluster", action="store_true")
    args = parser.parse_args(argv)
    print(f"{'engine':<15} {'positions':>11} {'seconds':>9} {'positions/s':>12} {'peak MB':>9}")
    for n in [int(x) for x in args.positions.split(",")]:
        plates = max(1, math.ceil(n / (args.days * POINTS_PER_DAY)))
        rows = plates * args.days * POINTS_PER_DAY
        sql = positions_sql(plates, 0, args.days, "1800000000.000001")
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            work = Path(tmp)
            duck = Settings(
                target="duckdb", duckdb_path=work / "fleet.duckdb", dbt_target_path=work / "t-duck"
            )
            _load_duckdb(duck.duckdb_path, sql, create=True)
            seconds, peak = _dbt(duck, ["run", *SELECT, "--full-refresh"])
            _row("duckdb", rows, seconds, peak)
            if not args.skip_postgres:
                admin = PostgresConn.from_env()
                name = f"bench_scale_{uuid.uuid4().hex[:8]}"
                conn = psycopg2.connect(admin.dsn())
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(f'create database "{name}"')
                try:
                    pg = Settings(
                        target="postgres", postgres=admin.with_database(name), dbt_target_path=work / "t-pg"
                    )
                    _load_postgres(pg.postgres, work, sql, create=True)
                    seconds, peak = _dbt(pg, ["run", *SELECT, "--full-refresh"])
                    _row("postgres", rows, seconds, peak)
                finally:
                    with conn.cursor() as cur:
                        cur.execute(f'drop database if exists "{name}" with (force)')
                    conn.close()
            _spark_lake(work, sql)
            run_spark(work, "local[2]", rows, "spark local[2]")
            if not args.skip_cluster:
                from tests.spark.support import standalone_cluster

                with standalone_cluster(work / "cluster", workers=2) as cluster:
                    run_spark(
                        work, cluster.master_url, rows, "spark 2 workers", [p.pid for p in cluster.processes]
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

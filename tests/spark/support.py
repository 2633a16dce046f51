"""Reading the same mart from DuckDB and Spark as comparable rows (engine types normalised)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from extract.sandbox import free_port
from extract.settings import Settings
from extract.warehouse import spark_session
from tests.support import close

JAVA = shutil.which("java")
NO_JAVA = "no `java` on PATH: local Spark needs a Java runtime (`apt-get install default-jre-headless`)"

MARTS = {
    "automation": [
        "auto_dispatch_stats",
        "route_optimization_stats",
        "batch_performance_stats",
        "escalation_stats",
        "automation_rejects",
    ],
    "fleet": ["positions", "terminals", "routes", "route_points", "positions_rejects"],
    "traffic": [
        "traficov2_arribos",
        "traficov2_pendiente_desconsolidar",
        "traficov2_remisiones",
        "traficov2_arribos_ctns_expo",
        "traficov2_rejects",
        "traficov2_sync_log",
        "traficov2_manual_edit_status",
        "traficov2_chofer_writeback",
        "traficov2_export_reconciliation",
    ],
    "inventory": [
        "warehouses",
        "products",
        "warehouse_stock",
        "warehouse_stock_by_lot",
        "warehouse_stock_summary",
    ],
    # DuckDB: dbt snapshots; Spark: the views of models/history/ with the same names and columns
    "snapshots": [
        "snap_traffic__arribos",
        "snap_traffic__pendiente_desconsolidar",
        "snap_traffic__remisiones",
        "snap_traffic__arribos_expo_ctns",
        "warehouse_stock_history",
    ],
}

# columns that name a run's instant inside an id (`dbt_scd_id` hashes the version's instant; the sync
# log's event ids are built from it): different for every run of every warehouse, left out
RUN_IDS = {"dbt_scd_id", "event_id"}


def _plain(value: Any) -> Any:
    """One Python value per meaning: instants as naive UTC, decimals as floats."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def duckdb_table(settings: Settings, relation: str) -> tuple[list[str], list[tuple]]:
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    try:
        cur = con.execute(f"select * from {relation}")
        columns = [d[0] for d in cur.description]
        return columns, [tuple(_plain(v) for v in row) for row in cur.fetchall()]
    finally:
        con.close()


def spark_table(settings: Settings, relation: str) -> tuple[list[str], list[tuple]]:
    """Rows through the Spark session (timestamps come back naive in the session zone, UTC)."""
    frame = spark_session(settings).sql(f"select * from {relation}")
    return list(frame.columns), [tuple(_plain(v) for v in row) for row in frame.collect()]


def runs(rows: list[tuple], starts: list[datetime]) -> list[tuple]:
    """Each instant at or after ``starts[0]`` (naive UTC) as the run it belongs to ("run 1", "run 2",
    ...): what a run writes (snapshot versions, `fecha_modificacion`, the sync log) compares between
    two warehouses built one after the other; the sandbox's own instants are months earlier."""

    def run_of(value: Any) -> Any:
        if not isinstance(value, datetime) or value < starts[0]:
            return value
        return f"run {sum(value >= start for start in starts)}"

    return [tuple(run_of(v) for v in row) for row in rows]


def _sort_key(row: tuple, keep: list[int]) -> tuple:
    return tuple(
        "" if row[i] is None else repr(row[i]) if isinstance(row[i], float) else str(row[i]) for i in keep
    )


def differences(columns: list[str], expected: list[tuple], actual: list[tuple], limit: int = 5) -> list[str]:
    """Row differences between two results with the same columns, ignoring row order, with a
    tolerance for floating point only. Columns starting with `_` (load ids, computation times of
    each engine's own run) and the ids hashed from a run's instant (`RUN_IDS`) are left out."""
    keep = [i for i, c in enumerate(columns) if not c.startswith("_") and c not in RUN_IDS]
    exact = [i for i in keep if not any(isinstance(r[i], float) for r in expected + actual)]
    left = sorted(expected, key=lambda r: _sort_key(r, exact))
    right = sorted(actual, key=lambda r: _sort_key(r, exact))
    if len(left) != len(right):
        return [f"{len(right)} rows, expected {len(left)}"]
    found = []
    for a, b in zip(left, right, strict=True):
        for i in keep:
            x, y = a[i], b[i]
            same = close(x, y) if isinstance(x, float) or isinstance(y, float) else x == y
            if not same:
                found.append(
                    f"{columns[i]}: {y!r}, expected {x!r} (row {dict(zip(columns, a, strict=True))})"
                )
                break
        if len(found) >= limit:
            break
    return found


@dataclass
class Cluster:
    """A Spark standalone master and its workers on 127.0.0.1 (each worker keeps its executors'
    logs under ``work_dirs[i]``)."""

    master_url: str
    work_dirs: list[Path]
    processes: list[subprocess.Popen]

    def tasks_per_worker(self) -> list[int]:
        """Tasks the executors of each worker ran, counted in their logs ("Running task")."""
        counts = []
        for folder in self.work_dirs:
            logs = folder.glob("app-*/*/stderr")
            counts.append(sum(path.read_text(errors="replace").count("Running task") for path in logs))
        return counts


def _spark_class() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-class"


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Spark master exited: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"Spark master did not listen on {port} within {timeout_s:.0f}s")


def _wait_for_workers(log: Path, workers: int, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count("Registering worker") >= workers:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{workers} workers did not register with the master within {timeout_s:.0f}s")


@contextmanager
def standalone_cluster(root: Path, workers: int = 2, worker_memory: str = "768m") -> Iterator[Cluster]:
    """Start a master and ``workers`` workers (one core each) with pyspark's ``spark-class`` launcher;
    stop them (by their own process ids) after the block."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "SPARK_LOG_DIR": str(root), "SPARK_NO_DAEMONIZE": "1"}
    launcher = str(_spark_class())
    processes: list[subprocess.Popen] = []
    master_log = root / "master.log"
    try:
        with master_log.open("w") as out:
            master = subprocess.Popen(
                [
                    launcher,
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--webui-port",
                    str(free_port()),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        processes.append(master)
        _wait_for_port(port, master, master_log)
        url = f"spark://127.0.0.1:{port}"
        work_dirs = []
        for i in range(workers):
            work = root / f"worker{i}"
            work.mkdir(exist_ok=True)
            work_dirs.append(work)
            with (root / f"worker{i}.log").open("w") as out:
                processes.append(
                    subprocess.Popen(
                        [
                            launcher,
                            "org.apache.spark.deploy.worker.Worker",
                            url,
                            "--host",
                            "127.0.0.1",
                            "--cores",
                            "1",
                            "--memory",
                            worker_memory,
                            "--work-dir",
                            str(work),
                            "--webui-port",
                            str(free_port()),
                        ],
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        env=env,
                        start_new_session=True,
                    )
                )
        _wait_for_workers(master_log, workers)
        yield Cluster(url, work_dirs, processes)
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

"""`elt run` on a real Spark cluster, not only local[*]: a standalone master and two workers on
127.0.0.1 (pyspark's own `spark-class` launcher), ELT_SPARK_MASTER=spark://127.0.0.1:<port>.

The daily statistics dbt-spark wrote to the lake's tables are compared with an independent Python
computation over the sandbox's app rows, and the executors' logs show tasks on both workers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from extract import sandbox
from extract.sandbox.automation import TABLES, AutomationDB
from extract.settings import Settings
from tests.automation.support import MARTS
from tests.spark.support import JAVA, NO_JAVA, standalone_cluster
from tests.support import close, elt

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

DAILY = {
    "auto_dispatch_stats": "int_automation__assignments_daily",
    "route_optimization_stats": "int_automation__route_optimizations_daily",
}


def test_elt_run_on_a_two_worker_cluster(tmp_path: Path) -> None:
    if JAVA is None:
        pytest.skip(NO_JAVA)
    settings = Settings(
        target="spark",
        lake_url=str(tmp_path / "lake"),
        spark_dir=tmp_path / "spark",
        sandbox_dir=tmp_path / "sandbox",
        dbt_target_path=tmp_path / "target",
    )
    sandbox.generate(
        settings,
        ["automation"],
        sandbox.SandboxOptions(seed=3, scale=0.05, now=datetime(2026, 10, 1, tzinfo=UTC)),
    )
    sandbox.write_settings(settings)
    with standalone_cluster(tmp_path / "cluster", workers=2) as cluster:
        done = elt(
            settings,
            "run",
            "--only",
            "automation",
            ELT_SPARK_MASTER=cluster.master_url,
            ELT_SPARK_DRIVER_MEMORY="768m",
            ELT_SPARK_SHUFFLE_PARTITIONS="4",
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        tasks = cluster.tasks_per_worker()
    print(f"tasks run per worker on {cluster.master_url}: {tasks}")  # shown with -s / in the report
    assert len(tasks) == 2
    assert all(n > 0 for n in tasks), f"tasks per worker {tasks}: one worker ran nothing"

    found = sandbox.entry(settings, "automation")
    with AutomationDB(found["credentials"], found["schema"] or "public") as db:
        rows = {table: db.fetch(table) for table in TABLES}
    warehouse = settings.spark_dir / "spark-warehouse" / "intermediate.db"
    for mart, model in DAILY.items():
        table, compute, _ = MARTS[mart]
        expected = compute(rows[table])
        written = ds.dataset(warehouse / model, format="parquet", partitioning="hive").to_table().to_pylist()
        actual = {str(r["date"]): r for r in written}
        assert set(actual) == {str(d) for d in expected}, f"{mart}: days differ"
        for day, values in expected.items():
            for column, value in values.items():
                got = actual[str(day)][column]
                assert close(got, value), f"{mart} {day} {column}: lake {got!r}, expected {value!r}"

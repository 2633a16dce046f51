"""One shared sandbox, landed and built on DuckDB and on local Spark once per test session.

Spark costs a JVM and a metastore start (~20 s) and then seconds per model, so the Spark tests
share one end-to-end build of the four sources (sandbox -> dlt -> lake -> dbt-spark) and one
incremental change, and compare table by table with DuckDB built from the same sandbox.

The two warehouses are built one after the other, so the instants a run writes (snapshot versions,
`fecha_registro`, `fecha_modificacion`, the sync log's `sync_timestamp`) differ between them; the
comparison reads any instant at or after the first run's start as "run 1" or "run 2" (`runs`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract import sandbox
from extract.pipeline import RunOptions
from extract.runner import RunReport, run
from extract.settings import Settings
from extract.sources import SOURCES
from tests.spark.support import JAVA, NO_JAVA, duckdb_table, spark_table

SOURCES_ON_SPARK = ("automation", "fleet", "traffic", "inventory")
NOW = datetime(2026, 10, 1, tzinfo=UTC)
# traffic's seed 4 at this scale has a dispatcher's Chofer edit of an arribo, so the Chofer write-back
# mart has a row to compare
SEEDS = {"traffic": 4}


@dataclass
class Built:
    """Both warehouses over one sandbox, and what the Spark run saw before and after a change."""

    duckdb: Settings
    spark: Settings
    reports: list[RunReport] = field(default_factory=list)
    first: dict[str, dict] = field(default_factory=dict)
    raw_rows_first: dict[str, int] = field(default_factory=dict)
    runs: list[datetime] = field(default_factory=list)  # when each run (both warehouses) started


def _run_both(built: Built, *, dbt_tests: bool) -> None:
    specs = [SOURCES[name] for name in SOURCES_ON_SPARK]
    duck = run(built.duckdb, specs, RunOptions())
    assert duck.ok, duck.lines()
    spark = run(built.spark, specs, RunOptions(), build=dbt_tests)
    if not dbt_tests:  # the incremental pass: models only, the data tests ran on the first build
        from extract.dbt import run_dbt

        spark.dbt = run_dbt(built.spark, ["run", "--select", *(s.dbt_select for s in specs)], check=False)
    assert spark.ok, spark.lines()
    built.reports += [duck, spark]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    if JAVA is None:
        pytest.skip(NO_JAVA)
    root: Path = tmp_path_factory.mktemp("spark-vs-duckdb")
    shared = {"sandbox_dir": root / "sandbox"}
    duck = Settings(
        target="duckdb",
        duckdb_path=root / "duckdb" / "logistics.duckdb",
        pipelines_dir=root / "duckdb" / "pipelines",
        dbt_target_path=root / "duckdb" / "target",
        **shared,
    )
    spark = Settings(
        target="spark",
        lake_url=str(root / "lake"),
        spark_master="local[2]",
        spark_dir=root / "spark",
        dbt_target_path=root / "spark" / "target",
        **shared,
    )
    result = Built(duck, spark)
    for name in SOURCES_ON_SPARK:
        options = sandbox.SandboxOptions(seed=SEEDS.get(name, 7), scale=0.05, now=NOW)
        sandbox.generate(spark, [name], options)
    sandbox.write_settings(spark)
    with sandbox.serving(spark):
        result.runs.append(datetime.now(UTC).replace(tzinfo=None))
        _run_both(result, dbt_tests=True)
        result.first["computed_at"] = {
            model: dict(spark_table(spark, f"(select date, _computed_at from intermediate.{model})")[1])
            for model in ("int_automation__assignments_daily", "int_automation__batches_daily")
        }
        result.first["computed_at_duckdb"] = {
            model: dict(duckdb_table(duck, f"(select date, _computed_at from intermediate.{model})")[1])
            for model in ("int_automation__assignments_daily", "int_automation__batches_daily")
        }
        result.raw_rows_first = _raw_counts(spark)
        sandbox.change(spark, list(SOURCES_ON_SPARK))
        result.runs.append(datetime.now(UTC).replace(tzinfo=None))
        _run_both(result, dbt_tests=False)
    yield result


def _raw_counts(spark: Settings) -> dict[str, int]:
    return {
        table: spark_table(spark, f"(select count(*) from raw_automation.{table})")[1][0][0]
        for table in ("assignment_logs", "order_batches")
    }

"""ELT_TARGET=spark end to end: the sandbox of the four sources landed as parquet into a lake, dbt-spark
builds the same marts, and every mart and snapshot equals DuckDB's built from the same sandbox (columns,
rows; floats within a tolerance; a run's instants as the run they belong to), after a first run and
after a change batch (append-only lake, partitions overwritten).

Skipped, with the reason, only when no Java runtime is installed (`.ci/run` installs one)."""

from __future__ import annotations

import pytest

from tests.spark.conftest import Built
from tests.spark.support import MARTS, differences, duckdb_table, runs, spark_table

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

PARTITIONED_MARTS: set[str] = set()  # none since routes became a table over int_fleet__routes_daily
# the sandbox sends no unreadable fleet times and no app row without a creation time
MAY_BE_EMPTY = {"positions_rejects", "automation_rejects"}
ALL_MARTS = [(schema, mart) for schema, marts in MARTS.items() for mart in marts]


@pytest.mark.parametrize(("schema", "mart"), ALL_MARTS, ids=[f"{s}.{m}" for s, m in ALL_MARTS])
def test_mart_equals_duckdb(built: Built, schema: str, mart: str) -> None:
    duck_columns, duck_rows = duckdb_table(built.duckdb, f"{schema}.{mart}")
    spark_columns, spark_rows = spark_table(built.spark, f"{schema}.{mart}")
    # a partitioned Spark table (routes: rota_date, placa) keeps its partition columns last; names match
    assert sorted(spark_columns) == sorted(duck_columns)
    if mart not in PARTITIONED_MARTS:
        assert spark_columns == duck_columns
    order = [spark_columns.index(c) for c in duck_columns]
    spark_rows = [tuple(row[i] for i in order) for row in spark_rows]
    if mart not in MAY_BE_EMPTY:
        assert duck_rows, f"{schema}.{mart} is empty on DuckDB: the comparison would prove nothing"
    duck_rows, spark_rows = runs(duck_rows, built.runs), runs(spark_rows, built.runs)
    assert differences(duck_columns, duck_rows, spark_rows) == []


def test_lake_is_append_only_and_staging_keeps_the_latest_version(built: Built) -> None:
    """The change batch appended new versions of changed app rows to the lake (no merge into parquet);
    staging holds one row per id, as many as DuckDB's merged raw table."""
    for table in ("assignment_logs", "order_batches"):
        [(lake_rows,)] = spark_table(built.spark, f"(select count(*) from raw_automation.{table})")[1]
        [(ids,)] = spark_table(built.spark, f"(select count(distinct id) from raw_automation.{table})")[1]
        [(merged,)] = duckdb_table(built.duckdb, f"(select count(*) from raw_automation.{table})")[1]
        staged = spark_table(built.spark, f"(select count(*) from staging.stg_automation__{table})")[1][0][0]
        assert lake_rows > built.raw_rows_first[table], f"{table}: the change batch appended nothing"
        assert lake_rows > ids, f"{table}: expected several versions of changed rows in the lake"
        assert staged == ids == merged, table


def test_insert_overwrite_rewrites_only_touched_days(built: Built) -> None:
    """The daily statistics are partitioned by date on Spark: the change batch recomputed the days
    DuckDB's delete+insert recomputed (plus, on the append-only lake, the days of the rows the cursor's
    look-back window read again: DuckDB's upsert skips those unchanged rows) and left the other days'
    partitions alone."""
    for model in ("int_automation__assignments_daily", "int_automation__batches_daily"):
        spark_before = built.first["computed_at"][model]
        duck_before = built.first["computed_at_duckdb"][model]
        spark_after = dict(
            spark_table(built.spark, f"(select date, _computed_at from intermediate.{model})")[1]
        )
        duck_after = dict(
            duckdb_table(built.duckdb, f"(select date, _computed_at from intermediate.{model})")[1]
        )
        spark_touched = {d for d, at in spark_after.items() if spark_before.get(d) != at}
        duck_touched = {d for d, at in duck_after.items() if duck_before.get(d) != at}
        assert spark_touched, f"{model}: the change batch touched no day"
        assert duck_touched <= spark_touched, model
        assert len(spark_touched) < len(spark_after), f"{model}: every day was rewritten"

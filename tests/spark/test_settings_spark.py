"""ELT_TARGET=spark settings and the lake listing, without Spark itself (no Java needed)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.pipeline import destination
from extract.settings import ConfigError, Settings
from extract.warehouse import lake_tables


def test_spark_target_reads_lake_url_and_master(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "ELT_TARGET": "spark",
            "ELT_LAKE_URL": str(tmp_path / "lake"),
            "ELT_SPARK_MASTER": "spark://10.0.0.5:7077",
        }
    )
    assert settings.target == "spark"
    assert settings.lake_url == str(tmp_path / "lake")
    assert settings.spark_master == "spark://10.0.0.5:7077"
    env = settings.dbt_env()
    assert env["ELT_TARGET"] == "spark"
    assert env["ELT_LAKE_URL"] == str(tmp_path / "lake")
    assert env["ELT_SPARK_MASTER"] == "spark://10.0.0.5:7077"
    assert Settings.from_env({"ELT_TARGET": "spark"}).spark_master == "local[*]"
    assert Settings.from_env({"ELT_LAKE_URL": "s3://bucket/raw/"}).lake_url == "s3://bucket/raw"


def test_spark_sizes_are_settings_passed_to_dbt() -> None:
    """The session's sizes are read once, in Settings, and dbt's profile gets the same values."""
    default = Settings.from_env({"ELT_TARGET": "spark"})
    assert (default.spark_driver_memory, default.spark_executor_memory) == ("1g", "512m")
    assert default.spark_shuffle_partitions == 4
    sized = Settings.from_env(
        {
            "ELT_TARGET": "spark",
            "ELT_SPARK_DRIVER_MEMORY": "2G",
            "ELT_SPARK_EXECUTOR_MEMORY": "768m",
            "ELT_SPARK_SHUFFLE_PARTITIONS": "16",
        }
    )
    assert (sized.spark_driver_memory, sized.spark_executor_memory) == ("2g", "768m")
    assert sized.spark_shuffle_partitions == 16
    env = sized.dbt_env()
    assert env["ELT_SPARK_DRIVER_MEMORY"] == "2g"
    assert env["ELT_SPARK_EXECUTOR_MEMORY"] == "768m"
    assert env["ELT_SPARK_SHUFFLE_PARTITIONS"] == "16"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ELT_TARGET": "spark", "ELT_SPARK_MASTER": "10.0.0.5:7077"}, "ELT_SPARK_MASTER"),
        ({"ELT_TARGET": "spark", "ELT_LAKE_URL": "ftp://host/raw"}, "ELT_LAKE_URL"),
        ({"ELT_TARGET": "sparks"}, "ELT_TARGET"),
        ({"ELT_SPARK_DRIVER_MEMORY": "lots"}, "ELT_SPARK_DRIVER_MEMORY"),
        ({"ELT_SPARK_EXECUTOR_MEMORY": "1.5g"}, "ELT_SPARK_EXECUTOR_MEMORY"),
        ({"ELT_SPARK_SHUFFLE_PARTITIONS": "0"}, "ELT_SPARK_SHUFFLE_PARTITIONS"),
        ({"ELT_SPARK_SHUFFLE_PARTITIONS": "many"}, "ELT_SPARK_SHUFFLE_PARTITIONS"),
    ],
)
def test_bad_spark_settings_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_spark_lands_into_the_lake_with_dlt_filesystem(tmp_path: Path) -> None:
    settings = Settings(target="spark", lake_url=str(tmp_path / "lake"))
    dest = destination(settings)
    assert dest.destination_name == "filesystem"
    assert (tmp_path / "lake").is_dir()


def test_lake_tables_lists_table_folders_only(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for folder in (
        "raw_fleet/positions",
        "raw_fleet/_dlt_loads",
        "raw_fleet/_dlt_version",
        "raw_fleet_staging/positions",
        "scratch/other",
    ):
        (lake / folder).mkdir(parents=True)
    pq.write_table(pa.table({"x": [1]}), lake / "raw_fleet/positions/1.parquet")
    (lake / "raw_fleet/init").write_text("")
    assert lake_tables(Settings(target="spark", lake_url=str(lake))) == [
        "raw_fleet/_dlt_loads",
        "raw_fleet/positions",
    ]
    assert lake_tables(Settings(target="spark", lake_url=str(tmp_path / "nothing"))) == []

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


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ELT_TARGET": "spark", "ELT_SPARK_MASTER": "10.0.0.5:7077"}, "ELT_SPARK_MASTER"),
        ({"ELT_TARGET": "spark", "ELT_LAKE_URL": "ftp://host/raw"}, "ELT_LAKE_URL"),
        ({"ELT_TARGET": "sparks"}, "ELT_TARGET"),
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

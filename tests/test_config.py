"""Settings: one ELT_TARGET for dlt and dbt; bad settings fail with a message naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.pipeline import destination
from extract.settings import ConfigError, PostgresConn, Settings


def test_defaults_are_the_embedded_warehouse() -> None:
    settings = Settings.from_env({})
    assert settings.target == "duckdb"
    assert settings.duckdb_path.name == "logistics.duckdb"
    assert settings.dbt_env()["ELT_TARGET"] == "duckdb"


def test_target_selects_both_dlt_destination_and_dbt_target(tmp_path: Path) -> None:
    env = {"ELT_TARGET": "postgres", "PGHOST": "db.internal", "PGPORT": "6543", "PGDATABASE": "wh"}
    settings = Settings.from_env(env)
    assert destination(settings).destination_name == "postgres"
    dbt_env = settings.dbt_env()
    assert dbt_env["ELT_TARGET"] == "postgres"
    assert (dbt_env["PGHOST"], dbt_env["PGPORT"], dbt_env["PGDATABASE"]) == ("db.internal", "6543", "wh")
    local = Settings.from_env({"ELT_DUCKDB_PATH": str(tmp_path / "x.duckdb")})
    assert destination(local).destination_name == "duckdb"
    assert local.dbt_env()["ELT_DUCKDB_PATH"] == str(tmp_path / "x.duckdb")


@pytest.mark.parametrize(
    ("env", "setting"),
    [({"ELT_TARGET": "snowflake"}, "ELT_TARGET"), ({"PGPORT": "five"}, "PGPORT")],
)
def test_bad_setting_is_named(env: dict, setting: str) -> None:
    with pytest.raises(ConfigError, match=setting):
        Settings.from_env(env)


def test_pipelines_dir_is_per_warehouse(tmp_path: Path) -> None:
    a = Settings(duckdb_path=tmp_path / "a.duckdb")
    b = Settings(duckdb_path=tmp_path / "b.duckdb")
    assert a.dlt_pipelines_dir != b.dlt_pipelines_dir
    pg1 = Settings(target="postgres", postgres=PostgresConn(database="one"))
    pg2 = Settings(target="postgres", postgres=PostgresConn(database="two"))
    assert pg1.dlt_pipelines_dir != pg2.dlt_pipelines_dir


def test_password_is_quoted_and_never_in_the_label() -> None:
    conn = PostgresConn(user="app", password="p@ss:word/x", database="wh")
    assert "p%40ss%3Aword%2Fx" in conn.url()
    settings = Settings(target="postgres", postgres=conn)
    assert "p@ss" not in settings.warehouse_label and "p%40ss" not in settings.warehouse_label

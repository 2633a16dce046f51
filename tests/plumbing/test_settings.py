"""Settings reach dlt one way: the sandbox's settings file, then dlt's environment names, then the legacy
names, then .dlt/; one function turns every source URL into a SQLAlchemy URL."""

from __future__ import annotations

from pathlib import Path

import dlt
import pytest

from extract.settings import LEGACY_ENV, Settings, activate, env_name, sources_pointed_at, sqlalchemy_url


def test_legacy_names_reach_dlt_keys_and_dlt_names_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETRAC_USER", "legacy-user")
    assert dlt.secrets.get("sources.fleet.user") == "legacy-user"
    monkeypatch.setenv("SOURCES__FLEET__USER", "dlt-user")
    assert dlt.secrets.get("sources.fleet.user") == "dlt-user"
    monkeypatch.setenv("RELBASE_BASE_URL", "http://127.0.0.1:9/api/v1")
    assert dlt.config.get("sources.inventory.base_url") == "http://127.0.0.1:9/api/v1"


def test_every_legacy_name_maps_to_one_dlt_key() -> None:
    envs = [item.env for item in LEGACY_ENV]
    keys = [item.key for item in LEGACY_ENV]
    assert len(set(envs)) == len(envs) and len(set(keys)) == len(keys)
    assert env_name("sources.fleet.user") == "SOURCES__FLEET__USER"
    assert {
        "ETRAC_USER",
        "ETRAC_KEY",
        "ETRAC_API_BASE",
        "RELBASE_COMPANY_TOKEN",
        "TRAFFIC_SALIDAS_ODBC",
    } <= set(envs)


def test_the_source_settings_file_is_read_first_and_only_while_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(sandbox_dir=tmp_path / "sandbox")
    monkeypatch.setenv("SOURCES__AUTOMATION__SCHEMA", "from_env")
    assert activate(settings) is None
    assert dlt.config.get("sources.automation.schema") == "from_env"
    assert sources_pointed_at(settings) == "sources: environment and .dlt/ settings"

    settings.source_settings_file.parent.mkdir(parents=True)
    settings.source_settings_file.write_text('[sources.automation]\nschema = "from_file"\n')
    assert activate(settings) == settings.source_settings_file
    assert dlt.config.get("sources.automation.schema") == "from_file"
    assert str(settings.source_settings_file) in sources_pointed_at(settings)

    settings.source_settings_file.unlink()
    activate(settings)
    assert dlt.config.get("sources.automation.schema") == "from_env"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg2://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("sqlite:////tmp/app.sqlite", "sqlite:////tmp/app.sqlite"),
    ],
)
def test_one_function_makes_sqlalchemy_urls(given: str, expected: str) -> None:
    assert sqlalchemy_url(given) == expected

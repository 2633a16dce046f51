"""The download step alone (API -> lake), over real HTTP: product selection, credentials, lake layout."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from extract.inventory import InventoryConfig, download_step
from extract.inventory.client import RelbaseAuthError
from extract.inventory.lake import latest_run
from extract.inventory.settings import FILES, SUMMARY
from extract.settings import Settings
from tests.inventory.support import retired, start_relbase

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e


def test_only_the_configured_products_are_synced(duckdb_settings: Settings) -> None:
    relbase = start_relbase(duckdb_settings, products=12)
    try:
        state = relbase.state
        chosen = [p["id"] for p in state["products"] if not retired(p)][:3]
        run = download_step(duckdb_settings, replace(relbase.config, product_ids=tuple(chosen)))
        calls = dict(relbase.server.log.calls)
    finally:
        relbase.server.stop()
    assert calls["producto"] == 3
    details = [json.loads(line) for line in (run.path / "product_details.jsonl").read_text().splitlines()]
    assert sorted(d["product_id"] for d in details) == sorted(chosen)
    lot_calls = [json.loads(line) for line in (run.path / "lots.jsonl").read_text().splitlines()]
    assert {c["product_id"] for c in lot_calls} <= set(chosen)
    # the lake keeps every raw file and a summary; the newest complete folder is this one
    assert all((run.path / name).exists() for name in (*FILES, SUMMARY))
    assert latest_run(relbase.config.lake_for(duckdb_settings)).run_id == run.run_id
    assert run.summary["products"] == len(state["products"]) and run.summary["products_synced"] == 3


def test_wrong_or_missing_credentials_fail_clearly_without_showing_them(duckdb_settings: Settings) -> None:
    relbase = start_relbase(duckdb_settings, products=3)
    try:
        wrong = replace(relbase.config, user_token="not-the-token-123")
        with pytest.raises(RelbaseAuthError) as err:
            download_step(duckdb_settings, wrong)
        assert "not-the-token-123" not in str(err.value)
        assert "not-the-token-123" not in repr(wrong)
        with pytest.raises(RelbaseAuthError, match="RELBASE_COMPANY_TOKEN"):
            download_step(duckdb_settings, replace(relbase.config, company_token=""))
    finally:
        relbase.server.stop()


def test_credentials_and_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "RELBASE_COMPANY_TOKEN": "c-123",
        "RELBASE_USER_TOKEN": "u-456",
        "RELBASE_BASE_URL": "http://127.0.0.1:1/api/v1",
        "ELT_INVENTORY_LAKE_DIR": "some/lake",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = InventoryConfig.resolve()
    assert (config.company_token, config.user_token, config.base_url) == (
        "c-123",
        "u-456",
        env["RELBASE_BASE_URL"],
    )
    assert str(config.lake_dir) == "some/lake"
    assert "c-123" not in repr(config) and "u-456" not in repr(config)
    assert config.client.max_calls == 7 and config.product_ids is None

"""`elt config` lists every setting with its origin, secrets masked; `elt check` connects, lands nothing."""

from __future__ import annotations

from extract.exit_codes import EXIT_FAILED, EXIT_OK
from extract.settings import Settings
from tests.cli.support import elt_bare as elt

SECRET = "Sup3rSecretPw-991"


def test_config_lists_every_setting_with_origin_and_masks_secrets(bare: Settings) -> None:
    proc = elt(
        bare,
        "config",
        ETRAC_USER="dispatcher",
        ETRAC_KEY=SECRET,
        SOURCES__AUTOMATION__CREDENTIALS=f"postgresql://reader:{SECRET}@db.internal:5432/app",
        PGPASSWORD=SECRET,
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    assert SECRET not in proc.stdout
    rows = {ln.split()[0]: ln for ln in proc.stdout.splitlines() if ln.startswith(("sources.", "warehouse"))}
    user = rows["sources.fleet.user"]
    assert "ETRAC_USER" in user and "***" in user and user.rstrip().endswith("Legacy environment variables")
    credentials = rows["sources.automation.credentials"]
    assert credentials.split()[2] == "***" and credentials.rstrip().endswith("Environment Variables")
    assert rows["sources.fleet.daily_lock_id"].split()[2] == "123456789"
    assert rows["sources.fleet.daily_lock_id"].rstrip().endswith("config.toml")
    assert rows["sources.inventory.lake_max_age_minutes"].rstrip().endswith("default")
    for key in (
        "sources.traffic.credentials",
        "sources.inventory.company_token",
        "sources.traffic.salidas_odbc",
    ):
        assert key in rows


def test_check_reports_each_source_and_lands_nothing(bare: Settings) -> None:
    proc = elt(
        bare, "check", SOURCES__AUTOMATION__CREDENTIALS=f"postgresql://reader:{SECRET}@127.0.0.1:1/app"
    )
    assert proc.returncode == EXIT_FAILED, proc.stdout + proc.stderr
    lines = {ln.split(":")[0]: ln for ln in proc.stdout.splitlines()[1:]}
    assert set(lines) == {"warehouse", "automation", "traffic", "fleet", "inventory"}
    assert lines["warehouse"].startswith("warehouse: ok")
    assert lines["automation"].startswith("automation: FAILED") and "127.0.0.1" in lines["automation"]
    assert SECRET not in proc.stdout
    assert "SOURCES__TRAFFIC__CREDENTIALS" in lines["traffic"] and "not configured" in lines["traffic"]
    assert "ETRAC_API_BASE" in lines["fleet"] and "not configured" in lines["fleet"]
    assert not bare.duckdb_path.exists()  # nothing landed, no warehouse file created
    assert "Traceback" not in proc.stdout + proc.stderr

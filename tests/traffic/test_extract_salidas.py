"""Exit records (Salidas) through the real ODBC driver (unixODBC + psqlODBC) against the test PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from extract.pipeline import land
from extract.sandbox import traffic as sb
from extract.settings import Settings
from extract.traffic import traffic_source
from tests.support import query
from tests.traffic.support import make_sandbox

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e


def land_salidas(settings: Settings, lookback_days: float = 30) -> None:
    source = traffic_source(tables=["salidas"], salidas_lookback_days=lookback_days)
    land(settings, "traffic", source)


def newest_load(settings: Settings) -> list[tuple]:
    return query(
        settings,
        "select contenedor, fecha_egr from raw_traffic.salidas "
        "where _dlt_load_id = (select max(_dlt_load_id) from raw_traffic.salidas) order by 2, 1",
    )


def test_salidas_incremental_with_lookback(tsettings: Settings) -> None:
    entry = make_sandbox(tsettings)
    if entry["salidas_odbc"] is None:
        pytest.skip(f"exit table not available: {entry['salidas_skipped']}")

    land_salidas(tsettings)
    truth = sb.ground_truth(entry)["salidas"]
    got = query(tsettings, "select contenedor, fecha_egr, validada from raw_traffic.salidas order by 2, 1")
    assert got == [(s["contenedor"], s["fecha_egr"], s["validada"]) for s in truth]
    newest = max(s["fecha_egr"] for s in truth)

    # a second run with one new exit: only that row carries the new load id
    sb.add_exit(entry, "MSCU1234565", newest + timedelta(hours=1), "S")
    land_salidas(tsettings)
    assert newest_load(tsettings) == [("MSCU1234565", newest + timedelta(hours=1))]
    assert query(tsettings, "select count(*) from raw_traffic.salidas")[0][0] == len(truth) + 1

    # late exits: one inside the 30-day look-back is picked up, one outside it is not
    cursor = newest + timedelta(hours=1)
    sb.add_exit(entry, "TCLU9538314", cursor - timedelta(days=10), None)
    sb.add_exit(entry, "FANU1175376", cursor - timedelta(days=40), None)
    land_salidas(tsettings)
    containers = {r[0] for r in query(tsettings, "select contenedor from raw_traffic.salidas")}
    assert "TCLU9538314" in containers
    assert "FANU1175376" not in containers
    assert newest_load(tsettings) == [("TCLU9538314", cursor - timedelta(days=10))]


def test_salidas_skipped_loudly_without_driver(
    duckdb_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    make_sandbox(duckdb_settings, salidas=False)
    source = traffic_source(
        tables=["salidas", "csv_remisiones_semana"],
        salidas_odbc="Driver={No Such ODBC Driver};Server=127.0.0.1;Database=x;",
    )
    with caplog.at_level(logging.WARNING, logger="extract.traffic"):
        result = land(duckdb_settings, "traffic", source)
    assert "salidas" not in result.rows
    assert result.rows["csv_remisiones_semana"] > 0
    # the reason names the missing driver (or, without unixODBC at all, that pyodbc cannot load)
    assert any(
        "exit records (raw_traffic.salidas) SKIPPED" in r.message
        and ("No Such ODBC Driver" in r.message or "pyodbc cannot load" in r.message)
        for r in caplog.records
    )

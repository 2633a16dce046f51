"""Fleet tracking end to end over real HTTP, on DuckDB and PostgreSQL (domain §2)."""

from __future__ import annotations

import re
import subprocess
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest

from extract import sandbox
from extract.dbt import run_dbt
from extract.exit_codes import EXIT_BUSY
from extract.fleet import land_source
from extract.fleet.backfill import backfill
from extract.fleet.client import AuthError, EtracClient, EtracConfig
from extract.pipeline import RunOptions
from extract.sandbox.etrac_server import EtracServer, Faults
from extract.sandbox.fleet import FleetSim, clock, public
from extract.settings import PROJECT_ROOT, Settings, activate
from tests.fleet import support
from tests.fleet.support import FIRST, LAST, backfill_cmd, cli_env
from tests.support import close, query, query_dicts

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e


def _build(settings: Settings) -> None:
    result = run_dbt(settings, ["build", "--select", "source:fleet+"], check=False, quiet=True)
    assert result.ok, result.failures


def _progress(settings: Settings) -> dict[tuple[str, str], str]:
    rows = query(settings, "select placa, dia, status from raw_fleet.backfill_progress")
    return {(p, d): s for p, d, s in rows}


def _plate_days(plates: list[str]) -> set[tuple[str, str]]:
    return {(p, d.isoformat()) for p in plates for d in support.days(FIRST, LAST)}


def _expected_raw(sim: FleetSim) -> int:
    return sum(len(sim.day_positions(p, d)) for p in sim.plates for d in support.days(FIRST, LAST))


def _assert_raw_complete(settings: Settings, sim: FleetSim) -> None:
    total, distinct = query(
        settings, "select count(*), count(distinct position_key) from raw_fleet.positions"
    )[0]
    assert total == distinct == _expected_raw(sim)


def _wait_for(predicate: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_latest_positions_to_routes(settings: Settings, fleet_entry: dict[str, Any]) -> None:
    """`elt run --only fleet` on the sandbox: latest positions (one call) and the configured past days."""
    sandbox.write_entry(settings, "fleet", {**fleet_entry, "port": sandbox.free_port()})
    activate(settings)
    sim = FleetSim.from_entry(fleet_entry)
    with sandbox.serving(settings):
        result = land_source(settings, RunOptions())
    assert result.rows["terminals"] == len(sim.plates)
    assert result.rows["positions"] == len(sim.plates) + _expected_raw(sim)
    _assert_raw_complete(settings, sim)  # the latest points are among the history days' points
    _build(settings)
    routes = {(r["placa"], r["rota_date"]): r for r in query_dicts(settings, "select * from fleet.routes")}
    for plate in sim.plates:
        latest = sim.latest(plate, clock(fleet_entry))
        day = latest["_local"].date()
        want = support.route([public(p) for p in sim.day_positions(plate, day)])
        assert routes[(plate, day)]["end_ts"] == want.end_ts
        assert routes[(plate, day)]["point_count"] == want.point_count
    assert query(settings, "select count(*) from fleet.terminals")[0][0] == len(sim.plates)
    # a second run lands no history again: the backfilled days are done
    with sandbox.serving(settings):
        again = land_source(settings, RunOptions())
    assert again.rows.get("positions", 0) <= len(sim.plates)


def test_backfill_routes_match_independent_computation(
    settings: Settings, etrac: EtracServer, etrac_env: dict[str, str]
) -> None:
    """A range backfill lands every plate-day; route metrics equal a Python computation of the rules."""
    sim = etrac.sim
    with EtracClient(EtracConfig.from_settings()) as client:
        summary = backfill(settings, client, list(sim.plates), FIRST, LAST, progress=lambda _: None)
    assert (summary.fetched, summary.skipped, summary.failed) == (len(_plate_days(list(sim.plates))), 0, [])
    assert set(_progress(settings).items()) == {(pd, "done") for pd in _plate_days(list(sim.plates))}
    _assert_raw_complete(settings, sim)
    _build(settings)

    routes = {(r["placa"], r["rota_date"]): r for r in query_dicts(settings, "select * from fleet.routes")}
    checked = 0
    for plate in sim.plates:
        for day in support.days(FIRST, LAST):
            positions = [public(p) for p in sim.day_positions(plate, day)]
            if not positions:
                assert (plate, day) not in routes
                continue
            want, got = support.route(positions), routes[(plate, day)]
            assert got["point_count"] == want.point_count
            assert got["excluded_points"] == want.excluded_points
            assert got["stop_count"] == want.stop_count
            assert got["start_ts"] == want.start_ts and got["end_ts"] == want.end_ts
            assert close(got["distance_km"], want.distance_km, rel=1e-9, abs_tol=1e-5)
            assert close(got["duration_minutes"], want.duration_minutes)
            assert close(got["moving_minutes"], want.moving_minutes)
            assert close(got["max_speed_kmh"], want.max_speed_kmh)
            assert close(got["avg_moving_speed_kmh"], want.avg_moving_speed_kmh, rel=1e-6)
            checked += 1
    assert checked >= len(sim.plates) * 2
    # bad points were generated and excluded, and every route point is a valid one
    assert sum(r["excluded_points"] for r in routes.values()) > 0
    points = query(settings, "select count(*) from fleet.route_points")[0][0]
    assert points == sum(r["point_count"] for r in routes.values())

    # a re-run skips every completed plate-day and calls the API no more
    calls = sum(etrac.history_calls.values())
    with EtracClient(EtracConfig.from_settings()) as client:
        again = backfill(settings, client, list(sim.plates), FIRST, LAST, progress=lambda _: None)
    assert (again.fetched, again.skipped) == (0, summary.fetched)
    assert sum(etrac.history_calls.values()) == calls


def test_killed_backfill_resumes_without_refetching(
    settings: Settings, etrac: EtracServer, etrac_env: dict[str, str]
) -> None:
    """Kill a backfill subprocess part-way; the re-run fetches only what was not done, no duplicates."""
    plates = list(etrac.sim.plates)
    env = cli_env(settings, etrac_env, ETRAC_RATE_SLEEP="0.4")
    proc = subprocess.Popen(
        backfill_cmd(plates, "--batch-size", "1"),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: sum(etrac.history_calls.values()) >= 4 or proc.poll() is not None)
    finally:
        proc.kill()
        proc.wait()
    done_before = {pd for pd, status in _progress(settings).items() if status == "done"}
    calls_before = dict(etrac.history_calls)
    assert 0 < len(done_before) < len(_plate_days(plates)), "the kill should land part-way"

    rerun = subprocess.run(backfill_cmd(plates), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    skipped = int(re.search(r"(\d+) skipped", rerun.stdout).group(1))
    assert skipped >= len(done_before)
    for plate_day in done_before:
        assert etrac.history_calls[plate_day] == calls_before[plate_day], f"{plate_day} fetched again"
    assert set(_progress(settings).items()) == {(pd, "done") for pd in _plate_days(plates)}
    _assert_raw_complete(settings, etrac.sim)


def test_second_backfill_refuses_while_one_runs(
    settings: Settings, etrac: EtracServer, etrac_env: dict[str, str]
) -> None:
    """Two backfills at once: the second exits at once with EXIT_BUSY and says why."""
    plates = list(etrac.sim.plates)
    env = cli_env(settings, etrac_env, ETRAC_RATE_SLEEP="1")
    first = subprocess.Popen(
        backfill_cmd(plates), cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(lambda: sum(etrac.history_calls.values()) >= 1 or first.poll() is not None)
        assert first.poll() is None, "the first backfill should still be running"
        second = subprocess.run(
            backfill_cmd(plates), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        first.kill()
        first.wait()
    assert second.returncode == EXIT_BUSY, second.stdout + second.stderr
    assert "another fleet backfill run holds" in second.stdout


def test_backfill_with_injected_faults_accounts_for_every_plate_day(
    settings: Settings, fleet_entry: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """20% of requests fail (429, 5xx, stalls past the read timeout, malformed JSON): all plate-days done."""
    faults = Faults(rate=0.2, stall_s=1.0, seed=3)
    with EtracServer(fleet_entry, faults=faults) as server:
        config = EtracConfig(
            api_base=server.url, user=server.user, key=server.key, read_timeout=0.5,
            max_attempts=12, backoff=0.01, max_backoff=0.05, rate_sleep=0,
        )  # fmt: skip
        plates = list(server.sim.plates)
        with EtracClient(config) as client:
            summary = backfill(settings, client, plates, FIRST, LAST, progress=lambda _: None)
        assert sum(server.faults_served.values()) > 0
    total = len(_plate_days(plates))
    assert summary.fetched + summary.skipped + len(summary.failed) == summary.total == total
    assert summary.failed == []
    assert set(_progress(settings).items()) == {(pd, "done") for pd in _plate_days(plates)}
    _assert_raw_complete(settings, server.sim)


def test_bad_credentials_fail_fast(fleet_entry: dict[str, Any]) -> None:
    """401 is not retried and the message names the settings, never their values."""
    with EtracServer(fleet_entry) as server:
        config = EtracConfig(api_base=server.url, user=server.user, key="wrong-key", max_attempts=5)
        with EtracClient(config) as client, pytest.raises(AuthError) as err:
            client.history_day(server.sim.plates[0], date(2026, 11, 3))
        assert server.calls["/ultimasposicoesterminal"] == 1
    assert "ETRAC_KEY" in str(err.value) and "wrong-key" not in str(err.value)
    assert "wrong-key" not in repr(config)


def test_routes_recompute_only_plate_days_with_new_positions(
    settings: Settings, fleet_entry: dict[str, Any]
) -> None:
    """Late points for a day recompute that plate-day only; the other routes are left as they were."""
    plates = list(FleetSim.from_entry(fleet_entry).plates)
    midday = datetime(2026, 11, 4, 15, 0, tzinfo=UTC)  # 12:00 in São Paulo on the last day
    for now in (midday, None):
        with EtracServer(fleet_entry, now=now) as server:
            config = EtracConfig(api_base=server.url, user=server.user, key=server.key, rate_sleep=0)
            with EtracClient(config) as client:
                backfill(settings, client, plates, FIRST, LAST, progress=lambda _: None, today=LAST)
        _build(settings)
        if now is not None:
            before = {
                (r[0], r[1]): r[2]
                for r in query(
                    settings,
                    "select placa, rota_date, _computed_at from intermediate.int_fleet__routes_daily",
                )
            }
    # the bookkeeping of the incremental run lives in the intermediate model, not in the mart
    daily = query_dicts(settings, "select * from intermediate.int_fleet__routes_daily")
    after = {(r["placa"], r["rota_date"]): r for r in daily}
    sim = FleetSim.from_entry(fleet_entry)
    for (plate, day), row in after.items():
        if day < LAST:
            assert row["_computed_at"] == before[(plate, day)], f"{plate} {day} recomputed"
        else:
            assert row["_computed_at"] != before.get((plate, day)), f"{plate} {day} not recomputed"
            want = support.route([public(p) for p in sim.day_positions(plate, day)])
            assert row["point_count"] == want.point_count and row["end_ts"] == want.end_ts
            assert close(row["distance_km"], want.distance_km, rel=1e-9, abs_tol=1e-5)


def test_history_command_lands_one_plate_day(
    duckdb_settings: Settings,
    etrac: EtracServer,
    etrac_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """`elt fleet history --plate P --date D` makes one call and lands that plate-day."""
    from extract.cli import main

    settings = duckdb_settings
    plate = etrac.sim.plates[0]
    env = cli_env(settings, etrac_env)
    for key in ("ELT_DUCKDB_PATH", "ELT_PIPELINES_DIR", "ELT_SANDBOX_DIR", "DBT_TARGET_PATH", "ELT_TARGET"):
        monkeypatch.setenv(key, env[key])
    code = main(["fleet", "history", "--plate", plate, "--date", "03/11/2026", "--no-build"])
    assert code == 0, capsys.readouterr()
    assert etrac.history_calls == {(plate, "2026-11-03"): 1}
    expected = len(etrac.sim.day_positions(plate, date(2026, 11, 3)))
    assert query(settings, "select count(*) from raw_fleet.positions")[0][0] == expected
    assert _progress(settings) == {(plate, "2026-11-03"): "done"}

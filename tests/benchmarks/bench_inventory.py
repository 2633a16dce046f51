"""Benchmark of the Relbase inventory sync at the legacy volume (400 products x 13 warehouses).

Reports: API calls as a ratio of the pairs (legacy: one call per product x warehouse = 5,200; goal
<= 20%) for a first sync, for the next sync after one sandbox change batch (lots asked only where a
pair's stock changed) and for a sync with no change, per endpoint; the floor of a first sync by the
API's nature (every stocked pair needs its one ``lotes_series`` call, the only endpoint with lots, and
every product not retired its detail, the only one with stock per warehouse); download wall time
against the floor (calls / 7 per second, Relbase's limit), the peak requests seen by the server in any
second, the lake -> warehouse load time (legacy upload: 60-120 s), the dbt build of the inventory
models, and the peak RSS of this process.

    python -m tests.benchmarks.bench_inventory [--products 400] [--target duckdb|postgres]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from extract.dbt import run_dbt
from extract.inventory import InventoryConfig, download_step, load_step
from extract.inventory.client import ClientOptions
from extract.sandbox import inventory as sandbox_inventory
from extract.sandbox.relbase_server import RelbaseServer, ServerOptions
from extract.settings import PostgresConn, Settings

RELBASE_LIMIT = 7


def _settings(tmp: Path, target: str) -> tuple[Settings, str | None]:
    kwargs: dict = {}
    database = None
    if target == "postgres":
        import psycopg2

        admin = PostgresConn.from_env()
        database = f"elt_bench_inventory_{int(time.time())}"
        conn = psycopg2.connect(admin.dsn())
        conn.autocommit = True
        conn.cursor().execute(f'create database "{database}"')
        conn.close()
        kwargs["postgres"] = admin.with_database(database)
    settings = Settings(
        target=target,
        duckdb_path=tmp / "warehouse" / "bench.duckdb",
        sandbox_dir=tmp / "sandbox",
        pipelines_dir=tmp / "pipelines",
        dbt_target_path=tmp / "target",
        **kwargs,
    )
    return settings, database


def _drop(database: str | None) -> None:
    if database:
        import psycopg2

        conn = psycopg2.connect(PostgresConn.from_env().dsn())
        conn.autocommit = True
        conn.cursor().execute(f'drop database if exists "{database}" with (force)')
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_inventory", description=__doc__)
    parser.add_argument("--products", type=int, default=400)
    parser.add_argument("--warehouses", type=int, default=13)
    parser.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-inventory-") as tmp_dir:
        settings, database = _settings(Path(tmp_dir), args.target)
        try:
            gen = sandbox_inventory.GenerateOptions(products=args.products, warehouses=args.warehouses)
            entry = sandbox_inventory.build_entry(settings, gen)
            legacy_calls = args.products * args.warehouses
            with RelbaseServer.from_entry(entry, ServerOptions(rate_limit=RELBASE_LIMIT)) as server:
                config = InventoryConfig(
                    base_url=server.url,
                    company_token=entry["company_token"],
                    user_token=entry["user_token"],
                    lake_dir=settings.sandbox_dir.parent / "lake",
                    client=ClientOptions(workers=args.workers),
                )
                started = time.monotonic()
                run = download_step(settings, config)
                download_s = time.monotonic() - started
                log = server.log
                first_state = json.loads(json.dumps(server.state))
                started = time.monotonic()
                landed = load_step(settings, run)
                load_s = time.monotonic() - started
                # the next sync, after one change batch at Relbase
                changed = sandbox_inventory.change_into(entry, 1)
                server.reload()
                time.sleep(1.0)  # syncs are minutes apart: the server's 1 s window is empty again
                server.reset_log()
                started = time.monotonic()
                load_step(settings, download_step(settings, config))
                next_s = time.monotonic() - started
                next_log = server.log
                # and a sync in which nothing changed
                time.sleep(1.0)
                server.reset_log()
                load_step(settings, download_step(settings, config))
                same_log = server.log
            started = time.monotonic()
            dbt = run_dbt(settings, ["build", "--select", "source:inventory+"], check=False, quiet=True)
            dbt_s = time.monotonic() - started
        finally:
            _drop(database)

    calls = log.total
    goal = 0.20 * legacy_calls
    state = first_state
    listed = [p for p in state["products"] if not sandbox_inventory.is_retired(p)]
    stocked = [
        (str(p["id"]), wid)
        for p in listed
        for wid, qty in state["inventories"][str(p["id"])].items()
        if qty > 0
    ]
    tracked = sum(1 for pid, wid in stocked if state["lots"][pid].get(wid))
    pages = -(-len(state["products"]) // state["per_page"])
    first_floor = 1 + pages + len(listed) + len(stocked)
    floor = calls / RELBASE_LIMIT
    print(f"inventory benchmark: {args.products} products x {args.warehouses} warehouses on {args.target}")
    print(f"  lots in the source:        {entry['rows']['lots']}")
    print(
        f"  first sync API calls:      {calls} = {calls / legacy_calls:.1%} of the {legacy_calls} pairs "
        f"(goal <= 20%: {calls / goal:.2f}x goal); "
        + ", ".join(f"{k}={v}" for k, v in sorted(log.calls.items()))
    )
    print(
        f"  next sync API calls:       {next_log.total} = {next_log.total / legacy_calls:.1%} of the pairs "
        f"({next_log.total / goal:.2f}x goal) after a change batch ({changed}), {next_s:.1f}s, "
        f"{next_log.throttled} throttled; " + ", ".join(f"{k}={v}" for k, v in sorted(next_log.calls.items()))
    )
    print(
        f"  no-change sync API calls:  {same_log.total} = {same_log.total / legacy_calls:.1%} of the pairs, "
        f"{same_log.throttled} throttled; " + ", ".join(f"{k}={v}" for k, v in sorted(same_log.calls.items()))
    )
    print(
        f"  first sync floor:          {first_floor} = {first_floor / legacy_calls:.1%} of the pairs: "
        f"{len(stocked)} stocked pairs ({len(stocked) / legacy_calls:.1%} alone; {tracked} with lots, "
        f"{len(stocked) - tracked} without: 404) + {len(listed)} details + {pages} pages + 1"
    )
    print(f"  throttled (403) / retries: {log.throttled} / {run.summary['retries']}")
    print(f"  peak requests in any 1 s:  {log.max_in_window(1.0)} (limit {RELBASE_LIMIT})")
    print(
        f"  download wall time:        {download_s:.1f}s; floor at {RELBASE_LIMIT}/s: {floor:.1f}s "
        f"({download_s / floor:.2f}x floor); legacy floor {legacy_calls / RELBASE_LIMIT:.0f}s"
    )
    print(f"  lake -> warehouse load:    {load_s:.1f}s ({landed.total_rows} raw rows)")
    print(f"  dbt build inventory:       {dbt_s:.1f}s ({dbt.describe()})")
    print(f"  peak RSS (this process):   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0 if dbt.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

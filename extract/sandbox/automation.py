"""Sandbox of the dispatch-automation app database (domain §4): six tables, seeded and realistic.

Written either to PostgreSQL (real enums, uuid, uuid[], jsonb, timestamptz and an ``updated_at``
trigger, like the app) or to a SQLite file for the embedded demo. ``apply_changes`` simulates time
passing: new rows, status changes and resolutions.

Awkward rows on purpose: null scores and timestamps, events a few minutes either side of midnight
UTC, scores outside 0-100, negative savings, the same order assigned twice, and late updates of old
rows. ``escalation_logs`` has no ``updated_at``, as in production.
"""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from extract.sandbox.db import SandboxDB
from extract.sandbox.options import SandboxOptions
from extract.settings import Settings

ENUMS: dict[str, tuple[str, ...]] = {
    "assignment_type": ("AUTO_ASSIGNED", "FORCE_ASSIGNED", "MANUAL"),
    "optimization_status": ("pending", "completed", "failed"),
    "incident_severity": ("LOW", "MEDIUM", "HIGH", "SEVERE"),
    "batch_status": ("pending", "processing", "completed", "failed", "cancelled"),
    "escalation_type": ("SLA_RISK", "STUCK_ORDER", "UNRESPONSIVE_DRIVER", "FAILED_DELIVERY"),
    "escalation_severity": ("low", "medium", "high", "critical"),
    "escalation_status": ("open", "investigating", "resolved"),
    "alert_type": ("DISPATCH_FAILED", "OPTIMIZATION_NEEDED", "SLA_BREACH", "DRIVER_UNRESPONSIVE"),
    "alert_severity": ("low", "medium", "high", "critical"),
    "alert_status": ("open", "resolved"),
}

# table -> [(column, postgres type)]; SQLite types are derived in `_sqlite_type`.
TABLES: dict[str, list[tuple[str, str]]] = {
    "assignment_logs": [
        ("id", "uuid primary key"),
        ("order_id", "uuid not null"),
        ("driver_id", "uuid"),
        ("assignment_type", "assignment_type not null"),
        ("assignment_method", "text"),
        ("total_score", "numeric(6,2)"),
        ("distance_score", "numeric(6,2)"),
        ("time_score", "numeric(6,2)"),
        ("load_score", "numeric(6,2)"),
        ("priority_score", "numeric(6,2)"),
        ("assignment_reason", "text"),
        ("alternative_drivers", "jsonb"),
        ("metadata", "jsonb"),
        ("created_at", "timestamptz not null"),
        ("assigned_at", "timestamptz"),
        ("updated_at", "timestamptz not null"),
    ],
    "route_optimizations": [
        ("id", "uuid primary key"),
        ("driver_id", "uuid"),
        ("route_id", "uuid"),
        ("order_ids", "uuid[]"),
        ("stop_count", "integer"),
        ("distance_saved_km", "numeric(10,2)"),
        ("time_saved_minutes", "integer"),
        ("stops_reordered", "integer"),
        ("improvement_percentage", "numeric(6,2)"),
        ("original_sequence", "integer[]"),
        ("optimized_sequence", "integer[]"),
        ("original_distance", "numeric(10,2)"),
        ("optimized_distance", "numeric(10,2)"),
        ("original_time_minutes", "integer"),
        ("optimized_time_minutes", "integer"),
        ("algorithm_used", "text"),
        ("optimization_notes", "text"),
        ("status", "optimization_status not null"),
        ("metadata", "jsonb"),
        ("created_at", "timestamptz not null"),
        ("optimized_at", "timestamptz"),
        ("executed_at", "timestamptz"),
        ("completed_at", "timestamptz"),
        ("updated_at", "timestamptz not null"),
    ],
    "traffic_incidents": [
        ("id", "uuid primary key"),
        ("latitude", "double precision"),
        ("longitude", "double precision"),
        ("affected_radius_meters", "integer"),
        ("severity", "incident_severity not null"),
        ("description", "text"),
        ("incident_type", "text"),
        ("active", "boolean not null"),
        ("affected_routes", "uuid[]"),
        ("affected_orders", "uuid[]"),
        ("metadata", "jsonb"),
        ("reported_at", "timestamptz"),
        ("resolved_at", "timestamptz"),
        ("created_at", "timestamptz not null"),
        ("updated_at", "timestamptz not null"),
    ],
    "order_batches": [
        ("id", "uuid primary key"),
        ("batch_number", "text not null unique"),
        ("driver_id", "uuid"),
        ("order_ids", "uuid[]"),
        ("order_count", "integer"),
        ("total_distance_km", "numeric(10,2)"),
        ("estimated_delivery_time_minutes", "integer"),
        ("total_weight_kg", "numeric(10,2)"),
        ("total_value", "numeric(14,2)"),
        ("delivery_zone", "text"),
        ("service_type", "text"),
        ("status", "batch_status not null"),
        ("dispatched_at", "timestamptz"),
        ("completed_at", "timestamptz"),
        ("stops_completed", "integer"),
        ("delivery_success_rate", "numeric(6,2)"),
        ("metadata", "jsonb"),
        ("created_at", "timestamptz not null"),
        ("updated_at", "timestamptz not null"),
    ],
    "escalation_logs": [
        ("id", "uuid primary key"),
        ("order_id", "uuid"),
        ("driver_id", "uuid"),
        ("escalation_type", "escalation_type not null"),
        ("severity", "escalation_severity not null"),
        ("reason", "text"),
        ("description", "text"),
        ("escalated_to", "text"),
        ("status", "escalation_status not null"),
        ("resolution", "text"),
        ("resolved_by", "text"),
        ("sla_target_minutes", "integer"),
        ("minutes_to_breach", "integer"),
        ("current_delay_minutes", "integer"),
        ("metadata", "jsonb"),
        ("created_at", "timestamptz not null"),
        ("escalated_at", "timestamptz"),
        ("resolved_at", "timestamptz"),
    ],
    "dispatch_alerts": [
        ("id", "uuid primary key"),
        ("order_id", "uuid"),
        ("alert_type", "alert_type not null"),
        ("severity", "alert_severity not null"),
        ("message", "text"),
        ("description", "text"),
        ("resolved", "boolean not null"),
        ("status", "alert_status not null"),
        ("resolved_at", "timestamptz"),
        ("resolved_by", "text"),
        ("metadata", "jsonb"),
        ("created_at", "timestamptz not null"),
        ("updated_at", "timestamptz not null"),
    ],
}

# rows per table at scale 1.0
BASE_ROWS = {
    "assignment_logs": 6000,
    "route_optimizations": 2000,
    "traffic_incidents": 300,
    "order_batches": 1500,
    "escalation_logs": 800,
    "dispatch_alerts": 1000,
}
DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate: seed, size, and the window of days before ``now``."""

    seed: int = 42
    scale: float = 1.0
    days: int = 60
    now: datetime = datetime(2026, 11, 1, tzinfo=UTC)

    def rows(self, table: str) -> int:
        return max(1, int(BASE_ROWS[table] * self.scale))


class _Gen:
    """Seeded value helpers."""

    def __init__(self, rng: random.Random, opts: GenerateOptions) -> None:
        self.rng = rng
        self.opts = opts
        self.start = opts.now - timedelta(days=opts.days)
        self.drivers = [self.uuid() for _ in range(max(5, int(40 * opts.scale**0.5)))]

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def ts(self) -> datetime:
        """A moment in the window; 4% fall within 10 minutes of midnight UTC."""
        rng = self.rng
        day = self.start + timedelta(days=rng.randrange(self.opts.days))
        if rng.random() < 0.04:
            midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
            return midnight + timedelta(seconds=rng.randint(-600, 600))
        return day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            seconds=rng.randrange(86400), microseconds=rng.randrange(1_000_000)
        )

    def later(self, t: datetime, max_minutes: int = 240) -> datetime:
        return min(t + timedelta(seconds=self.rng.randint(1, max_minutes * 60)), self.opts.now)

    def score(self) -> Decimal | None:
        r = self.rng.random()
        if r < 0.03:
            return None
        if r < 0.035:  # out of range, as the legacy scorer sometimes wrote
            return Decimal(self.rng.choice(["-1.00", "105.50", "120.00"]))
        return Decimal(str(round(self.rng.uniform(20, 100), 2)))

    def maybe(self, value: Any, p_null: float = 0.03) -> Any:
        return None if self.rng.random() < p_null else value

    def money(self, lo: float, hi: float) -> Decimal:
        return Decimal(str(round(self.rng.uniform(lo, hi), 2)))

    def meta(self) -> str:
        return json.dumps({"source": "sandbox", "v": self.rng.randint(1, 3)})


def _assignment(g: _Gen) -> dict[str, Any]:
    rng = g.rng
    created = g.ts()
    kind = rng.choices(ENUMS["assignment_type"], weights=(70, 10, 20))[0]
    assigned = None if rng.random() < 0.03 else g.later(created, 30)
    return {
        "id": g.uuid(),
        "order_id": g.uuid(),
        "driver_id": rng.choice(g.drivers),
        "assignment_type": kind,
        "assignment_method": rng.choice(["nearest_driver", "balanced_load", "priority_first", None]),
        "total_score": g.score(),
        "distance_score": g.score(),
        "time_score": g.score(),
        "load_score": g.score(),
        "priority_score": g.score(),
        "assignment_reason": rng.choice(["best total score", "only driver available", "dispatcher override"]),
        "alternative_drivers": json.dumps(rng.sample(g.drivers, 2)),
        "metadata": g.meta(),
        "created_at": created,
        "assigned_at": assigned,
        "updated_at": max(created, assigned or created),
    }


def _optimization(g: _Gen) -> dict[str, Any]:
    rng = g.rng
    created = g.ts()
    status = rng.choices(ENUMS["optimization_status"], weights=(10, 80, 10))[0]
    stops = rng.randint(2, 14)
    original = Decimal(str(round(rng.uniform(10, 120), 2)))
    saved = Decimal(str(round(rng.uniform(-2, 15), 2)))  # negative: the new route is worse
    optimized_at = None if status == "pending" else g.later(created, 20)
    executed = g.later(optimized_at, 60) if status == "completed" and optimized_at else None
    completed = g.later(executed, 240) if executed and rng.random() < 0.8 else None
    seq = list(range(1, stops + 1))
    new_seq = seq[:]
    rng.shuffle(new_seq)
    return {
        "id": g.uuid(),
        "driver_id": rng.choice(g.drivers),
        "route_id": g.uuid(),
        "order_ids": [g.uuid() for _ in range(stops)],
        "stop_count": stops,
        "distance_saved_km": g.maybe(saved),
        "time_saved_minutes": g.maybe(rng.randint(-5, 45)),
        "stops_reordered": sum(1 for a, b in zip(seq, new_seq, strict=True) if a != b),
        "improvement_percentage": g.maybe(Decimal(str(round(float(saved) / float(original) * 100, 2)))),
        "original_sequence": seq,
        "optimized_sequence": new_seq,
        "original_distance": original,
        "optimized_distance": original - saved,
        "original_time_minutes": rng.randint(30, 300),
        "optimized_time_minutes": rng.randint(25, 290),
        "algorithm_used": rng.choice(["nearest_neighbor", "2opt", "or_tools"]),
        "optimization_notes": rng.choice([None, "traffic avoided", "reordered by priority"]),
        "status": status,
        "metadata": g.meta(),
        "created_at": created,
        "optimized_at": optimized_at,
        "executed_at": executed,
        "completed_at": completed,
        "updated_at": max(t for t in (created, optimized_at, executed, completed) if t),
    }


def _incident(g: _Gen) -> dict[str, Any]:
    rng = g.rng
    created = g.ts()
    resolved = g.later(created, 600) if rng.random() < 0.7 else None
    return {
        "id": g.uuid(),
        "latitude": round(rng.uniform(-23.75, -23.4), 6),
        "longitude": round(rng.uniform(-46.8, -46.4), 6),
        "affected_radius_meters": rng.choice([200, 500, 1000, 2500]),
        "severity": rng.choice(ENUMS["incident_severity"]),
        "description": rng.choice(["accident", "road works", "flooding", "protest"]),
        "incident_type": rng.choice(["ACCIDENT", "CONSTRUCTION", "WEATHER", "EVENT"]),
        "active": resolved is None,
        "affected_routes": [g.uuid() for _ in range(rng.randint(0, 3))],
        "affected_orders": [g.uuid() for _ in range(rng.randint(0, 5))],
        "metadata": g.meta(),
        "reported_at": created,
        "resolved_at": resolved,
        "created_at": created,
        "updated_at": resolved or created,
    }


def _batch(g: _Gen, number: int) -> dict[str, Any]:
    rng = g.rng
    created = g.ts()
    status = rng.choices(ENUMS["batch_status"], weights=(10, 10, 65, 10, 5))[0]
    count = rng.randint(1, 25)
    dispatched = g.later(created, 60) if status in {"processing", "completed", "failed"} else None
    completed = g.later(dispatched, 480) if status == "completed" and dispatched else None
    done = rng.randint(0, count) if status in {"completed", "failed"} else None
    rate = Decimal(str(round(done / count * 100, 2))) if done is not None else None
    return {
        "id": g.uuid(),
        "batch_number": f"B-{number:07d}",
        "driver_id": rng.choice(g.drivers),
        "order_ids": [g.uuid() for _ in range(count)],
        "order_count": count,
        "total_distance_km": g.maybe(g.money(2, 180)),
        "estimated_delivery_time_minutes": rng.randint(20, 600),
        "total_weight_kg": g.money(5, 3000),
        "total_value": g.maybe(g.money(50, 25000)),
        "delivery_zone": rng.choice(["NORTE", "SUR", "CENTRO", "OESTE", "ESTE"]),
        "service_type": rng.choice(["standard", "express", "same_day"]),
        "status": status,
        "dispatched_at": dispatched,
        "completed_at": completed,
        "stops_completed": done,
        "delivery_success_rate": rate,
        "metadata": g.meta(),
        "created_at": created,
        "updated_at": max(t for t in (created, dispatched, completed) if t),
    }


def _escalation(g: _Gen) -> dict[str, Any]:
    rng = g.rng
    created = g.ts()
    status = rng.choices(ENUMS["escalation_status"], weights=(40, 20, 40))[0]
    resolved = g.later(created, 600) if status == "resolved" else None
    sla = rng.choice([30, 60, 120, 240])
    return {
        "id": g.uuid(),
        "order_id": g.uuid(),
        "driver_id": g.maybe(rng.choice(g.drivers), 0.2),
        "escalation_type": rng.choice(ENUMS["escalation_type"]),
        "severity": rng.choices(ENUMS["escalation_severity"], weights=(30, 35, 25, 10))[0],
        "reason": rng.choice(["ETA beyond SLA", "no movement for 30 minutes", "driver not answering"]),
        "description": None,
        "escalated_to": rng.choice(["ops-lead", "supervisor", None]),
        "status": status,
        "resolution": "handled" if resolved else None,
        "resolved_by": "ops-lead" if resolved else None,
        "sla_target_minutes": sla,
        "minutes_to_breach": rng.randint(-60, sla),
        "current_delay_minutes": g.maybe(rng.randint(0, 180), 0.1),
        "metadata": g.meta(),
        "created_at": created,
        "escalated_at": g.later(created, 5),
        "resolved_at": resolved,
    }


def _alert(g: _Gen) -> dict[str, Any]:
    rng = g.rng
    created = g.ts()
    resolved_at = g.later(created, 300) if rng.random() < 0.6 else None
    return {
        "id": g.uuid(),
        "order_id": g.maybe(g.uuid(), 0.1),
        "alert_type": rng.choice(ENUMS["alert_type"]),
        "severity": rng.choice(ENUMS["alert_severity"]),
        "message": "automatic dispatch alert",
        "description": None,
        "resolved": resolved_at is not None,
        "status": "resolved" if resolved_at else "open",
        "resolved_at": resolved_at,
        "resolved_by": "dispatcher" if resolved_at else None,
        "metadata": g.meta(),
        "created_at": created,
        "updated_at": resolved_at or created,
    }


def generate(opts: GenerateOptions) -> dict[str, list[dict[str, Any]]]:
    """All six tables, deterministic for a given ``opts``."""
    g = _Gen(random.Random(opts.seed), opts)
    data: dict[str, list[dict[str, Any]]] = {
        "assignment_logs": [_assignment(g) for _ in range(opts.rows("assignment_logs"))],
        "route_optimizations": [_optimization(g) for _ in range(opts.rows("route_optimizations"))],
        "traffic_incidents": [_incident(g) for _ in range(opts.rows("traffic_incidents"))],
        "order_batches": [_batch(g, i + 1) for i in range(opts.rows("order_batches"))],
        "escalation_logs": [_escalation(g) for _ in range(opts.rows("escalation_logs"))],
        "dispatch_alerts": [_alert(g) for _ in range(opts.rows("dispatch_alerts"))],
    }
    # the same order assigned twice (reassignment after a failed first attempt)
    logs = data["assignment_logs"]
    for i in range(0, len(logs) // 50):
        again = _assignment(g)
        again["order_id"] = logs[i]["order_id"]
        logs.append(again)
    return data


# ---------------------------------------------------------------------------- writing


class AutomationDB(SandboxDB):
    """A connection to the sandbox app database, PostgreSQL (psycopg2) or SQLite."""

    def __init__(self, url: str, schema: str = DEFAULT_SCHEMA) -> None:
        super().__init__(url, schema)

    def table(self, name: str) -> str:
        return name if self.kind == "sqlite" else f'"{self.schema}"."{name}"'

    def create(self) -> None:
        """Drop and create the six tables (and, on PostgreSQL, enums and triggers)."""
        cur = self.conn.cursor()
        if self.kind == "postgres":
            cur.execute(f'create schema if not exists "{self.schema}"')
            for table in TABLES:
                cur.execute(f"drop table if exists {self.table(table)} cascade")
            for enum, values in ENUMS.items():
                cur.execute(f'drop type if exists "{self.schema}".{enum} cascade')
                labels = ", ".join(f"'{v}'" for v in values)
                cur.execute(f'create type "{self.schema}".{enum} as enum ({labels})')
            cur.execute(
                f"""create or replace function "{self.schema}".touch_updated_at() returns trigger
                language plpgsql as $$ begin
                  if new.updated_at is not distinct from old.updated_at then new.updated_at := now(); end if;
                  return new; end $$"""
            )
            cur.execute(f'set search_path to "{self.schema}", public')
        else:
            for table in TABLES:
                cur.execute(f"drop table if exists {table}")
        for table, columns in TABLES.items():
            cols = ", ".join(f"{c} {t if self.kind == 'postgres' else _sqlite_type(t)}" for c, t in columns)
            cur.execute(f"create table {self.table(table)} ({cols})")
            if self.kind == "postgres" and any(c == "updated_at" for c, _ in columns):
                cur.execute(
                    f"create trigger {table}_touch before update on {self.table(table)} "
                    f'for each row execute function "{self.schema}".touch_updated_at()'
                )
        self.conn.commit()

    def insert(self, table: str, rows: Iterable[dict[str, Any]]) -> int:
        columns = [c for c, _ in TABLES[table]]
        count = 0
        cur = self.conn.cursor()
        if self.kind == "postgres":
            buf = io.StringIO()
            writer = csv.writer(buf)
            for row in rows:
                writer.writerow([_pg_value(row[c]) for c in columns])
                count += 1
                if count % 50_000 == 0:
                    count_flush(cur, self.table(table), columns, buf)
                    buf = io.StringIO()
                    writer = csv.writer(buf)
            count_flush(cur, self.table(table), columns, buf)
        else:
            marks = ", ".join("?" for _ in columns)
            batch = [[_sqlite_value(r[c]) for c in columns] for r in rows]
            cur.executemany(f"insert into {table} ({', '.join(columns)}) values ({marks})", batch)
            count = len(batch)
        self.conn.commit()
        return count

    def update(self, table: str, row_id: str, values: dict[str, Any]) -> None:
        conv = _pg_param if self.kind == "postgres" else _sqlite_value
        mark = "%s" if self.kind == "postgres" else "?"
        sets = ", ".join(f"{c} = {mark}" for c in values)
        params = [conv(v) for v in values.values()] + [row_id]
        self.conn.cursor().execute(f"update {self.table(table)} set {sets} where id = {mark}", params)

    def fetch(self, table: str) -> list[dict[str, Any]]:
        """Every row of a table, typed as the generator makes them (for independent checks)."""
        columns = [c for c, _ in TABLES[table]]
        cur = self.conn.cursor()
        cur.execute(f"select {', '.join(columns)} from {self.table(table)}")
        out = []
        for rec in cur.fetchall():
            row = dict(zip(columns, rec, strict=True))
            for c, t in TABLES[table]:
                if t.startswith("timestamptz") and row[c] is not None and self.kind == "sqlite":
                    row[c] = datetime.fromisoformat(row[c]).replace(tzinfo=UTC)
                if t.startswith("numeric") and row[c] is not None:
                    row[c] = Decimal(str(row[c]))
            out.append(row)
        return out


def count_flush(cur: Any, table: str, columns: list[str], buf: io.StringIO) -> None:
    buf.seek(0)
    cur.copy_expert(f"copy {table} ({', '.join(columns)}) from stdin with (format csv)", buf)


def _sqlite_type(pg_type: str) -> str:
    base = pg_type.split()[0]
    if base.endswith("[]") or base == "jsonb":
        return "JSON"
    if base.startswith("timestamptz"):
        return "DATETIME"
    if base.startswith("numeric"):
        return base.upper()
    if base in {"integer", "boolean", "text"}:
        return base.upper()
    if base == "double":
        return "FLOAT"
    if base == "uuid":
        return "VARCHAR(36)" + (" PRIMARY KEY" if "primary key" in pg_type else "")
    return "TEXT"


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _pg_value(value: Any) -> Any:
    """A value as PostgreSQL's CSV COPY reads it (empty unquoted field = null)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "{" + ",".join(str(v) for v in value) + "}"
    if isinstance(value, bool):
        return "t" if value else "f"
    return value


def _pg_param(value: Any) -> Any:
    return value


# ---------------------------------------------------------------------------- changes


def apply_changes(db: AutomationDB, opts: GenerateOptions, batch: int = 1, fraction: float = 0.02) -> dict:
    """Simulate time passing: new rows, status changes and resolutions. Returns what changed."""
    rng = random.Random(opts.seed * 1000 + batch)
    now = opts.now + timedelta(hours=batch)
    g = _Gen(rng, GenerateOptions(opts.seed, opts.scale, opts.days, now))
    changed: dict[str, int] = {}
    new_counts = {t: max(1, int(opts.rows(t) * fraction)) for t in TABLES}
    makers = {
        "assignment_logs": lambda: _assignment(g),
        "route_optimizations": lambda: _optimization(g),
        "traffic_incidents": lambda: _incident(g),
        "order_batches": lambda: _batch(g, 10_000_000 * batch + rng.randrange(1_000_000)),
        "escalation_logs": lambda: _escalation(g),
        "dispatch_alerts": lambda: _alert(g),
    }
    for table, make in makers.items():
        rows = [make() for _ in range(new_counts[table])]
        for r in rows:
            if "updated_at" in r:
                r["updated_at"] = now
        changed[f"{table}.inserted"] = db.insert(table, rows)

    # late updates of old rows: status changes and resolutions
    def pick(table: str, where: str) -> list[str]:
        cur = db.conn.cursor()
        cur.execute(f"select id from {db.table(table)} where {where} order by id")
        ids = [r[0] for r in cur.fetchall()]
        return rng.sample(ids, min(len(ids), max(1, int(len(ids) * fraction))))

    updates = {
        "escalation_logs": (
            "status <> 'resolved'",
            {"status": "resolved", "resolved_at": now, "resolution": "late"},
        ),
        "route_optimizations": (
            "status = 'pending'",
            {"status": "completed", "optimized_at": now - timedelta(minutes=5), "updated_at": now},
        ),
        "order_batches": ("status in ('pending', 'processing')", {"status": "failed", "updated_at": now}),
        "assignment_logs": (
            "assigned_at is null",
            {"assigned_at": now - timedelta(minutes=1), "updated_at": now},
        ),
        "dispatch_alerts": (
            "resolved_at is null",
            {"resolved": True, "status": "resolved", "resolved_at": now, "updated_at": now},
        ),
    }
    for table, (where, values) in updates.items():
        ids = pick(table, where)
        for row_id in ids:
            db.update(table, str(row_id), values)
        changed[f"{table}.updated"] = len(ids)
    db.conn.commit()
    return changed


def build(url: str, opts: GenerateOptions, schema: str = DEFAULT_SCHEMA) -> dict[str, int]:
    """Create the tables at ``url`` and fill them; returns rows written per table."""
    data = generate(opts)
    with AutomationDB(url, schema) as db:
        db.create()
        return {table: db.insert(table, rows) for table, rows in data.items()}


# ---------------------------------------------------------------------------- sandbox entry points

SANDBOX_PG_SCHEMA = "sandbox_automation"


def generate_into(settings: Settings, opts: SandboxOptions) -> dict[str, Any]:
    """Build the app database beside the warehouse: a SQLite file for DuckDB, a schema for PostgreSQL."""
    if settings.target != "postgres":
        path = settings.sandbox_dir / "automation.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        url, schema = f"sqlite:///{path}", None
    else:
        url, schema = settings.postgres.url(), SANDBOX_PG_SCHEMA
    gen = GenerateOptions(seed=opts.seed, scale=opts.scale, now=opts.now)
    rows = build(url, gen, schema=schema or DEFAULT_SCHEMA)
    return {
        "credentials": url,
        "schema": schema,
        "seed": opts.seed,
        "scale": opts.scale,
        "now": opts.now.isoformat(),
        "rows": rows,
        "batches": 0,
    }


def change_into(entry: dict[str, Any], batch: int) -> dict[str, int]:
    """Apply change batch ``batch`` to the sandbox described by ``entry``."""
    gen = GenerateOptions(seed=entry["seed"], scale=entry["scale"], now=datetime.fromisoformat(entry["now"]))
    with AutomationDB(entry["credentials"], entry["schema"] or DEFAULT_SCHEMA) as db:
        return apply_changes(db, gen, batch=batch)


def source_settings(entry: dict[str, Any]) -> dict[str, Any]:
    """What the automation source reads to reach this sandbox (``sources.automation``)."""
    return {"credentials": entry["credentials"], "schema": entry["schema"] or ""}

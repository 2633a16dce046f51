"""`elt health`: is every source landing and every mart there?

Per source (from the registry): last successful load and its age against the thresholds of
``[health]`` in ``.dlt/config.toml``, failed loads in the last 24 h (from the run history), and source
vs warehouse row counts where the source module can count its rows (``source_row_counts``). Per mart
(from dbt's manifest): present in the warehouse, its row count and the sources that feed it.
Severity: ok (exit 0), warning (1), critical (2); the worst one wins.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt

from extract.dbt import run_dbt
from extract.ops import history
from extract.redact import redact
from extract.settings import Settings, activate
from extract.sources import SourceSpec, select
from extract.warehouse import WarehouseUnavailable, connect, fetch, table_exists

OK, WARNING, CRITICAL = "ok", "warning", "critical"
LEVEL = {OK: 0, WARNING: 1, CRITICAL: 2}
DEFAULTS = {"warn_after_hours": 26.0, "error_after_hours": 50.0}


def threshold(source: str, name: str) -> float:
    """``[health.sources.<source>]`` first, then ``[health]``, then the built-in default."""
    for key in (f"health.sources.{source}.{name}", f"health.{name}"):
        value = dlt.config.get(key, float)
        if value is not None:
            return float(value)
    return DEFAULTS[name]


def worst(*statuses: str) -> str:
    return max(statuses, key=LEVEL.__getitem__, default=OK)


@dataclass
class SourceHealth:
    name: str
    status: str = OK
    last_success_at: str | None = None
    age_hours: float | None = None
    warn_after_hours: float | None = None
    error_after_hours: float | None = None
    failed_loads_24h: int = 0
    last_attempt: str | None = None
    row_counts: dict[str, dict[str, int | None]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def flag(self, status: str, message: str) -> None:
        self.status = worst(self.status, status)
        self.messages.append(message)


@dataclass
class MartHealth:
    name: str
    schema: str
    status: str = OK
    rows: int | None = None
    sources: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass
class HealthReport:
    target: str
    warehouse: str
    checked_at: str
    status: str = OK
    warehouse_status: str = OK
    warehouse_error: str | None = None
    sources: list[SourceHealth] = field(default_factory=list)
    marts: list[MartHealth] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return LEVEL[self.status]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)

    def lines(self) -> list[str]:
        out = [f"warehouse {self.target} {self.warehouse}: {self.warehouse_status}"]
        if self.warehouse_error:
            out[0] += f": {self.warehouse_error}"
        for s in self.sources:
            if s.last_success_at:
                when = f"last load {s.last_success_at} ({s.age_hours:.1f} h ago)"
            else:
                when = "never loaded"
            out.append(f"source {s.name}: {s.status}: {when}, {s.failed_loads_24h} failed loads in 24 h")
            for table, counts in sorted(s.row_counts.items()):
                out.append(f"  {table}: source {counts['source']}, warehouse {counts['warehouse']}")
            out += [f"  {m}" for m in s.messages]
        for m in self.marts:
            rows = "missing" if m.rows is None else f"{m.rows} rows"
            feeds = f" (from {', '.join(m.sources)})" if m.sources else ""
            out.append(f"mart {m.schema}.{m.name}: {m.status}: {rows}{feeds}")
            out += [f"  {msg}" for msg in m.messages]
        out.append(f"health: {self.status.upper()}")
        return out


def check(
    settings: Settings,
    *,
    only: list[str] | None = None,
    now: datetime | None = None,
) -> HealthReport:
    """The health of the registered sources (``only``: some of them) and of the marts they feed."""
    specs = select(only)
    activate(settings)
    now = now or datetime.now(UTC)
    report = HealthReport(settings.target, settings.warehouse_label, now.isoformat(timespec="seconds"))
    try:
        with connect(settings) as conn:
            for spec in specs:
                report.sources.append(_source_health(conn, settings, spec, now))
            report.marts = _marts_health(conn, settings, report.sources)
    except WarehouseUnavailable as exc:
        report.warehouse_status = CRITICAL
        report.warehouse_error = redact(str(exc))
        report.sources = [
            SourceHealth(s.name, status=CRITICAL, messages=["warehouse unreachable"]) for s in specs
        ]
    report.status = worst(
        report.warehouse_status, *(s.status for s in report.sources), *(m.status for m in report.marts)
    )
    return report


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _source_health(conn: Any, settings: Settings, spec: SourceSpec, now: datetime) -> SourceHealth:
    name = spec.name
    h = SourceHealth(
        name,
        warn_after_hours=threshold(name, "warn_after_hours"),
        error_after_hours=threshold(name, "error_after_hours"),
    )
    raw = f"raw_{name}"
    successes: list[datetime] = []
    if table_exists(conn, raw, "_dlt_loads"):
        found = fetch(conn, f"select max(inserted_at) from {raw}._dlt_loads where status = 0")
        if found and found[0][0] is not None:
            successes.append(_as_utc(found[0][0]))
    if table_exists(conn, history.DATASET, history.TABLE):
        table = f"{history.DATASET}.{history.TABLE}"
        ok = fetch(conn, f"select max(run_ended_at) from {table} where step = ? and status = 'ok'", (name,))
        if ok and ok[0][0] is not None:
            successes.append(_as_utc(ok[0][0]))
        since = now - timedelta(hours=24)
        failed = fetch(
            conn,
            f"select count(*) from {table} where step = ? and status = 'failed' and run_started_at >= ?",
            (name, since),
        )
        h.failed_loads_24h = int(failed[0][0]) if failed else 0
        last = fetch(
            conn,
            f"select status, error from {table} where step = ? and status <> 'dry_run' "
            "order by run_started_at desc limit 1",
            (name,),
        )
        if last:
            h.last_attempt = last[0][0]
            if last[0][0] == "failed":
                h.flag(CRITICAL, f"last load failed: {redact(last[0][1] or '')}")
        if h.failed_loads_24h and h.last_attempt != "failed":
            h.flag(WARNING, f"{h.failed_loads_24h} failed loads in the last 24 h")
    if not successes:
        h.flag(CRITICAL, "no successful load in the warehouse")
    else:
        last_ok = max(successes)
        h.last_success_at = last_ok.isoformat(timespec="seconds")
        age = (now - last_ok).total_seconds() / 3600
        h.age_hours = round(age, 4)
        stale = f"stale: last load {age:.1f} h ago"
        if age > h.error_after_hours:
            h.flag(CRITICAL, f"{stale} (error after {h.error_after_hours:g} h)")
        elif age > h.warn_after_hours:
            h.flag(WARNING, f"{stale} (warn after {h.warn_after_hours:g} h)")
    _row_counts(conn, settings, spec, h)
    return h


def _row_counts(conn: Any, settings: Settings, spec: SourceSpec, h: SourceHealth) -> None:
    """Compare source and warehouse rows where the source can count its rows (``row_counts``)."""
    if spec.row_counts is None:
        return
    try:
        at_source: dict[str, int] = spec.row_counts(settings)
    except Exception as exc:  # an unreachable source is a warning: the warehouse still serves
        h.flag(WARNING, f"source rows not counted: {type(exc).__name__}: {redact(str(exc).splitlines()[0])}")
        return
    for table, n in sorted(at_source.items()):
        landed = None
        if table_exists(conn, f"raw_{spec.name}", table):
            landed = int(fetch(conn, f"select count(*) from raw_{spec.name}.{table}")[0][0])
        h.row_counts[table] = {"source": n, "warehouse": landed}
        if landed != n:
            h.flag(WARNING, f"{table}: {n} rows at the source, {landed} in the warehouse")


def _manifest(settings: Settings) -> dict:
    path = settings.dbt_target_path / "manifest.json"
    if not path.exists():
        run_dbt(settings, ["parse"], quiet=True)
    return json.loads(path.read_text())


def _marts_health(conn: Any, settings: Settings, sources: list[SourceHealth]) -> list[MartHealth]:
    manifest = _manifest(settings)
    nodes = manifest.get("nodes", {})

    def feeding(unique_id: str, seen: set[str]) -> set[str]:
        if unique_id.startswith("source."):
            return {unique_id.split(".")[2]}
        if unique_id in seen or unique_id not in nodes:
            return set()
        seen.add(unique_id)
        out: set[str] = set()
        for parent in nodes[unique_id].get("depends_on", {}).get("nodes", []):
            out |= feeding(parent, seen)
        return out

    by_source = {s.name: s for s in sources}
    marts = []
    for unique_id, node in sorted(nodes.items()):
        if node.get("resource_type") != "model" or "marts" not in node.get("fqn", [])[:2]:
            continue
        mart = MartHealth(node.get("alias") or node["name"], node["schema"])
        mart.sources = sorted(feeding(unique_id, set()))
        if not set(mart.sources) & set(by_source):
            continue  # fed by no registered source (e.g. the ops models themselves)
        if table_exists(conn, mart.schema, mart.name):
            mart.rows = int(fetch(conn, f"select count(*) from {mart.schema}.{mart.name}")[0][0])
        else:
            mart.status = CRITICAL
            mart.messages.append("not built in the warehouse")
        for name in mart.sources:
            upstream = by_source.get(name)
            if upstream is not None and upstream.status != OK:
                mart.status = worst(mart.status, WARNING)
                mart.messages.append(f"source {name} is {upstream.status}")
        marts.append(mart)
    return sorted(marts, key=lambda m: (m.schema, m.name))

"""`elt health`: is every source landing and every mart there?

Per source (from the registry): the staleness verdict of ``dbt source freshness`` on each of its raw
tables (thresholds and ``loaded_at_field`` declared once, in dbt; a table not landed yet is reported as
such), the last successful load, failed loads in the last 24 h (from the run history), and source vs
warehouse row counts where the source module can count its rows (``source_row_counts``). Per mart
(from dbt's manifest): present in the warehouse, its row count and the sources that feed it.
Severity: ok (exit 0), warning (1), critical (2); the worst one wins.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from extract.dbt import run_dbt
from extract.ops import history
from extract.redact import redact
from extract.settings import Settings, activate
from extract.sources import SourceSpec, select
from extract.warehouse import WarehouseUnavailable, connect, fetch, table_exists

OK, WARNING, CRITICAL = "ok", "warning", "critical"
LEVEL = {OK: 0, WARNING: 1, CRITICAL: 2}
# dbt source freshness statuses -> health
FRESHNESS = {"pass": OK, "warn": WARNING, "error": CRITICAL}
_MISSING = ("does not exist", "undefinedtable", "no such table")


@dataclass
class Freshness:
    """One raw table's verdict from ``dbt source freshness``."""

    table: str
    status: str  # pass, warn, error, not landed, runtime error
    age_hours: float | None = None
    warn_after: str | None = None
    error_after: str | None = None
    message: str = ""


def _criterion(found: dict | None) -> str | None:
    if not found or found.get("count") is None:
        return None
    return f"{found['count']} {found['period']}"


def source_freshness(settings: Settings, names: list[str]) -> dict[str, list[Freshness]]:
    """``dbt source freshness`` on the sources ``names``: per source, a verdict per raw table."""
    result = run_dbt(
        settings,
        ["source", "freshness", "--select", *(f"source:{n}" for n in names)],
        check=False,
        silent=True,
    )
    out: dict[str, list[Freshness]] = {n: [] for n in names}
    for item in getattr(result.result, "results", None) or []:
        node = getattr(item, "node", None)
        if node is None or getattr(node, "source_name", None) not in out:  # on-run-start hooks too
            continue
        status = str(getattr(item.status, "value", item.status))
        message = " ".join(str(getattr(item, "message", "") or "").split())
        if status not in FRESHNESS and any(m in message.lower() for m in _MISSING):
            status = "not landed"
        criteria = node.freshness
        ago = getattr(item, "age", None)
        out[node.source_name].append(
            Freshness(
                node.name,
                status,
                round(ago / 3600, 4) if ago is not None else None,
                _criterion(criteria.warn_after.to_dict() if criteria and criteria.warn_after else None),
                _criterion(criteria.error_after.to_dict() if criteria and criteria.error_after else None),
                redact(message) if status not in FRESHNESS else "",
            )
        )
    if not any(out.values()) and not result.ok:
        first = next(iter(result.problems()), "dbt source freshness failed")
        for name in names:
            out[name] = [Freshness("*", "runtime error", message=redact(" ".join(first.split())))]
    return out


def worst(*statuses: str) -> str:
    return max(statuses, key=LEVEL.__getitem__, default=OK)


@dataclass
class SourceHealth:
    name: str
    status: str = OK
    last_success_at: str | None = None
    age_hours: float | None = None
    freshness: list[Freshness] = field(default_factory=list)
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
            for f in s.freshness:
                if f.status in FRESHNESS:
                    limits = f"warn after {f.warn_after}, error after {f.error_after}"
                    age = f"{f.age_hours:.1f} h old" if f.age_hours is not None else "age unknown"
                    out.append(f"  freshness {f.table}: {f.status}, {age} ({limits})")
                else:
                    out.append(f"  freshness {f.table}: {f.status}" + (f": {f.message}" if f.message else ""))
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
            fetch(conn, "select 1")
        fresh = source_freshness(settings, [s.name for s in specs])
        with connect(settings) as conn:
            for spec in specs:
                report.sources.append(_source_health(conn, settings, spec, now, fresh.get(spec.name, [])))
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


def _source_health(
    conn: Any, settings: Settings, spec: SourceSpec, now: datetime, freshness: list[Freshness]
) -> SourceHealth:
    name = spec.name
    h = SourceHealth(name, freshness=freshness)
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
        h.flag(CRITICAL, "not landed yet: no successful load in the warehouse")
    else:
        last_ok = max(successes)
        h.last_success_at = last_ok.isoformat(timespec="seconds")
        h.age_hours = round((now - last_ok).total_seconds() / 3600, 4)
    _freshness_verdict(h)
    _row_counts(conn, settings, spec, h)
    return h


def _freshness_verdict(h: SourceHealth) -> None:
    """Staleness from dbt's verdicts; tables not landed yet are named (all of them: critical)."""
    missing = [f.table for f in h.freshness if f.status == "not landed"]
    landed = [f for f in h.freshness if f.status != "not landed"]
    for f in landed:
        if f.status in ("warn", "error"):
            limit = f.warn_after if f.status == "warn" else f.error_after
            h.flag(
                FRESHNESS[f.status],
                f"stale: {f.table} last landed {f.age_hours:.1f} h ago (dbt: {f.status} after {limit})",
            )
        elif f.status not in FRESHNESS:
            h.flag(WARNING, f"freshness of {f.table} unknown: {f.message}")
    if missing and not landed and h.freshness:
        h.flag(CRITICAL, f"not landed yet: {', '.join(missing)}")
    elif missing:
        h.messages.append(f"not landed yet (optional or new tables): {', '.join(missing)}")


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
        run_dbt(settings, ["parse"], silent=True)
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

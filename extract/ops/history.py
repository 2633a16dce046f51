"""Run history: every `elt run` appends one row per source and one for dbt to ``ops.elt_run_history``.

Written with dlt (``append`` into dataset ``ops``), so it works on every warehouse dlt supports. Error
texts are redacted before they are stored. Health reads it for failed loads and last successes; the
dbt models ``stg_ops__elt_run_history`` and ``elt_runs`` show it in the docs site.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dlt

from extract.pipeline import make_pipeline
from extract.redact import redact
from extract.runner import RunReport
from extract.settings import Settings
from extract.warehouse import connect, fetch, table_exists

log = logging.getLogger(__name__)

DATASET = "ops"
TABLE = "elt_run_history"
COLUMNS: dict[str, dict[str, Any]] = {
    "run_id": {"data_type": "text", "nullable": False},
    "command": {"data_type": "text"},
    "target": {"data_type": "text"},
    "run_started_at": {"data_type": "timestamp", "nullable": False},
    "run_ended_at": {"data_type": "timestamp"},
    "step": {"data_type": "text", "nullable": False},
    "step_kind": {"data_type": "text", "nullable": False},
    "status": {"data_type": "text", "nullable": False},
    "rows_landed": {"data_type": "bigint"},
    "rows_by_table": {"data_type": "text"},
    "load_ids": {"data_type": "text"},
    "duration_seconds": {"data_type": "double"},
    "models_built": {"data_type": "bigint"},
    "tests_passed": {"data_type": "bigint"},
    "tests_failed": {"data_type": "bigint"},
    "error": {"data_type": "text"},
    "schema_drift": {"data_type": "text"},
}


def history_rows(
    report: RunReport, *, started: datetime, ended: datetime, command: str, target: str
) -> list[dict[str, Any]]:
    """The rows one run adds: one per source (ok or failed), one for dbt when it ran."""
    run_id = uuid.uuid4().hex
    base = {
        "run_id": run_id,
        "command": redact(command),
        "target": target,
        "run_started_at": started,
        "run_ended_at": ended,
    }
    rows = []
    for result in report.landed:
        rows.append(
            {
                **base,
                "step": result.source,
                "step_kind": "source",
                "status": "dry_run" if result.dry_run else "ok",
                "rows_landed": result.total_rows,
                "rows_by_table": ", ".join(f"{t}={n}" for t, n in sorted(result.rows.items())),
                "load_ids": ",".join(result.load_ids),
                "schema_drift": "; ".join(result.drift) or None,
                "duration_seconds": round(report.seconds.get(result.source, 0.0), 3),
            }
        )
    for name, error in report.failed.items():
        rows.append(
            {
                **base,
                "step": name,
                "step_kind": "source",
                "status": "failed",
                "rows_landed": 0,
                "duration_seconds": round(report.seconds.get(name, 0.0), 3),
                "error": redact(error),
            }
        )
    if report.dbt is not None:
        dbt = report.dbt
        rows.append(
            {
                **base,
                "step": "dbt",
                "step_kind": "dbt",
                "status": "ok" if dbt.ok else "failed",
                "duration_seconds": round(report.seconds.get("dbt", 0.0), 3),
                "models_built": dbt.count("model", "success"),
                "tests_passed": dbt.count("test", "pass") + dbt.count("unit_test", "pass"),
                "tests_failed": len(dbt.failures),
                "error": redact("\n".join(dbt.problems())) or None,
            }
        )
    return rows


def record(
    settings: Settings, report: RunReport, *, started: datetime, command: str, ended: datetime | None = None
) -> int:
    """Append the run to ``ops.elt_run_history``; returns rows written. A failure here is logged, not
    raised: the run itself already happened."""
    rows = history_rows(
        report, started=started, ended=ended or datetime.now(UTC), command=command, target=settings.target
    )
    if not rows:
        return 0
    try:
        pipeline = make_pipeline(settings, DATASET, dataset_name=DATASET, progress=False)
        resource = dlt.resource(rows, name=TABLE, write_disposition="append", columns=COLUMNS)
        pipeline.run(resource).raise_on_failed_jobs()
    except Exception as exc:  # the warehouse may be the thing that failed
        log.warning(
            "run history not recorded: %s", redact(str(exc).splitlines()[0] if str(exc) else repr(exc))
        )
        return 0
    return len(rows)


@dataclass
class HistoryRow:
    run_id: str
    run_started_at: datetime
    run_ended_at: datetime | None
    step: str
    status: str
    rows_landed: int | None
    duration_seconds: float | None
    models_built: int | None
    tests_passed: int | None
    tests_failed: int | None
    error: str | None


def last_runs(settings: Settings, limit: int = 10) -> list[tuple[str, list[HistoryRow]]]:
    """The newest ``limit`` runs, newest first, each with its steps."""
    with connect(settings) as conn:
        if not table_exists(conn, DATASET, TABLE):
            return []
        runs = fetch(
            conn,
            f"select run_id, max(run_started_at) as s from {DATASET}.{TABLE} "
            f"group by run_id order by s desc limit {int(limit)}",
        )
        if not runs:
            return []
        ids = [r[0] for r in runs]
        marks = ", ".join("?" for _ in ids)
        rows = fetch(
            conn,
            "select run_id, run_started_at, run_ended_at, step, status, rows_landed, duration_seconds, "
            f"models_built, tests_passed, tests_failed, error from {DATASET}.{TABLE} "
            f"where run_id in ({marks}) order by step_kind desc, step",
            tuple(ids),
        )
    by_run: dict[str, list[HistoryRow]] = {i: [] for i in ids}
    for r in rows:
        by_run[r[0]].append(HistoryRow(*r))
    return [(i, by_run[i]) for i in ids]


def format_runs(runs: list[tuple[str, list[HistoryRow]]]) -> list[str]:
    """Text for people: one header line per run, one line per step."""
    out: list[str] = []
    for run_id, steps in runs:
        first = steps[0]
        took = (first.run_ended_at - first.run_started_at).total_seconds() if first.run_ended_at else None
        failed = [s.step for s in steps if s.status == "failed"]
        state = f"FAILED ({', '.join(failed)})" if failed else "ok"
        took_text = f"{took:.1f}s" if took is not None else "?"
        out.append(f"{first.run_started_at:%Y-%m-%d %H:%M:%S} run {run_id[:8]} {state} in {took_text}")
        for s in steps:
            if s.step == "dbt":
                detail = (
                    f"{s.models_built} models built, {s.tests_passed} tests passed, {s.tests_failed} failed"
                )
            else:
                detail = f"{s.rows_landed or 0} rows"
            line = f"  {s.step}: {s.status}: {detail} in {s.duration_seconds or 0:.1f}s"
            if s.error:
                line += f": {s.error.splitlines()[0]}"
            out.append(line)
    return out

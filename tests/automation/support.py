"""An independent computation of the four daily statistics from the app rows (plain Python)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo


def _avg(values: list[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return fmean(present) if present else None


def _sum(values: list[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) if present else None


def _day(ts: datetime, zone: str) -> date:
    return ts.astimezone(ZoneInfo(zone)).date()


def _group(rows: list[dict], column: str, zone: str) -> dict[date, list[dict]]:
    days: dict[date, list[dict]] = defaultdict(list)
    for row in rows:
        if row[column] is not None:
            days[_day(row[column], zone)].append(row)
    return days


def assignment_stats(rows: list[dict], zone: str = "UTC") -> dict[date, dict]:
    out = {}
    for day, group in _group(rows, "assigned_at", zone).items():
        totals = [r["total_score"] for r in group if r["total_score"] is not None]
        out[day] = {
            "total_assignments": len(group),
            "auto_assigned": sum(r["assignment_type"] == "AUTO_ASSIGNED" for r in group),
            "force_assigned": sum(r["assignment_type"] == "FORCE_ASSIGNED" for r in group),
            "manual_assignments": sum(r["assignment_type"] == "MANUAL" for r in group),
            "avg_total_score": _avg([r["total_score"] for r in group]),
            "avg_distance_score": _avg([r["distance_score"] for r in group]),
            "avg_time_score": _avg([r["time_score"] for r in group]),
            "avg_load_score": _avg([r["load_score"] for r in group]),
            "avg_priority_score": _avg([r["priority_score"] for r in group]),
            "min_score": float(min(totals)) if totals else None,
            "max_score": float(max(totals)) if totals else None,
        }
    return out


def optimization_stats(rows: list[dict], zone: str = "UTC") -> dict[date, dict]:
    out = {}
    for day, group in _group(rows, "optimized_at", zone).items():
        out[day] = {
            "total_optimizations": len(group),
            "total_distance_saved_km": _sum([r["distance_saved_km"] for r in group]),
            "total_time_saved_minutes": _sum([r["time_saved_minutes"] for r in group]),
            "avg_distance_saved_km": _avg([r["distance_saved_km"] for r in group]),
            "avg_time_saved_minutes": _avg([r["time_saved_minutes"] for r in group]),
            "total_stops_reordered": sum(r["stops_reordered"] or 0 for r in group),
            "avg_improvement_percentage": _avg([r["improvement_percentage"] for r in group]),
            "completed_optimizations": sum(r["status"] == "completed" for r in group),
            "failed_optimizations": sum(r["status"] == "failed" for r in group),
        }
    return out


def batch_stats(rows: list[dict], zone: str = "UTC") -> dict[date, dict]:
    out = {}
    for day, group in _group(rows, "created_at", zone).items():
        counts = [r["order_count"] for r in group if r["order_count"] is not None]
        out[day] = {
            "total_batches": len(group),
            "total_orders_batched": sum(counts),
            "avg_orders_per_batch": _avg(counts),
            "min_orders_per_batch": min(counts) if counts else None,
            "max_orders_per_batch": max(counts) if counts else None,
            "total_distance_km": _sum([r["total_distance_km"] for r in group]),
            "avg_distance_per_batch": _avg([r["total_distance_km"] for r in group]),
            "total_value": _sum([r["total_value"] for r in group]),
            "avg_success_rate": _avg([r["delivery_success_rate"] for r in group]),
            "completed_batches": sum(r["status"] == "completed" for r in group),
            "failed_batches": sum(r["status"] == "failed" for r in group),
        }
    return out


def escalation_stats(rows: list[dict], zone: str = "UTC") -> dict[date, dict]:
    out = {}
    for day, group in _group(rows, "created_at", zone).items():
        out[day] = {
            "total_escalations": len(group),
            "sla_risk_escalations": sum(r["escalation_type"] == "SLA_RISK" for r in group),
            "stuck_order_escalations": sum(r["escalation_type"] == "STUCK_ORDER" for r in group),
            "unresponsive_driver_escalations": sum(
                r["escalation_type"] == "UNRESPONSIVE_DRIVER" for r in group
            ),
            "failed_delivery_escalations": sum(r["escalation_type"] == "FAILED_DELIVERY" for r in group),
            "critical_escalations": sum(r["severity"] == "critical" for r in group),
            "high_escalations": sum(r["severity"] == "high" for r in group),
            "resolved_escalations": sum(r["status"] == "resolved" for r in group),
            "open_escalations": sum(r["status"] == "open" for r in group),
            "avg_delay_minutes": _avg([r["current_delay_minutes"] for r in group]),
        }
    return out


# mart -> (source table, function, the date column that defines its day)
MARTS = {
    "auto_dispatch_stats": ("assignment_logs", assignment_stats, "assigned_at"),
    "route_optimization_stats": ("route_optimizations", optimization_stats, "optimized_at"),
    "batch_performance_stats": ("order_batches", batch_stats, "created_at"),
    "escalation_stats": ("escalation_logs", escalation_stats, "created_at"),
}

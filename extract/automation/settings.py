"""Dispatch automation (domain §4): the six app tables and how they are read."""

TABLES = (
    "assignment_logs",
    "route_optimizations",
    "traffic_incidents",
    "order_batches",
    "escalation_logs",
    "dispatch_alerts",
)
# Rows change after insert (status, resolved_at): loads follow this column where the table has it.
CURSOR_COLUMN = "updated_at"
CHUNK_SIZE = 50_000
# Schema contract: the columns the daily statistics read; a table that loses one fails the automation run
# naming it, before anything loads (``extract.pipeline.require_columns``)
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "assignment_logs": (
        "id",
        "assignment_type",
        "total_score",
        "distance_score",
        "time_score",
        "load_score",
        "priority_score",
        "assigned_at",
    ),
    "route_optimizations": (
        "id",
        "optimized_at",
        "distance_saved_km",
        "time_saved_minutes",
        "stops_reordered",
        "improvement_percentage",
        "status",
    ),
    "order_batches": (
        "id",
        "created_at",
        "order_count",
        "total_distance_km",
        "total_value",
        "delivery_success_rate",
        "status",
    ),
    "escalation_logs": ("id", "created_at", "escalation_type", "severity", "status", "current_delay_minutes"),
}

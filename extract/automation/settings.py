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

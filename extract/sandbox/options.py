"""Seed, size and clock of a generated sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def _today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class SandboxOptions:
    """Seed, size and the moment the generated history ends (default: today, 00:00 UTC)."""

    seed: int = 42
    scale: float = 1.0
    now: datetime = field(default_factory=_today)

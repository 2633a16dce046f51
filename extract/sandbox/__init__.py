"""A local, seeded sandbox of every source system, so the demo, tests and benchmarks run offline.

Each system has a module here with ``generate_into(settings, opts) -> dict`` that builds its sandbox
and returns what the extractor needs to reach it (URLs, schemas, folders). Those entries are kept in
``<sandbox_dir>/manifest.json`` so ``elt run --sandbox`` finds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from extract.config import Settings

MANIFEST = "manifest.json"


def _today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class SandboxOptions:
    """Seed, size and the moment the generated history ends (default: today, 00:00 UTC)."""

    seed: int = 42
    scale: float = 1.0
    now: datetime = field(default_factory=_today)


def manifest_path(settings: Settings) -> Path:
    return settings.sandbox_dir / MANIFEST


def read_manifest(settings: Settings) -> dict[str, Any]:
    path = manifest_path(settings)
    return json.loads(path.read_text()) if path.exists() else {}


# The warehouse password never goes into the manifest: entries keep a placeholder, put back on reading.
_PASSWORD_MARK = "${PGPASSWORD}"
_PASSWORD_URL_MARK = "${PGPASSWORD:url}"


def _swap(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _swap(v, pairs) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, pairs) for v in value]
    return value


def _password_pairs(settings: Settings) -> list[tuple[str, str]]:
    password = settings.postgres.password
    if len(password) < 4:  # an empty (trust auth) or trivial password: nothing worth masking
        return []
    return [(quote(password, safe=""), _PASSWORD_URL_MARK), (password, _PASSWORD_MARK)]


def write_entry(settings: Settings, system: str, entry: dict[str, Any]) -> None:
    settings.sandbox_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(settings)
    manifest[system] = _swap(entry, _password_pairs(settings))
    manifest_path(settings).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))


def entry(settings: Settings, system: str) -> dict[str, Any]:
    """The sandbox entry of ``system``; a clear error when it was never generated."""
    manifest = read_manifest(settings)
    if system not in manifest:
        raise LookupError(
            f"no sandbox for {system!r} in {manifest_path(settings)}: run `elt sandbox generate` first"
        )
    password = settings.postgres.password
    marks = [(_PASSWORD_URL_MARK, quote(password, safe="")), (_PASSWORD_MARK, password)]
    return _swap(manifest[system], marks)

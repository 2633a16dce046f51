"""A local, seeded stand-in for every source system, so the demo, tests and benchmarks run offline.

The sandbox only generates the source systems, serves the two HTTP APIs, and writes their connection
settings where dlt reads settings: the source settings file ``<sandbox_dir>/sources.toml`` (see
``extract.settings``). Every source then reads the sandbox exactly as it reads a real system.

- ``generate``: build each system (databases, CSV exports, API state) and record it in
  ``manifest.json`` (the sandbox's own bookkeeping: seeds, row counts, change batches);
- ``write_settings`` / ``remove_settings``: point the sources at the sandbox, or back at ``.dlt/``;
- ``serving``: start the e-Track and Relbase servers on their recorded ports for a block;
- ``change``: apply a change batch (time passing at the sources).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import tomlkit

from extract.sandbox import automation, fleet, inventory, traffic
from extract.sandbox.options import SandboxOptions
from extract.settings import Settings

__all__ = ["SYSTEMS", "SandboxOptions", "change", "entry", "generate", "serving", "write_settings"]

MANIFEST = "manifest.json"
SYSTEMS: dict[str, ModuleType] = {
    "automation": automation,
    "traffic": traffic,
    "inventory": inventory,
    "fleet": fleet,
}
# sandbox size in `elt demo`, relative to --scale: the Relbase sandbox keeps the real 7 requests/s
# limit, so 60 products keep the demo short
DEMO_SCALE = {"inventory": 0.2}
_SERVED = ("fleet", "inventory")


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


def write_entry(settings: Settings, system: str, found: dict[str, Any]) -> None:
    """Record ``system`` in the manifest and rewrite the source settings file from it."""
    settings.sandbox_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(settings)
    manifest[system] = _swap(found, _password_pairs(settings))
    manifest_path(settings).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
    write_settings(settings)


def entry(settings: Settings, system: str) -> dict[str, Any]:
    """The sandbox entry of ``system``; a clear error when it was never generated."""
    manifest = read_manifest(settings)
    if system not in manifest:
        raise LookupError(
            f"no sandbox for {system!r} in {manifest_path(settings)}: run `elt sandbox up` first"
        )
    password = settings.postgres.password
    marks = [(_PASSWORD_URL_MARK, quote(password, safe="")), (_PASSWORD_MARK, password)]
    return _swap(manifest[system], marks)


# Passwords stay out of the settings file: libpq (psycopg2, the ODBC driver) reads PGPASSWORD itself.
_URL_SECRET = re.compile(r"(://[^:/@\s]+):[^@\s]*@")
_ODBC_SECRET = re.compile(r"Pwd=(\{[^}]*\}|[^;]*);?", re.IGNORECASE)


def _without_passwords(value: Any) -> Any:
    if isinstance(value, str):
        return _ODBC_SECRET.sub("", _URL_SECRET.sub(r"\1@", value))
    return value


def write_settings(settings: Settings) -> Path:
    """Write ``sources.toml``: the dlt settings of every generated system, under ``sources.<name>``."""
    manifest = read_manifest(settings)
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Written by `elt sandbox`: every source points at the local sandbox."))
    doc.add(tomlkit.comment("`elt sandbox down` removes this file; the sources then use .dlt/ and env."))
    sources = tomlkit.table(is_super_table=True)
    for name, module in SYSTEMS.items():
        if name in manifest:
            values = module.source_settings(manifest[name])
            sources[name] = {k: _without_passwords(v) for k, v in values.items() if v is not None}
    doc["sources"] = sources
    path = settings.source_settings_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomlkit.dumps(doc))
    return path


def remove_settings(settings: Settings) -> bool:
    """Stop pointing the sources at the sandbox (its data stays); True when a file was removed."""
    path = settings.source_settings_file
    if path.exists():
        path.unlink()
        return True
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def generate(settings: Settings, only: list[str] | None, opts: SandboxOptions) -> dict[str, dict]:
    """Build the sandbox of each selected system, record it and point the sources at it."""
    made = {}
    for name in only or SYSTEMS:
        if name not in SYSTEMS:
            raise ValueError(f"unknown source {name}; known: {', '.join(SYSTEMS)}")
        found = SYSTEMS[name].generate_into(settings, opts)
        if name in _SERVED:
            found["port"] = free_port()
        write_entry(settings, name, found)
        made[name] = found
    return made


def change(settings: Settings, only: list[str] | None) -> dict[str, dict[str, int]]:
    """Apply the next change batch to each selected (generated) system."""
    changed = {}
    for name in only or [n for n in SYSTEMS if n in read_manifest(settings)]:
        found = entry(settings, name)
        batch = int(found.get("batches", 0)) + 1
        changed[name] = SYSTEMS[name].change_into(found, batch)
        found["batches"] = batch
        write_entry(settings, name, found)
    return changed


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def serving(settings: Settings) -> Iterator[list[str]]:
    """Serve the generated APIs on their recorded ports for the block (those already served elsewhere,
    e.g. by `elt sandbox serve`, are left alone). Yields the URLs started."""
    from extract.sandbox.etrac_server import EtracServer
    from extract.sandbox.relbase_server import RelbaseServer

    manifest = read_manifest(settings) if settings.source_settings_file.exists() else {}
    started: list[str] = []
    with ExitStack() as stack:
        for name in _SERVED:
            if name not in manifest or "port" not in manifest[name]:
                continue
            port = int(manifest[name]["port"])
            if _listening(port):
                continue
            found = entry(settings, name)
            if name == "fleet":
                server: Any = stack.enter_context(EtracServer(found, port=port))
            else:
                server = stack.enter_context(RelbaseServer.from_entry(found, port=port))
            started.append(server.url)
        yield started

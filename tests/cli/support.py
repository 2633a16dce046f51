"""Support of the CLI tests: run `elt` with no source settings in its environment."""

from __future__ import annotations

import subprocess

from extract.settings import LEGACY_ENV, PROJECT_ROOT, Settings
from tests.support import elt_argv, elt_env


def elt_bare(settings: Settings, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """`elt ARGS` in a subprocess whose environment carries no source setting (dlt or legacy names)."""
    legacy = {item.env for item in LEGACY_ENV}
    env = {k: v for k, v in elt_env(settings, **extra).items() if not k.startswith("SOURCES__") or k in extra}
    env = {k: v for k, v in env.items() if k not in legacy or k in extra}
    return subprocess.run(
        elt_argv(*args), env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600
    )

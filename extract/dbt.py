"""Run dbt-core in-process (``dbtRunner``) against the configured warehouse and summarise it.

dbt prints its own log (errors always, even with ``--quiet``); the result keeps every node's status
and the full text of every error, so callers never parse output.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from extract.progress import DbtProgress
from extract.settings import PROJECT_ROOT, Settings
from extract.warehouse import lake_tables, spark_session

FAILED_STATUSES = {"error", "fail", "runtime error"}


class DbtError(RuntimeError):
    """dbt failed; the message carries its failing nodes or its error."""


@dataclass
class DbtResult:
    """The outcome of one dbt invocation."""

    command: list[str]
    success: bool
    statuses: Counter = field(default_factory=Counter)
    by_type: dict[str, Counter] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    error: str | None = None
    result: Any = None
    logged_errors: list[str] = field(default_factory=list)
    logged_warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.success

    def count(self, resource_type: str, *statuses: str) -> int:
        counter = self.by_type.get(resource_type, Counter())
        return sum(counter[s] for s in statuses) if statuses else sum(counter.values())

    def problems(self) -> list[str]:
        """Every error dbt reported, in full: failing nodes, else the invocation's own error, else the
        errors dbt logged (they reach the output even when its log went nowhere)."""
        if self.failures:
            return self.failures
        if self.error:
            return [self.error]
        return self.logged_errors

    @property
    def nothing_selected(self) -> bool:
        return bool(self.error and self.error.startswith("nothing selected"))

    def details(self) -> list[str]:
        """The lines to print under ``describe()``: each failing node, or the rest of dbt's errors."""
        return self.failures or self.problems()[1:]

    def describe(self) -> str:
        if not self.ok and not self.failures:
            first = next(iter(self.problems()), "dbt reported a failure")
            return f"dbt {self.command[0]}: FAILED: {' '.join(first.split())}"
        models = self.count("model", "success")
        tests = self.count("test", "pass") + self.count("unit_test", "pass")
        return (
            f"dbt {self.command[0]}: {models} models built, {tests} tests passed, {len(self.failures)} failed"
        )


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (dbt reads its profile's env_var() at invocation)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open between invocations of one process; close it, so dlt, readers
    and other processes can open the file."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - adapter not installed
        return
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            try:
                DuckDBConnectionManager._ENV.close()
            finally:
                DuckDBConnectionManager._ENV = None


def run_dbt(
    settings: Settings,
    args: list[str],
    *,
    vars: dict | None = None,
    check: bool = True,
    quiet: bool = False,
    silent: bool = False,
    callbacks: list[Callable[[Any], None]] | None = None,
) -> DbtResult:
    """Run ``dbt <args>`` in-process with the project's profile and the settings' warehouse."""
    from dbt.cli.main import dbtRunner

    cli = [
        *args,
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(settings.dbt_target_path),
    ]
    if settings.target == "spark":
        vars = {"lake_tables": lake_tables(settings), **(vars or {})}
        spark_session(settings)  # started here, with its log levels, for dbt-spark's `session` method
    if vars:
        cli += ["--vars", json.dumps(vars)]
    if silent:  # nothing on stdout (its errors are kept in the result): e.g. under `--json` output
        cli += ["--log-level", "none"]
    elif quiet:
        cli.append("--quiet")
    if not sys.stdout.isatty():
        cli.append("--no-use-colors")
    logged = _EventLog()
    # live progress of a build (nodes done of total, models built); not when its output goes nowhere
    progress = DbtProgress(f"dbt {args[0]}") if args and args[0] == "build" and not silent else None
    env = {
        **settings.dbt_env(),
        "DBT_LOG_PATH": os.environ.get("DBT_LOG_PATH") or str(settings.dbt_target_path.parent / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    with _environment(env):
        try:
            watchers = [logged, *([progress] if progress else []), *(callbacks or [])]
            outcome = dbtRunner(callbacks=watchers).invoke(cli)
        finally:
            if progress is not None:
                progress.close()
            if settings.target == "duckdb":
                _release_duckdb()
    result = _summarise(args, outcome, logged)
    if check and not result.ok:
        detail = "\n".join(result.problems())
        raise DbtError(f"dbt {' '.join(args)} failed:\n{detail}")
    return result


class _EventLog:
    """A dbt callback that keeps the text of every warning and error dbt logs, whatever its log level."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.names: set[str] = set()

    def __call__(self, event: Any) -> None:
        level = getattr(event.info, "level", "")
        if level not in ("warn", "error"):
            return
        self.names.add(event.info.name)
        text = (event.info.msg or "").strip()
        if text:
            (self.errors if level == "error" else self.warnings).append(_ANSI.sub("", text))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# dbt's events for a selection that matches nothing
_NOTHING_SELECTED = {"NoNodesForSelectionCriteria", "NothingToDo"}
_SELECTING = {"build", "run", "test", "seed", "snapshot", "compile", "show"}


def _summarise(args: list[str], outcome: Any, logged: _EventLog | None = None) -> DbtResult:
    logged = logged or _EventLog()
    result = DbtResult(command=list(args), success=bool(outcome.success), result=outcome.result)
    result.logged_errors = logged.errors
    result.logged_warnings = logged.warnings
    if outcome.exception is not None:
        result.error = f"{type(outcome.exception).__name__}: {outcome.exception}".strip()
    for item in getattr(outcome.result, "results", None) or []:
        node = getattr(item, "node", None)
        unique_id = getattr(node, "unique_id", "") or ""
        resource_type = unique_id.split(".", 1)[0]
        status = str(getattr(item.status, "value", item.status))
        result.statuses[status] += 1
        result.by_type.setdefault(resource_type, Counter())[status] += 1
        if status in FAILED_STATUSES:
            message = (item.message or "").strip()
            result.failures.append(f"{unique_id}: {status}: {message}")
    selected = getattr(outcome.result, "results", None)
    if (
        result.success
        and args
        and args[0] in _SELECTING
        and not selected
        and logged.names & _NOTHING_SELECTED
    ):
        result.success = False
        said = [w for w in logged.warnings if "does not match" in w] or logged.warnings
        result.error = "nothing selected: " + " ".join(" ".join(w.split()) for w in said[:3])
    if not result.success and not result.failures and result.error is None and not result.logged_errors:
        result.error = "dbt reported a failure (see its log above)"
    return result

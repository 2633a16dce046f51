"""Run dbt-core against the configured warehouse and summarise what it did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from extract.config import PROJECT_ROOT, Settings


class DbtError(RuntimeError):
    """dbt exited with an error; the message carries its failing nodes."""


@dataclass
class DbtResult:
    """The outcome of one dbt invocation, read from its run_results.json."""

    command: list[str]
    returncode: int
    statuses: Counter = field(default_factory=Counter)
    by_type: dict[str, Counter] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def count(self, resource_type: str, *statuses: str) -> int:
        counter = self.by_type.get(resource_type, Counter())
        return sum(counter[s] for s in statuses) if statuses else sum(counter.values())

    def describe(self) -> str:
        models = self.count("model", "success")
        tests = self.count("test", "pass") + self.count("unit_test", "pass")
        failed = len(self.failures)
        return f"dbt {self.command[0]}: {models} models built, {tests} tests passed, {failed} failed"


def dbt_executable() -> str:
    """The dbt entry point installed beside this interpreter."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    settings: Settings,
    args: list[str],
    *,
    vars: dict | None = None,
    check: bool = True,
    quiet: bool = False,
) -> DbtResult:
    """Run ``dbt <args>`` in a subprocess with the project's profile and the settings' warehouse."""
    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(settings.dbt_target_path),
    ]
    if vars:
        cmd += ["--vars", json.dumps(vars)]
    env = {**os.environ, **settings.dbt_env()}
    env.setdefault("DBT_LOG_PATH", str(settings.dbt_target_path.parent / "logs"))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    results_file = settings.dbt_target_path / "run_results.json"
    if results_file.exists():
        results_file.unlink()
    proc = subprocess.run(
        cmd,
        cwd=PROJECT_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    )
    result = _read_results(args, proc.returncode, results_file)
    if check and proc.returncode != 0:
        detail = "\n".join(result.failures) or (proc.stdout or "")[-4000:]
        raise DbtError(f"dbt {' '.join(args)} failed (exit {proc.returncode}):\n{detail}")
    return result


def _read_results(args: list[str], returncode: int, path: Path) -> DbtResult:
    result = DbtResult(command=args, returncode=returncode)
    if not path.exists():
        return result
    data = json.loads(path.read_text())
    for item in data.get("results", []):
        unique_id: str = item.get("unique_id", "")
        resource_type = unique_id.split(".", 1)[0]
        status = str(item.get("status"))
        result.statuses[status] += 1
        result.by_type.setdefault(resource_type, Counter())[status] += 1
        if status in {"error", "fail", "runtime error"}:
            message = (item.get("message") or "").strip().splitlines()
            result.failures.append(f"{unique_id}: {status}: {message[0] if message else ''}")
    return result

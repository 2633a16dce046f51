"""A second `elt demo` with nothing new: its wall time against the 15 s goal (issue 10).

Runs `elt demo` twice in a temp folder (a fresh sandbox and DuckDB warehouse), then reports the time
of each and what the second one did: rows inserted or updated, dbt build skipped or not, docs reused.
`python -m tests.benchmarks demo [--scale 0.3] [--goal 15]`
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extract.settings import PROJECT_ROOT


def _demo(root: Path, scale: float) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELT_", "DBT_", "SOURCES__"))}
    env.update(
        {
            "ELT_TARGET": "duckdb",
            "ELT_DUCKDB_PATH": str(root / "logistics.duckdb"),
            "ELT_SANDBOX_DIR": str(root / "sandbox"),
            "ELT_PIPELINES_DIR": str(root / "pipelines"),
            "DBT_TARGET_PATH": str(root / "target"),
            "DBT_LOG_PATH": str(root / "logs"),
        }
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "extract.cli", "demo", "--scale", str(scale)],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(
            f"elt demo failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return seconds, proc.stdout


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_demo")
    parser.add_argument("--scale", type=float, default=1.0, help="sandbox scale of the first demo")
    parser.add_argument("--goal", type=float, default=15.0, help="seconds the second demo may take")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="elt-bench-demo-") as tmp:
        first, _ = _demo(Path(tmp), args.scale)
        second, out = _demo(Path(tmp), args.scale)
    summary = out[out.find("=== logistics-elt demo summary ===") :]
    print(f"first demo: {first:.1f} s; second demo: {second:.1f} s (goal {args.goal:g} s)")
    print(summary)
    met = second <= args.goal
    print(f"second demo {'meets' if met else 'MISSES'} the {args.goal:g} s goal")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

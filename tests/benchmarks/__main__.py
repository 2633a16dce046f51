"""Run the benchmarks (`bench_*.py` here), all or those named: `python -m tests.benchmarks [name ...]`."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import tests.benchmarks as package


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_"))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv] or names
    status = 0
    for name in wanted:
        if name not in names:
            print(f"no benchmark {name}; have {', '.join(names)}", file=sys.stderr)
            return 2
        print(f"\n##### {name}")
        status |= importlib.import_module(f"tests.benchmarks.{name}").main([]) or 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

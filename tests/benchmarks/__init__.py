"""Benchmarks (speed and memory): `make bench`. Not collected by pytest (modules are bench_*.py)."""

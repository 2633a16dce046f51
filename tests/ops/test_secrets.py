"""Secrets hygiene: a full sandbox run and the docs, with recognisable fake secrets in the environment,
leave none of them in any file they wrote, in the warehouse's text columns, or on stdout/stderr."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from extract.settings import Settings
from tests.support import elt

# end-to-end tier: sandbox -> dlt -> dbt (`make test`; `make test-fast` leaves it out)
pytestmark = pytest.mark.e2e

SECRETS = {
    "PGPASSWORD": "FAKEpgPass-4817",
    "RELBASE_COMPANY_TOKEN": "FAKEcompanyTok-2291",
    "RELBASE_USER_TOKEN": "FAKEuserTok-7730",
    "ETRAC_KEY": "FAKEetracKey-5512",
    # not read by a sandbox run, but must not leak from the configuration either
    "SOURCES__AUTOMATION__CREDENTIALS": "postgresql://reader:FAKEautoPw-3391@127.0.0.1:1/app",
    "TRAFFIC_SALIDAS_ODBC": "Driver={PostgreSQL Unicode};Server=127.0.0.1;Uid=u;Pwd=FAKEodbcPw-6604;",
}
NEEDLES = [
    "FAKEpgPass-4817",
    "FAKEcompanyTok-2291",
    "FAKEuserTok-7730",
    "FAKEetracKey-5512",
    "FAKEautoPw-3391",
    "FAKEodbcPw-6604",
]


def _files_with_secrets(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found += [f"{path}: {n}" for n in NEEDLES if n.encode() in data]
    return found


def _warehouse_text_with_secrets(settings: Settings) -> list[str]:
    """DuckDB compresses strings on disk, so the text columns are also searched by query."""
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        found = []
        for schema, table, column in columns:
            for needle in NEEDLES:
                sql = f'select count(*) from "{schema}"."{table}" where "{column}" like ?'
                if con.execute(sql, (f"%{needle}%",)).fetchone()[0]:
                    found.append(f"{schema}.{table}.{column}: {needle}")
        return found
    finally:
        con.close()


def test_full_sandbox_run_and_docs_leak_no_secret(duckdb_settings: Settings, tmp_path: Path) -> None:
    outputs = []
    for args in (
        ("sandbox", "generate", "--scale", "0.05"),
        ("run",),
        ("docs",),
        ("history",),
        ("health", "--json"),
    ):
        proc = elt(duckdb_settings, *args, cwd=tmp_path, **SECRETS)
        outputs.append(proc.stdout + proc.stderr)
        if args[0] in {"sandbox", "run", "docs"}:
            assert proc.returncode == 0, proc.stdout + proc.stderr
    leaks = [f"output of elt: {n}" for text in outputs for n in NEEDLES if n in text]
    leaks += _files_with_secrets(tmp_path)  # warehouse, sandbox, pipelines, dbt target and logs, lake
    leaks += _warehouse_text_with_secrets(duckdb_settings)
    assert not leaks, leaks
    assert "run " in outputs[3]  # the run was recorded

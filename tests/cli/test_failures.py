"""Every failure prints one line with its cause and a documented exit code; never a traceback.

Each test is a row of the table of issue 10 ("The operator's experience"), run as a user would: the
`elt` command in a subprocess, its output on a pipe.
"""

from __future__ import annotations

from extract.exit_codes import EXIT_FAILED, EXIT_USAGE
from extract.settings import Settings
from tests.cli.support import elt_bare as elt


def _no_traceback(proc) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_unknown_table_is_rejected_before_any_work(bare: Settings) -> None:
    proc = elt(bare, "run", "--table", "nope")
    assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr
    assert "unknown table nope" in proc.stderr and "arribos" in proc.stderr
    assert "FAILED" not in proc.stdout  # no source ran
    assert not bare.dlt_pipelines_dir.exists() or not list(bare.dlt_pipelines_dir.rglob("*.lock"))
    _no_traceback(proc)


def test_missing_credentials_name_the_variable_and_exit_2(bare: Settings) -> None:
    """Every unconfigured source fails on its own line naming the variable to set; the run exits 2."""
    proc = elt(bare, "run", "--no-build")
    assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr
    for source, variable in (
        ("automation", "SOURCES__AUTOMATION__CREDENTIALS"),
        ("traffic", "SOURCES__TRAFFIC__CREDENTIALS"),
        ("fleet", "ETRAC_API_BASE"),
        ("inventory", "RELBASE_COMPANY_TOKEN"),
    ):
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith(f"{source}: FAILED"))
        assert variable in line and "Missing 1 field" not in line
    _no_traceback(proc)


def test_same_condition_same_code_in_every_command(bare: Settings) -> None:
    """Missing credentials are exit 2 in `run`, `fleet` and `inventory download` alike, one line each."""
    fleet = elt(bare, "fleet", "history", "--plate", "ABC1D23", "--date", "2026-01-01")
    inventory = elt(bare, "inventory", "download")
    for proc, variable in ((fleet, "ETRAC_API_BASE"), (inventory, "RELBASE_COMPANY_TOKEN")):
        assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr
        assert variable in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        _no_traceback(proc)


def test_history_with_the_warehouse_unreachable_is_one_line(bare: Settings) -> None:
    proc = elt(bare, "history", ELT_TARGET="postgres", PGHOST="127.0.0.1", PGPORT="1", PGPASSWORD="s3cr3t-pw")
    assert proc.returncode == EXIT_FAILED
    assert proc.stderr.startswith("elt history: FAILED: warehouse unreachable: ")
    assert "127.0.0.1" in proc.stderr and "s3cr3t-pw" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    _no_traceback(proc)


def test_verbose_adds_the_chain(bare: Settings) -> None:
    proc = elt(bare, "history", "-v", ELT_TARGET="postgres", PGHOST="127.0.0.1", PGPORT="1")
    assert proc.returncode == EXIT_FAILED
    lines = proc.stderr.strip().splitlines()
    assert any("WarehouseUnavailable" in ln for ln in lines[1:])
    assert any("OperationalError" in ln for ln in lines[1:])


def test_build_with_a_wrong_port_shows_dbt_error_on_a_pipe(bare: Settings) -> None:
    proc = elt(bare, "build", ELT_TARGET="postgres", PGHOST="127.0.0.1", PGPORT="1")
    assert proc.returncode == EXIT_FAILED
    summary = next(ln for ln in proc.stdout.splitlines() if ln.startswith("dbt build:"))
    assert "FAILED" in summary and "port 1 failed" in summary, proc.stdout
    _no_traceback(proc)


def test_empty_selection_is_an_error(bare: Settings) -> None:
    proc = elt(bare, "build", "--select", "nope")
    assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr
    assert "nothing selected" in proc.stdout and "'nope' does not match" in proc.stdout

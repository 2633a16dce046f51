"""The cause of a failure survives dlt's wrapping: the run's line and `elt history` carry the innermost
meaningful message (with the file name), secrets masked; Ctrl-C and usage errors have their own codes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract import cli
from extract.errors import chain, exit_code, explain
from extract.exit_codes import EXIT_BUSY, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE
from extract.locks import LockBusy
from extract.ops import history
from extract.pipeline import RunOptions, land
from extract.runner import run
from extract.settings import ConfigError, Settings
from extract.sources import SourceSpec
from extract.traffic.csv_exports import csv_resource


def _malformed_export(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "arribos_semana.csv").write_text("Contenedor,Cliente\nOOCU-048760-4,Acme\nX,Y,Z,extra\n")


def test_malformed_csv_reports_the_file_and_the_reason_in_run_and_history(duckdb_settings: Settings) -> None:
    folder = duckdb_settings.sandbox_dir / "csv"
    _malformed_export(folder)

    def land_csv(settings: Settings, opts: RunOptions):
        return land(settings, "csvcheck", csv_resource(folder, "csv_arribos_semana"))

    spec = SourceSpec("csvcheck", land_csv, ("csv_arribos_semana",))
    report = run(duckdb_settings, [spec], RunOptions(), build=False)
    error = report.failed["csvcheck"]
    assert error.startswith("weekly export arribos_semana.csv is malformed")
    assert "Expected 2 columns, got 4" in error
    assert "PipelineStepFailed" not in error and "\n" not in error
    assert any("PipelineStepFailed" in layer for layer in report.chains["csvcheck"])
    assert report.exit_code == EXIT_FAILED
    verbose = report.lines(verbose=True)
    assert any(line.strip().startswith("PipelineStepFailed") for line in verbose)

    started = datetime.now(UTC)
    assert history.record(duckdb_settings, report, started=started, command="elt run") == 1
    lines = history.format_runs(history.last_runs(duckdb_settings, 1))
    assert any(error in line for line in lines), lines


def test_secrets_are_masked_in_the_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "hunter2-secret")
    try:
        try:
            raise OSError("login failed for postgresql://u:hunter2-secret@db:5432/x")
        except OSError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as exc:
        assert "hunter2-secret" not in explain(exc) and "***" in explain(exc)
        assert all("hunter2-secret" not in layer for layer in chain(exc))


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (KeyboardInterrupt(), EXIT_INTERRUPTED),
        (LockBusy("another run holds x"), EXIT_BUSY),
        (ConfigError("PGPORT must be a port number"), EXIT_USAGE),
        (ValueError("unknown source nope"), EXIT_USAGE),
        (RuntimeError("boom"), EXIT_FAILED),
    ],
)
def test_one_exit_code_per_kind_of_failure(exc: BaseException, code: int) -> None:
    assert exit_code(exc) == code


def test_ctrl_c_says_how_to_resume(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    def interrupted(args) -> int:
        raise KeyboardInterrupt

    monkeypatch.setenv("ELT_TARGET", "duckdb")
    monkeypatch.setenv("ELT_SANDBOX_DIR", str(tmp_path / "sandbox"))
    monkeypatch.setattr(cli, "cmd_history", interrupted)
    assert cli.main(["history"]) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert err.strip() == "elt history: interrupted: run again to resume"

"""The `elt` command line: sandbox, run, errors that name what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.cli import EXIT_OK, EXIT_USAGE, main


@pytest.fixture
def local_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ELT_TARGET", "duckdb")
    monkeypatch.setenv("ELT_DUCKDB_PATH", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("ELT_SANDBOX_DIR", str(tmp_path / "sandbox"))
    monkeypatch.setenv("ELT_PIPELINES_DIR", str(tmp_path / "pipelines"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    return tmp_path


def test_unknown_source_is_a_usage_error(local_env: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "--only", "nope"]) == EXIT_USAGE
    assert "unknown source nope" in capsys.readouterr().err


def test_bad_target_names_the_setting(local_env: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("ELT_TARGET", "oracle")
    assert main(["run"]) == EXIT_USAGE
    assert "ELT_TARGET" in capsys.readouterr().err


def test_run_without_sandbox_says_how_to_make_one(local_env: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "--sandbox", "--only", "automation", "--no-build"]) != EXIT_OK
    assert "elt sandbox generate" in capsys.readouterr().out


def test_sandbox_generate_change_and_land(local_env: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["sandbox", "generate", "--only", "automation", "--scale", "0.05", "--now", "2026-10-01"])
        == EXIT_OK
    )
    assert main(["sandbox", "generate", "--only", "automation"]) == EXIT_OK
    assert "already" in capsys.readouterr().out
    assert main(["run", "--sandbox", "--only", "automation", "--no-build"]) == EXIT_OK
    assert main(["sandbox", "change", "--only", "automation"]) == EXIT_OK
    assert "change batch 1" in capsys.readouterr().out
    assert main(["run", "--sandbox", "--only", "automation", "--no-build"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "automation: read" in out and "assignment_logs=" in out

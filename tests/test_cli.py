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


def test_run_without_settings_names_what_is_missing(local_env: Path, capsys: pytest.CaptureFixture) -> None:
    """No sandbox and no configured source: the run fails, names the setting and says where it reads."""
    assert main(["run", "--only", "automation", "--no-build"]) != EXIT_OK
    out = capsys.readouterr().out
    assert "sources: environment and .dlt/ settings" in out
    assert "automation: FAILED" in out and "credentials" in out


def test_sandbox_generate_change_and_land(local_env: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["sandbox", "generate", "--only", "automation", "--scale", "0.05", "--now", "2026-10-01"])
        == EXIT_OK
    )
    assert main(["sandbox", "generate", "--only", "automation"]) == EXIT_OK
    assert "already" in capsys.readouterr().out
    assert main(["run", "--only", "automation", "--no-build"]) == EXIT_OK
    assert main(["sandbox", "change", "--only", "automation"]) == EXIT_OK
    assert "change batch 1" in capsys.readouterr().out
    assert main(["run", "--only", "automation", "--no-build"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "automation: read" in out and "assignment_logs=" in out
    assert f"sources: {local_env / 'sandbox' / 'sources.toml'}" in out


def test_sandbox_down_points_the_sources_back(local_env: Path, capsys: pytest.CaptureFixture) -> None:
    """`elt sandbox up` writes the source settings file the sources read; `down` removes it, data kept."""
    assert main(["sandbox", "up", "--only", "automation", "--scale", "0.05"]) == EXIT_OK
    settings_file = local_env / "sandbox" / "sources.toml"
    assert "[sources.automation]" in settings_file.read_text()
    assert main(["sandbox", "down"]) == EXIT_OK
    assert not settings_file.exists() and (local_env / "sandbox" / "manifest.json").exists()
    assert main(["run", "--only", "automation", "--no-build"]) != EXIT_OK
    assert main(["sandbox", "up"]) == EXIT_OK  # only what is missing is generated
    assert main(["run", "--only", "automation", "--no-build"]) == EXIT_OK

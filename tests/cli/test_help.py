"""`elt --help`, every subcommand's help and `--version`: each option explained, examples included."""

from __future__ import annotations

import argparse

import pytest

from extract.cli import build_parser, main
from extract.exit_codes import EXIT_OK


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every (sub)command parser with its path, e.g. ("fleet", "backfill")."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


def test_bare_elt_shows_the_help(capsys: pytest.CaptureFixture) -> None:
    assert main([]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("usage: elt") and "examples:" in out and "Exit codes" in out


def test_version(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("elt ") and "dlt " in out and "dbt-core " in out


def test_every_command_and_option_is_described_with_an_example() -> None:
    parser = build_parser()
    top = {a.dest: a for a in parser._actions if isinstance(a, argparse._SubParsersAction)}["command"]
    described = {choice.dest: choice.help for choice in top._choices_actions}
    commands = list(_commands(parser))
    assert len(commands) > 10
    for path, sub in commands:
        if len(path) == 1:
            assert described.get(path[0]), f"elt {path[0]} has no summary in `elt --help`"
        assert sub.epilog and "elt " in sub.epilog, f"elt {' '.join(path)} --help shows no example"
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"elt {' '.join(path)} {action.option_strings[0]} is unexplained"


def test_help_explains_the_options_the_issue_named(capsys: pytest.CaptureFixture) -> None:
    for argv, option in ((["docs", "--help"], "--port"), (["sandbox", "--help"], "--seed")):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        explained = out.split(f"  {option}", 1)[1].split("\n  -", 1)[0]
        assert "e.g." in explained, explained

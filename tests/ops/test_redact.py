"""Secret redaction of error texts and command lines (unit tests), and a run against a warehouse that
is down: a clear message, exit 1, no traceback."""

from __future__ import annotations

import socket

import pytest

from extract.cli import EXIT_FAILED, main
from extract.redact import MASK, redact, secret_values

ENV = {
    "PGPASSWORD": "pg-Secret-1",
    "RELBASE_USER_TOKEN": "tok-Secret-2",
    "ETRAC_KEY": "etrac-Secret-3",
    "TRAFFIC_SALIDAS_ODBC": "Driver={X};Server=s;Uid=u;Pwd={odbc-Secret-4};",
    "SOURCES__AUTOMATION__CREDENTIALS": "postgresql://reader:url-Secret-5@db:5432/app",
    "PGHOST": "db.example",
    "ELT_TARGET": "postgres",
}


def test_secret_values_are_the_secret_variables_and_embedded_passwords() -> None:
    values = secret_values(ENV)
    for secret in ("pg-Secret-1", "tok-Secret-2", "etrac-Secret-3", "odbc-Secret-4", "url-Secret-5"):
        assert any(secret in v for v in values), secret
    assert "db.example" not in values and "postgres" not in values


@pytest.mark.parametrize(
    "text",
    [
        "could not connect with password pg-Secret-1",
        "401 for token tok-Secret-2 and key etrac-Secret-3",
        "odbc error on Driver={X};Server=s;Uid=u;Pwd={odbc-Secret-4};",
        "engine postgresql://reader:url-Secret-5@db:5432/app refused",
    ],
)
def test_redact_masks_every_secret(text: str) -> None:
    out = redact(text, ENV)
    assert "Secret-" not in out and MASK in out


def test_redact_masks_unknown_passwords_in_connection_strings() -> None:
    out = redact("postgresql://a:zz-top@h/db and Server=x;PWD=hunter22;Uid=u", {})
    assert "zz-top" not in out and "hunter22" not in out
    assert "postgresql://a:***@h/db" in out


def test_run_against_an_unreachable_warehouse_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket is closed
    monkeypatch.setenv("PGPORT", str(port))
    monkeypatch.setenv("PGPASSWORD", "pg-Secret-1")
    assert main(["run", "--target", "postgres", "--no-build"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "warehouse unreachable" in err and f":{port}" in err and "pg-Secret-1" not in err

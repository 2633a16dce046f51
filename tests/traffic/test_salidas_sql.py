"""The SQL sent to SQL Server for the exit records (Salidas): one portable T-SQL text, parsed as T-SQL
by sqlglot; run through pyodbc with the PostgreSQL ODBC driver; FreeTDS accepted and failing clearly
without a server."""

from __future__ import annotations

import re
import socket
from datetime import datetime

import pytest
import sqlglot
from sqlglot import exp

from extract.sandbox import traffic as sb
from extract.settings import PostgresConn
from extract.traffic import salidas
from extract.traffic.salidas import (
    SalidasConnectionError,
    quote_table,
    read_salidas,
    salidas_resource,
    salidas_sql,
    server_dialect,
    skip_reason,
    table_parts,
)


def test_the_query_is_tsql_with_a_bracketed_three_part_name_and_parameters() -> None:
    select, count_unkeyed = salidas_sql("DEPOFIS.DASSA.Salidas", "tsql")
    for sql in (select, count_unkeyed):
        tree = sqlglot.parse_one(sql, read="tsql", error_level=sqlglot.ErrorLevel.RAISE)
        [table] = list(tree.find_all(exp.Table))
        assert (table.catalog, table.db, table.name) == ("DEPOFIS", "DASSA", "Salidas")
        assert all(part.quoted for part in (table.args["catalog"], table.args["db"], table.this))
        assert "[DEPOFIS].[DASSA].[Salidas]" in sql
        # nothing PostgreSQL-only: no `::` casts, ILIKE, LIMIT, `%s`/`$1` parameters, double quotes
        assert not re.search(r"::|\bILIKE\b|\bLIMIT\b|%s|\$\d|\"", sql, re.IGNORECASE)
        # parsed as a real SELECT, nothing left as an opaque command or unknown function
        assert isinstance(tree, exp.Select)
        assert tree.find(exp.Command) is None and tree.find(exp.Anonymous) is None
    tree = sqlglot.parse_one(select, read="tsql")
    assert [p.sql() for p in tree.find_all(exp.Placeholder)] == ["?"]
    assert [c.name for c in tree.expressions] == ["contenedor", "fecha_egr", "validada"]
    assert [o.this.name for o in tree.args["order"].expressions] == ["fecha_egr"]


def test_one_query_text_for_every_server() -> None:
    """The PostgreSQL rendering differs from the T-SQL one only in how the table name is quoted."""
    tsql, ansi = salidas_sql("DEPOFIS.DASSA.Salidas", "tsql"), salidas_sql("DEPOFIS.DASSA.Salidas", "ansi")
    for t, a in zip(tsql, ansi, strict=True):
        assert t.replace("[DEPOFIS].[DASSA].[Salidas]", '"DEPOFIS"."DASSA"."Salidas"') == a
        assert sqlglot.parse_one(a, read="postgres")
    assert tsql == (
        salidas.SELECT_SALIDAS.format(table="[DEPOFIS].[DASSA].[Salidas]"),
        salidas.COUNT_UNKEYED.format(table="[DEPOFIS].[DASSA].[Salidas]"),
    )
    assert server_dialect("Microsoft SQL Server") == "tsql"
    assert server_dialect("PostgreSQL") == "ansi"


def test_table_names_quoted_or_not_and_bad_ones_refused() -> None:
    for name in ("DEPOFIS.DASSA.Salidas", "[DEPOFIS].[DASSA].[Salidas]", '"DEPOFIS"."DASSA"."Salidas"'):
        assert table_parts(name) == ["DEPOFIS", "DASSA", "Salidas"]
        assert quote_table(name) == "[DEPOFIS].[DASSA].[Salidas]"
    assert quote_table("DASSA.Salidas", "ansi") == '"DASSA"."Salidas"'
    for bad in ("DASSA.Salidas; DROP TABLE x", "a.b.c.d", "[DASSA]].[Salidas]", "DASSA.", ""):
        with pytest.raises(ValueError, match="salidas_table"):
            table_parts(bad)


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.odbc
def test_freetds_string_is_accepted_and_fails_with_one_clear_line() -> None:
    pyodbc = pytest.importorskip("pyodbc", reason="pyodbc cannot load (no unixODBC)")
    if "FreeTDS" not in pyodbc.drivers():
        pytest.skip("FreeTDS's ODBC driver is not installed (apt-get install tdsodbc)")
    secret = "not-a-real-password-7731"
    odbc = (
        f"DRIVER={{FreeTDS}};SERVER=127.0.0.1;PORT={_closed_port()};DATABASE=DEPOFIS;"
        f"UID=elt_reader;PWD={secret};TDS_Version=7.4;"
    )
    assert skip_reason(odbc) is None  # the driver is there: the string is accepted
    for attempt in (
        lambda: list(read_salidas(odbc, "DEPOFIS.DASSA.Salidas", None)),
        lambda: salidas_resource(odbc, "DEPOFIS.DASSA.Salidas"),
    ):
        with pytest.raises(SalidasConnectionError) as failed:
            attempt()
        message = str(failed.value)
        assert "\n" not in message
        prefix = "cannot connect to the exit records' database through ODBC driver 'FreeTDS'"
        assert message.startswith(prefix)
        assert "FreeTDS" in message.split(":", 1)[1]  # the driver's own words follow
        assert secret not in message


@pytest.mark.odbc
@pytest.mark.postgres
def test_the_same_query_runs_through_the_postgresql_odbc_driver(pg_database: PostgresConn) -> None:
    driver = sb.odbc_driver()
    if driver is None:
        pytest.skip("no PostgreSQL ODBC driver installed (apt-get install unixodbc odbc-postgresql)")
    with sb.SalidasDB(pg_database) as db:
        db.create()
        db.insert(
            [
                {"contenedor": "MSCU1234565", "fecha_egr": datetime(2026, 11, 19, 16, 45), "validada": "S"},
                {"contenedor": "TCLU9538314", "fecha_egr": datetime(2026, 11, 20, 7, 5), "validada": None},
                {"contenedor": None, "fecha_egr": datetime(2026, 11, 20, 8, 0), "validada": None},
            ]
        )
    odbc = sb.odbc_connection_string(pg_database, driver)
    table = f"{pg_database.database}.DASSA.Salidas"  # three parts, as production's DEPOFIS.DASSA.Salidas
    everything = [row for batch in read_salidas(odbc, table, None) for row in batch.to_pylist()]
    assert [(r["contenedor"], r["fecha_egr"], r["validada"]) for r in everything] == [
        ("MSCU1234565", datetime(2026, 11, 19, 16, 45), "S"),
        ("TCLU9538314", datetime(2026, 11, 20, 7, 5), None),
    ]
    later = read_salidas(odbc, table, datetime(2026, 11, 20))
    assert [r["contenedor"] for batch in later for r in batch.to_pylist()] == ["TCLU9538314"]

"""Weekly CSV exports read verbatim as text, and bad files fail with a clear error naming the file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from extract.traffic.csv_exports import read_export


def test_values_verbatim_as_text(tmp_path: Path) -> None:
    path = tmp_path / "arribos_semana.csv"
    path.write_bytes(
        "Turno,Oper.,Fecha,Peso,Contenedor\r\n"
        '0830 ,IMPO,19/11,"24.813,5",OOCU-048760-4\r\n'
        "-,-,-,-,-\r\n"
        ',"",2026-11-18,0012,"MSCU 1234565"\r\n'.encode("latin-1")
    )
    tables = list(read_export(path, encoding="latin-1"))
    table = pa.concat_tables(tables)
    assert table.column_names == ["Turno", "Oper", "Fecha", "Peso", "Contenedor", "_file_name", "_row_number"]
    assert all(table.schema.field(c).type == pa.string() for c in ["Turno", "Oper", "Fecha", "Peso"])
    assert table.column("Turno").to_pylist() == ["0830 ", "-", ""]
    assert table.column("Peso").to_pylist() == ["24.813,5", "-", "0012"]
    assert table.column("Oper").to_pylist() == ["IMPO", "-", ""]
    assert table.column("_row_number").to_pylist() == [1, 2, 3]
    assert set(table.column("_file_name").to_pylist()) == {"arribos_semana.csv"}


def test_malformed_export_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "remisiones_semana.csv"
    path.write_text("Dia,Cliente\n20/11,Arcor\n21/11,Arcor,extra\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"remisiones_semana\.csv is malformed"):
        list(read_export(path))


def test_missing_export_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"pendiente_desconsolidar\.csv not found"):
        list(read_export(tmp_path / "pendiente_desconsolidar.csv"))

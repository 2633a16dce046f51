"""The weekly CSV exports: every column as text, verbatim, streamed in Arrow blocks.

Nothing is parsed: day-first dates, ``HHMM`` turns with trailing spaces and ``-`` placeholder rows
land exactly as the file holds them (empty cells stay empty strings); dbt normalises and validates.
Each row gets ``_file_name`` (the file's name, no folder) and ``_row_number`` (1-based order of the
data row in the file, the header not counted). The raw table is replaced on every run.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.csv as pacsv
from dlt.extract.resource import DltResource

from extract.traffic.helpers import raw_name
from extract.traffic.settings import CSV_BLOCK_SIZE, CSV_EXPORTS


def _header(path: Path, encoding: str, delimiter: str) -> list[str]:
    with path.open(newline="", encoding=encoding) as fh:
        header = next(csv.reader(fh, delimiter=delimiter), None)
    if not header:
        raise ValueError(f"{path.name}: the export is empty (not even a header row)")
    if len({raw_name(name) for name in header}) != len(header):
        raise ValueError(f"{path.name}: repeated column names in the header: {header}")
    return header


def read_export(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Iterator[pa.Table]:
    """Arrow tables of ``path``: all columns text, plus ``_file_name`` and ``_row_number``."""
    if not path.is_file():
        raise FileNotFoundError(
            f"weekly export {path.name} not found in the configured csv_folder {path.parent}"
        )
    header = [raw_name(name) for name in _header(path, encoding, delimiter)]
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding=encoding, block_size=CSV_BLOCK_SIZE, column_names=header, skip_rows=1
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:  # e.g. a row with more cells than the header
        raise ValueError(f"weekly export {path.name} is malformed: {exc}") from exc
    seen = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:  # e.g. a row with more cells than the header
            raise ValueError(f"weekly export {path.name} is malformed after data row {seen}: {exc}") from exc
        n = batch.num_rows
        if n == 0:
            continue
        table = pa.Table.from_batches([batch])
        table = table.append_column(
            pa.field("_file_name", pa.string(), nullable=False), pa.array([path.name] * n, pa.string())
        )
        table = table.append_column(
            pa.field("_row_number", pa.int64(), nullable=False),
            pa.array(range(seen + 1, seen + n + 1), pa.int64()),
        )
        seen += n
        yield table


def csv_resource(
    folder: str | Path, table: str, *, encoding: str = "utf-8", delimiter: str = ","
) -> DltResource:
    """The export behind raw table ``table``, landed with write disposition replace."""
    path = Path(folder) / CSV_EXPORTS[table]
    return dlt.resource(
        read_export(path, encoding, delimiter),
        name=table,
        write_disposition="replace",
        columns={
            "_file_name": {"data_type": "text"},
            "_row_number": {"data_type": "bigint", "nullable": False},
        },
    )

"""The merge key of raw positions: distinct positions whose key fields are missing stay distinct; exact
repeats still land once."""

from __future__ import annotations

from extract.fleet.helpers import positions_table


def test_garbage_key_fields_do_not_collapse_distinct_positions() -> None:
    good = {
        "placa": "ABC1D23",
        "data_transmissao": "01/11/2026 10:00:00",
        "latitude": "-23.5",
        "longitude": "-46.6",
    }
    garbage_a = {"placa": "ABC1D23", "data_transmissao": None, "latitude": None, "velocidade": "10 km/h"}
    garbage_b = {"placa": "ABC1D23", "data_transmissao": "", "latitude": None, "velocidade": "55 km/h"}
    table = positions_table([good, dict(good), garbage_a, garbage_b, dict(garbage_a)])
    assert table.num_rows == 3, table.to_pylist()
    keys = table.column("position_key").to_pylist()
    assert len(set(keys)) == 3
    assert "ABC1D23|01/11/2026 10:00:00|-23.5|-46.6" in keys

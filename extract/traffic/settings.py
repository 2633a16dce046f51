"""Port traffic, DASSA (domain §1): what the traffic source reads and its defaults."""

SNAPSHOT_TABLES = ("arribos", "pendiente_desconsolidar", "remisiones", "arribos_expo_ctns")
EDITS_TABLE = "traficov2_manual_edits"
EDITS_CURSOR = "edited_at"
SALIDAS = "salidas"
# raw table name -> file name in the weekly export folder
CSV_EXPORTS: dict[str, str] = {
    "csv_arribos_semana": "arribos_semana.csv",
    "csv_pendiente_desconsolidar": "pendiente_desconsolidar.csv",
    "csv_remisiones_semana": "remisiones_semana.csv",
    "csv_arribos_expo_semana_ctns": "arribos_expo_semana_ctns.csv",
}
RESOURCES = (*SNAPSHOT_TABLES, EDITS_TABLE, *CSV_EXPORTS, SALIDAS)
DEFAULT_SALIDAS_TABLE = "DEPOFIS.DASSA.Salidas"
DEFAULT_LOOKBACK_DAYS = 30.0
CHUNK_SIZE = 50_000
CSV_BLOCK_SIZE = 8 << 20  # bytes of CSV per Arrow block: bounded memory on any file size

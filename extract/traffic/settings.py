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

# Schema contract: the raw columns (dlt's names) the traffic models read; a source table or export that
# loses one fails the traffic run naming it, and nothing is loaded (``extract.pipeline.require_columns``).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "arribos": (
        "terminal",
        "turno",
        "contenedor",
        "cliente",
        "booking",
        "tipo_cnt",
        "oper",
        "tiempo",
        "estado",
        "chofer",
        "dimension",
        "fecha",
    ),
    "pendiente_desconsolidar": (
        "contenedor",
        "cliente",
        "entrega",
        "vto_vacio",
        "tipo",
        "peso",
        "cantidad",
        "envase",
        "estado",
        "chofer",
    ),
    "remisiones": (
        "dia",
        "cliente",
        "operacion",
        "booking",
        "contenedor",
        "volumen",
        "precinto",
        "observaciones",
        "estado",
        "hora",
        "e_tally",
    ),
    "arribos_expo_ctns": (
        "fecha",
        "booking",
        "cliente",
        "cantidad",
        "contenedor",
        "precinto",
        "origen",
        "obs",
        "estado",
    ),
    "csv_arribos_expo_semana_ctns": ("booking", "contenedor"),
}

"""Fleet tracking, e-Track Web Service 1.1 (domain §2): fields, keys and defaults."""

from datetime import timedelta, timezone

POSITION_FIELDS = (
    "placa",
    "descricao",
    "frota",
    "equipamento_serial",
    "data_transmissao",
    "data_gravacao",
    "latitude",
    "longitude",
    "logradouro",
    "velocidade",
    "ignicao",
    "odometro",
    "odometro_can",
    "horimetro",
    "bateria",
)
# the merge key of a position: plate + transmission time + coordinates (domain §2)
KEY_FIELDS = ("placa", "data_transmissao", "latitude", "longitude")
UPSERT = {"disposition": "merge", "strategy": "upsert", "skip_unchanged_rows": True}
# the trackers' clocks and a route's day are Brazil local time
BRT = timezone(timedelta(hours=-3))
DAILY_LOCK_ID = 123456789
BACKFILL_LOCK_ID = 987654321

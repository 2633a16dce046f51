"""Sandbox of the e-Track fleet tracker (domain §2): a seeded fleet driving around São Paulo.

Each plate works one shift per local day (America/Sao_Paulo, UTC-3): legs between random places at
20-60 km/h, stops at each place (half of them with the ignition off), a lunch break, GPS jitter.
Some shifts run past local midnight, so the next day starts with the previous shift's tail.

Positions look like the real API: every number is a string, some with units or a decimal comma
(``"12,6 V"``, ``"45 km/h"``), ``ignicao`` as ``1`` or ``"1"``, both date formats, and a share of bad
points: null, zero or impossible coordinates, teleports, unparseable values. Shifts are generated
lazily and deterministically from (seed, plate, day), so the server can answer any day's history.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from extract.sandbox.options import SandboxOptions
from extract.settings import Settings

BRT = timezone(timedelta(hours=-3), "BRT")  # Brazil has had no daylight saving time since 2019
CENTER = (-23.5505, -46.6333)
BOX = ((-23.75, -23.40), (-46.80, -46.40))
SANDBOX_USER = "sandbox"
SANDBOX_KEY = "sandbox-key"  # not a secret: the local server's fixed password
CLOCK_STEP = timedelta(minutes=30)  # how far one `elt sandbox change` moves the sandbox clock


@dataclass(frozen=True)
class FleetSim:
    """A seeded fleet: which plates, which days, how often they report, how many points are bad."""

    seed: int = 42
    plates: tuple[str, ...] = ()
    interval_s: int = 60
    bad_share: float = 0.03

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> FleetSim:
        return cls(
            seed=int(entry["seed"]),
            plates=tuple(entry["plates"]),
            interval_s=int(entry["interval_s"]),
            bad_share=float(entry["bad_share"]),
        )

    def terminal(self, plate: str) -> dict[str, str]:
        n = self.plates.index(plate) + 1 if plate in self.plates else 0
        return {"placa": plate, "descricao": f"Caminhão {n:02d} {plate}", "frota": f"SP-{1 + n % 3}"}

    def day_positions(self, plate: str, day: date) -> list[dict[str, Any]]:
        """Every position of ``plate`` whose local time falls on ``day``, in time order."""
        rows = [p for p in _shift(self, plate, day - timedelta(days=1)) if p["_local"].date() == day]
        rows += [p for p in _shift(self, plate, day) if p["_local"].date() == day]
        return rows

    def window(self, plate: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Positions with local time in [start, end] (naive local datetimes)."""
        out: list[dict[str, Any]] = []
        day = start.date()
        while day <= end.date():
            out += [p for p in self.day_positions(plate, day) if start <= p["_local"] <= end]
            day += timedelta(days=1)
        return out

    def latest(self, plate: str, clock: datetime) -> dict[str, Any] | None:
        """The newest position of ``plate`` at or before ``clock`` (aware), within 7 days."""
        local = clock.astimezone(BRT).replace(tzinfo=None)
        for back in range(8):
            day = local.date() - timedelta(days=back)
            rows = [p for p in self.day_positions(plate, day) if p["_local"] <= local]
            if rows:
                return rows[-1]
        return None


def public(position: dict[str, Any]) -> dict[str, Any]:
    """A position as the API sends it (without the generator's private fields)."""
    return {k: v for k, v in position.items() if not k.startswith("_")}


def make_plates(seed: int, count: int) -> list[str]:
    """Mercosul plates (``ABC1D23``), distinct and seeded."""
    rng = random.Random(f"plates:{seed}")
    out: list[str] = []
    while len(out) < count:
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        plate = f"{letters}{rng.randint(0, 9)}{rng.choice(string.ascii_uppercase)}{rng.randint(0, 99):02d}"
        if plate not in out:
            out.append(plate)
    return out


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=512)
def _shift_cached(sim: FleetSim, plate: str, day: date) -> tuple[dict[str, Any], ...]:
    return tuple(_ShiftMaker(sim, plate, day).run())


def _shift(sim: FleetSim, plate: str, day: date) -> tuple[dict[str, Any], ...]:
    return _shift_cached(sim, plate, day)


class _ShiftMaker:
    """One plate's shift starting on ``day`` (it may end after midnight)."""

    def __init__(self, sim: FleetSim, plate: str, day: date) -> None:
        self.sim = sim
        self.plate = plate
        self.rng = random.Random(f"{sim.seed}:{plate}:{day.isoformat()}")
        home = random.Random(f"{sim.seed}:{plate}:home")
        self.lat = CENTER[0] + home.uniform(-0.08, 0.08)
        self.lon = CENTER[1] + home.uniform(-0.08, 0.08)
        self.serial = f"ET{home.randrange(10**7):07d}"
        self.odometer = home.uniform(20_000, 300_000) + (day - date(2020, 1, 1)).days * 180.0
        self.hours = home.uniform(1_000, 9_000) + (day - date(2020, 1, 1)).days * 9.0
        late = self.rng.random() < 0.2  # a night shift that crosses local midnight
        start_h = self.rng.uniform(20.5, 22.5) if late else self.rng.uniform(5.5, 7.5)
        self.t = datetime.combine(day, datetime.min.time()) + timedelta(hours=start_h)
        self.end = self.t + timedelta(hours=self.rng.uniform(3.5, 4.5) if late else self.rng.uniform(8, 11))
        self.lunch_done = late
        self.rows: list[dict[str, Any]] = []

    def run(self) -> list[dict[str, Any]]:
        self._stop(self.rng.uniform(6, 15), ignition=False)
        while self.t < self.end:
            self._drive()
            if not self.lunch_done and self.t.hour >= 12:
                self._stop(self.rng.uniform(45, 70), ignition=False)
                self.lunch_done = True
            else:
                self._stop(self.rng.uniform(2, 40), ignition=self.rng.random() < 0.5)
        return self.rows

    def _drive(self) -> None:
        rng = self.rng
        tlat, tlon = rng.uniform(*BOX[0]), rng.uniform(*BOX[1])
        cruise = rng.uniform(20, 60)
        step = timedelta(seconds=self.sim.interval_s)
        while self.t < self.end:
            speed = max(5.0, rng.gauss(cruise, 8))
            km = speed * self.sim.interval_s / 3600
            left = haversine_km(self.lat, self.lon, tlat, tlon)
            if left <= km:
                self.lat, self.lon, km = tlat, tlon, left
                self.t += step
                self.odometer += km
                self._emit(speed, ignition=True)
                return
            frac = km / left
            self.lat += (tlat - self.lat) * frac
            self.lon += (tlon - self.lon) * frac
            self.odometer += km
            self.t += step
            self._emit(speed, ignition=True)

    def _stop(self, minutes: float, ignition: bool) -> None:
        # a parked tracker reports less often with the ignition off
        every = timedelta(seconds=self.sim.interval_s * (1 if ignition else 5))
        until = self.t + timedelta(minutes=minutes)
        while self.t + every <= until:
            self.t += every
            self._emit(0.0, ignition=ignition)
        self.t = until

    def _emit(self, speed: float, ignition: bool) -> None:
        rng = self.rng
        lat = self.lat + rng.gauss(0, 0.00004)  # GPS jitter, a few metres
        lon = self.lon + rng.gauss(0, 0.00004)
        lat_s, lon_s = f"{lat:.6f}", f"{lon:.6f}"
        if rng.random() < 0.05:
            lat_s, lon_s = lat_s.replace(".", ","), lon_s.replace(".", ",")
        speed_i = round(speed)
        when = self.t.replace(microsecond=0)
        recorded = when + timedelta(seconds=rng.randint(1, 20))
        fmt = "%d/%m/%Y %H:%M:%S" if rng.random() < 0.7 else "%Y-%m-%d %H:%M:%S"
        row: dict[str, Any] = {
            "placa": self.plate,
            "descricao": self.sim.terminal(self.plate)["descricao"],
            "frota": self.sim.terminal(self.plate)["frota"],
            "equipamento_serial": self.serial,
            "data_transmissao": when.strftime(fmt),
            "data_gravacao": recorded.strftime(fmt if rng.random() < 0.8 else "%Y-%m-%d %H:%M:%S"),
            "latitude": lat_s,
            "longitude": lon_s,
            "logradouro": f"Rua {rng.randint(1, 400)}, São Paulo - SP",
            "velocidade": rng.choice([f"{speed_i} km/h", str(speed_i), speed_i]),
            "ignicao": rng.choice([1, "1"]) if ignition else rng.choice([0, "0"]),
            "odometro": f"{self.odometer:.1f}",
            "odometro_can": f"{self.odometer * 1.002:.1f}".replace(".", ","),
            "horimetro": f"{self.hours:.1f}",
            "bateria": rng.choice([f"{rng.uniform(12.1, 14.2):.1f} V".replace(".", ","), "12.8"]),
            "_local": when,
        }
        self._spoil(row)
        self.rows.append(row)

    def _spoil(self, row: dict[str, Any]) -> None:
        """Make a share of points bad the ways real trackers do."""
        rng = self.rng
        if rng.random() >= self.sim.bad_share:
            return
        kind = rng.choice(["null", "zero", "impossible", "teleport", "teleport", "junk"])
        if kind == "null":
            row["latitude"], row["longitude"] = None, rng.choice([None, ""])
        elif kind == "zero":
            row["latitude"], row["longitude"] = "0", "0.000000"
        elif kind == "impossible":
            row["latitude"], row["longitude"] = rng.choice([("-123.456789", "-46.6"), ("-23.5", "191.2")])
        elif kind == "teleport":  # a GPS jump of hundreds of km for one reading
            row["latitude"] = f"{float(row['latitude'].replace(',', '.')) + rng.uniform(2, 4):.6f}"
            row["longitude"] = f"{float(row['longitude'].replace(',', '.')) - rng.uniform(2, 4):.6f}"
        else:  # unparseable readings; the position itself stays usable
            row["velocidade"] = "N/D"
            row["bateria"] = "-- V"


# ---------------------------------------------------------------------------- sandbox entry points


def sim_entry(
    opts: SandboxOptions, plates: int | None = None, days: int = 3, interval_s: int = 60
) -> dict[str, Any]:
    """A manifest entry for a fleet of ``plates`` over ``days`` local days before ``opts.now``."""
    count = plates if plates is not None else max(2, round(6 * opts.scale))
    now = opts.now.astimezone(UTC)
    last_day = now.astimezone(BRT).date()
    return {
        "seed": opts.seed,
        "scale": opts.scale,
        "plates": make_plates(opts.seed, count),
        "interval_s": interval_s,
        "bad_share": 0.03,
        "first_day": (last_day - timedelta(days=days)).isoformat(),
        "last_day": last_day.isoformat(),
        "now": now.isoformat(),
        "user": SANDBOX_USER,
        "key": SANDBOX_KEY,
        "batches": 0,
    }


def clock(entry: dict[str, Any]) -> datetime:
    """The sandbox's current moment: ``now`` plus half an hour per change batch."""
    return datetime.fromisoformat(entry["now"]) + CLOCK_STEP * int(entry.get("batches", 0))


def generate_into(settings: Settings, opts: SandboxOptions) -> dict[str, Any]:
    """Describe the fleet (it is generated on demand by the server) and write its plate list."""
    found = sim_entry(opts)
    sim = FleetSim.from_entry(found)
    settings.sandbox_dir.mkdir(parents=True, exist_ok=True)
    plates_file = settings.sandbox_dir / "fleet_plates.txt"
    plates_file.write_text("\n".join(sim.plates) + "\n")
    found["plates_file"] = str(plates_file)
    first, last = date.fromisoformat(found["first_day"]), date.fromisoformat(found["last_day"])
    count = 0
    day = first
    while day < last:
        count += sum(len(sim.day_positions(p, day)) for p in sim.plates)
        day += timedelta(days=1)
    found["rows"] = {"positions": count, "terminals": len(sim.plates)}
    return found


def change_into(entry: dict[str, Any], batch: int) -> dict[str, int]:
    """Move the sandbox clock on by half an hour (the caller stores ``batches``): new latest positions."""
    sim = FleetSim.from_entry(entry)
    before = clock(entry)
    after = datetime.fromisoformat(entry["now"]) + CLOCK_STEP * batch
    lo, hi = before.astimezone(BRT).replace(tzinfo=None), after.astimezone(BRT).replace(tzinfo=None)
    new = sum(len([p for p in sim.window(plate, lo, hi) if p["_local"] > lo]) for plate in sim.plates)
    return {"clock_minutes": int((after - before).total_seconds() // 60), "new_positions": new}


def source_settings(entry: dict[str, Any]) -> dict[str, Any]:
    """What the fleet source reads to reach this sandbox (``sources.fleet``): the API on the entry's port,
    no pause between calls, and the sandbox's past days as history to land once."""
    last = date.fromisoformat(entry["last_day"])
    return {
        "api_base": f"http://127.0.0.1:{entry['port']}",
        "user": entry["user"],
        "key": entry["key"],
        "rate_sleep": 0,
        "backfill_start": entry["first_day"],
        "backfill_end": (last - timedelta(days=1)).isoformat(),
    }

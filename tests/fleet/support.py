"""Support of the fleet tests: constants, the `elt` command for a test server, and an independent Python
computation of the fleet rules (domain §2) to check the dbt models against."""

from __future__ import annotations

import itertools
import math
import os
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from extract.settings import Settings

NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # midnight in São Paulo: 04/11 is over
FIRST, LAST = date(2026, 11, 2), date(2026, 11, 4)


def cli_env(settings: Settings, etrac_env: dict[str, str], **extra: str) -> dict[str, str]:
    """Environment for an `elt` subprocess against ``settings``' warehouse and the test server."""
    env = {**os.environ, **settings.dbt_env(), **etrac_env, **extra}
    env.update(
        ELT_PIPELINES_DIR=str(settings.dlt_pipelines_dir),
        ELT_SANDBOX_DIR=str(settings.sandbox_dir),
        DBT_TARGET_PATH=str(settings.dbt_target_path),
    )
    return env


def backfill_cmd(plates: list[str], *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "extract.cli",
        "fleet",
        "backfill",
        "--plates",
        ",".join(plates),
        "--date-start",
        FIRST.isoformat(),
        "--date-end",
        LAST.isoformat(),
        "--no-build",
        *extra,
    ]


# ------------------------------------------------------------ the rules, computed independently


BRT = timezone(timedelta(hours=-3))
MAX_KMH = 200
MIN_STOP_S = 300


def number(value: Any) -> float | None:
    if value is None:
        return None
    text = re.sub(r" *[A-Za-z/%]+$", "", str(value).strip())
    if re.fullmatch(r"[+-]?[0-9]+([.,][0-9]+)?", text):
        return float(text.replace(",", "."))
    return None


def moment(value: Any) -> datetime | None:
    for fmt in ("%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(str(value).strip(), fmt).replace(tzinfo=BRT).astimezone(UTC)
        except ValueError:
            continue
    return None


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Route:
    point_count: int
    excluded_points: int
    distance_km: float
    start_ts: datetime | None
    end_ts: datetime | None
    duration_minutes: float
    moving_minutes: float
    stop_count: int
    max_speed_kmh: float | None
    avg_moving_speed_kmh: float | None


def route(positions: list[dict[str, Any]]) -> Route:
    """Metrics of one plate-day from the positions exactly as the API sent them."""
    points = []
    for p in positions:
        ts = moment(p.get("data_transmissao"))
        if ts is None:
            continue
        ign = number(p.get("ignicao"))
        vel = number(p.get("velocidade"))
        ignition = True if ign == 1 else False if ign == 0 else None
        key = "|".join(
            str(p.get(k) if p.get(k) is not None else "")
            for k in ("placa", "data_transmissao", "latitude", "longitude")
        )
        points.append(
            {
                "ts": ts,
                "lat": number(p.get("latitude")),
                "lon": number(p.get("longitude")),
                "vel": vel,
                "stopped": ignition is False or vel == 0,
                "key": key,
            }
        )
    points.sort(key=lambda q: (q["ts"], q["key"]))
    good = [
        q
        for q in points
        if q["lat"] is not None
        and q["lon"] is not None
        and q["lat"] != 0
        and q["lon"] != 0
        and abs(q["lat"]) <= 90
        and abs(q["lon"]) <= 180
    ]
    implied: list[float | None] = [None]
    for prev, cur in itertools.pairwise(good):
        dt = max((cur["ts"] - prev["ts"]).total_seconds(), 1)
        implied.append(km((prev["lat"], prev["lon"]), (cur["lat"], cur["lon"])) / dt * 3600)
    valid = []
    for i, q in enumerate(good):
        nxt = implied[i + 1] if i + 1 < len(good) else None
        if implied[i] is not None:
            jump = implied[i] > MAX_KMH and (nxt is None or nxt > MAX_KMH)
        else:
            nxt2 = implied[i + 2] if i + 2 < len(good) else None
            jump = nxt is not None and nxt2 is not None and nxt > MAX_KMH and nxt2 <= MAX_KMH
        if not jump:
            valid.append(q)
    distance = moving_s = moving_km = 0.0
    for prev, cur in itertools.pairwise(valid):
        seg = round(km((prev["lat"], prev["lon"]), (cur["lat"], cur["lon"])), 6)
        dt = (cur["ts"] - prev["ts"]).total_seconds()
        distance += seg
        if not prev["stopped"]:
            moving_s += dt
            moving_km += seg
    stops, i = 0, 0
    while i < len(valid):
        if not valid[i]["stopped"]:
            i += 1
            continue
        j = i
        while j + 1 < len(valid) and valid[j + 1]["stopped"]:
            j += 1
        end = valid[j + 1]["ts"] if j + 1 < len(valid) else valid[j]["ts"]
        stops += (end - valid[i]["ts"]).total_seconds() >= MIN_STOP_S
        i = j + 1
    speeds = [q["vel"] for q in valid if q["vel"] is not None]
    start, end = (valid[0]["ts"], valid[-1]["ts"]) if valid else (None, None)
    return Route(
        point_count=len(valid),
        excluded_points=len(points) - len(valid),
        distance_km=distance,
        start_ts=start,
        end_ts=end,
        duration_minutes=(end - start).total_seconds() / 60 if valid else 0.0,
        moving_minutes=moving_s / 60,
        stop_count=stops,
        max_speed_kmh=max(speeds) if speeds else None,
        avg_moving_speed_kmh=moving_km * 3600 / moving_s if moving_s else None,
    )


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]

"""HTTP client of the e-Track Web Service: POST with JSON bodies, Basic auth, retries with jitter.

Built on ``requests`` + ``tenacity`` rather than dlt's ``Client``, because dlt's backoff has no
jitter and the API needs retries on malformed JSON bodies as well as on 429/5xx and network errors.
401 is never retried: it fails at once with a message naming the settings to check (never values).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dlt
import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from extract.config import ConfigError

log = logging.getLogger(__name__)

# setting -> (environment variable, default); the dlt key is sources.fleet.<setting>
SETTINGS: dict[str, tuple[str, Any]] = {
    "api_base": ("ETRAC_API_BASE", None),
    "user": ("ETRAC_USER", None),
    "key": ("ETRAC_KEY", None),
    "connect_timeout": ("ETRAC_CONNECT_TIMEOUT", 10.0),
    "read_timeout": ("ETRAC_READ_TIMEOUT", 60.0),
    "max_attempts": ("ETRAC_MAX_ATTEMPTS", 6),
    "backoff": ("ETRAC_BACKOFF", 1.0),
    "max_backoff": ("ETRAC_MAX_BACKOFF", 60.0),
    "rate_sleep": ("ETRAC_RATE_SLEEP", 1.0),
    "daily_lock_id": ("ETRAC_DAILY_LOCK_ID", 123456789),
    "backfill_lock_id": ("ETRAC_BACKFILL_LOCK_ID", 987654321),
}
SECRET = {"user", "key"}


def setting(name: str, default: Any = None) -> Any:
    """A fleet setting: the ``ETRAC_*`` variable, else dlt config/secrets ``sources.fleet.<name>``."""
    env_name, fallback = SETTINGS[name]
    value = os.environ.get(env_name)
    if value not in (None, ""):
        return value
    accessor = dlt.secrets if name in SECRET else dlt.config
    try:
        found = accessor.get(f"sources.fleet.{name}")
    except Exception:  # a provider that cannot answer counts as unset
        found = None
    if found not in (None, ""):
        return found
    return fallback if default is None else default


class AuthError(RuntimeError):
    """The API refused the credentials (401)."""


class ApiError(RuntimeError):
    """The API answered with a non-retryable error (an ``erro`` body)."""


class TransientError(RuntimeError):
    """A retryable answer: 429, 5xx or a body that is not JSON."""


@dataclass(frozen=True)
class EtracConfig:
    """Where the API is and how to talk to it. ``repr`` never shows the credentials."""

    api_base: str
    user: str = field(repr=False)
    key: str = field(repr=False)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 6
    backoff: float = 1.0
    max_backoff: float = 60.0
    rate_sleep: float = 1.0

    @classmethod
    def from_settings(cls, **overrides: Any) -> EtracConfig:
        """From ``ETRAC_*`` / dlt config; a missing base URL or credential is a clear error."""
        values = {name: setting(name) for name in ("api_base", "user", "key")}
        values.update({k: v for k, v in overrides.items() if k in values and v})
        missing = [SETTINGS[k][0] for k, v in values.items() if not v]
        if missing:
            raise ConfigError(
                f"e-Track settings missing: {', '.join(missing)} (or sources.fleet.* in .dlt/secrets.toml)"
            )
        try:
            return cls(
                api_base=str(values["api_base"]).rstrip("/"),
                user=str(values["user"]),
                key=str(values["key"]),
                connect_timeout=float(setting("connect_timeout")),
                read_timeout=float(setting("read_timeout")),
                max_attempts=int(setting("max_attempts")),
                backoff=float(setting("backoff")),
                max_backoff=float(setting("max_backoff")),
                rate_sleep=float(setting("rate_sleep")),
            )
        except ValueError as exc:
            raise ConfigError(f"invalid e-Track setting: {exc}") from None


RETRYABLE = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    TransientError,
)


class EtracClient:
    """One session to the API; every call retried on transient failures."""

    def __init__(self, config: EtracConfig) -> None:
        self.config = config
        self.session = requests.Session()
        self.session.auth = (config.user, config.key)
        self.session.headers["Accept"] = "application/json"
        self.attempts = 0

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> EtracClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``path``; exponential backoff with full jitter on transient failures."""
        cfg = self.config
        retrying = Retrying(
            retry=retry_if_exception_type(RETRYABLE),
            wait=wait_random_exponential(multiplier=cfg.backoff, max=cfg.max_backoff),
            stop=stop_after_attempt(cfg.max_attempts),
            reraise=True,
            before_sleep=lambda state: log.info(
                "e-Track %s attempt %d failed (%s); retrying", path, state.attempt_number, state.outcome
            ),
        )
        return retrying(self._post_once, path, body)

    def _post_once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self.attempts += 1
        cfg = self.config
        resp = self.session.post(
            cfg.api_base + path, json=body, timeout=(cfg.connect_timeout, cfg.read_timeout)
        )
        if resp.status_code == 401:
            raise AuthError(
                f"e-Track refused the credentials (HTTP 401 on {path}): check ETRAC_USER and ETRAC_KEY"
            )
        if resp.status_code == 429 or resp.status_code >= 500:
            raise TransientError(f"HTTP {resp.status_code} on {path}")
        try:
            data = resp.json()
        except ValueError:
            raise TransientError(f"malformed JSON from {path} (HTTP {resp.status_code})") from None
        if resp.status_code >= 400 or (isinstance(data, dict) and "erro" in data):
            message = data.get("erro") if isinstance(data, dict) else data
            raise ApiError(f"e-Track {path}: HTTP {resp.status_code}: {message}")
        if not isinstance(data, dict):
            raise TransientError(f"unexpected body from {path}: not a JSON object")
        return data

    def latest(self) -> list[dict[str, Any]]:
        """Latest position of every vehicle."""
        return list(self.post("/ultimas-posicoes", {}).get("retorno") or [])

    def latest_of(self, plate: str) -> list[dict[str, Any]]:
        """Latest position of one plate."""
        return list(self.post("/ultimaposicao", {"placa": plate}).get("retorno") or [])

    def history_day(self, plate: str, day: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One plate's positions on one local day (one call, within the API's 24 h limit)."""
        data = self.post("/ultimasposicoesterminal", {"placa": plate, "data": day.strftime("%d/%m/%Y")})
        return dict(data.get("terminal") or {}), list(data.get("posicoes") or [])

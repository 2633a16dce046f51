"""The e-Track Web Service client: POST with JSON bodies and Basic auth, on dlt's ``RESTClient`` with the
project's one retry policy (``extract.http``).

A 401 is never retried: it fails at once with a message naming the settings to check (never values).
An ``erro`` body is an API error (not retried); 429, 5xx, timeouts and malformed JSON are retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests
from dlt.common.configuration.inject import with_config
from dlt.common.typing import TSecretStrValue
from dlt.sources.helpers.rest_client import RESTClient

from extract.fleet.settings import BACKFILL_LOCK_ID, DAILY_LOCK_ID
from extract.http import (
    NETWORK_ERRORS,
    AuthRefused,
    CallFailed,
    RetryPolicy,
    Stats,
    failure,
    network_failure,
    retrying_session,
    safe_url,
)
from extract.settings import ConfigError


class AuthError(AuthRefused):
    """The API refused the credentials (401)."""


class ApiError(CallFailed):
    """The API answered with a non-retryable error (an ``erro`` body)."""


class TransientError(CallFailed):
    """Still 429, 5xx, a timeout or a body that is not JSON after every attempt."""


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
    daily_lock_id: int = DAILY_LOCK_ID
    backfill_lock_id: int = BACKFILL_LOCK_ID

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_attempts=self.max_attempts,
            backoff=self.backoff,
            max_backoff=self.max_backoff,
        )

    @classmethod
    def from_settings(cls) -> EtracConfig:
        """From dlt settings ``sources.fleet.*`` (legacy ``ETRAC_*`` variables); missing ones named."""
        return etrac_config()


@with_config(sections=("sources", "fleet"))
def etrac_config(
    api_base: str | None = None,
    user: TSecretStrValue | None = None,
    key: TSecretStrValue | None = None,
    connect_timeout: float = 10.0,
    read_timeout: float = 60.0,
    max_attempts: int = 6,
    backoff: float = 1.0,
    max_backoff: float = 60.0,
    rate_sleep: float = 1.0,
    daily_lock_id: int = DAILY_LOCK_ID,
    backfill_lock_id: int = BACKFILL_LOCK_ID,
) -> EtracConfig:
    """The e-Track settings, injected by dlt from ``sources.fleet`` (see ``extract.settings``)."""
    named = {"ETRAC_API_BASE": api_base, "ETRAC_USER": user, "ETRAC_KEY": key}
    missing = [name for name, value in named.items() if not value]
    if missing:
        raise ConfigError(
            f"e-Track settings missing: {', '.join(missing)} (or sources.fleet.api_base / user / key "
            "in .dlt/secrets.toml)"
        )
    return EtracConfig(
        api_base=str(api_base).rstrip("/"),
        user=str(user),
        key=str(key),
        connect_timeout=float(connect_timeout),
        read_timeout=float(read_timeout),
        max_attempts=int(max_attempts),
        backoff=float(backoff),
        max_backoff=float(max_backoff),
        rate_sleep=float(rate_sleep),
        daily_lock_id=int(daily_lock_id),
        backfill_lock_id=int(backfill_lock_id),
    )


class EtracClient:
    """One session to the API; every call under the retry policy. A context manager."""

    def __init__(self, config: EtracConfig) -> None:
        self.config = config
        self.stats = Stats()
        self.session = retrying_session(
            config.policy, stats=self.stats, headers={"Accept": "application/json"}
        )
        self.rest = RESTClient(
            base_url=config.api_base,
            auth=requests.auth.HTTPBasicAuth(config.user, config.key),
            session=self.session,
        )

    @property
    def attempts(self) -> int:
        """HTTP attempts made so far, retries included."""
        return self.stats.attempts

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> EtracClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``path``: the JSON object answered, or a ``CallFailed`` naming the cause."""
        url = self.config.api_base + path
        before = self.attempts
        try:
            resp = self.rest.post(path, json=body)
        except NETWORK_ERRORS as exc:
            raise TransientError(str(network_failure(exc, "e-Track", url, self.attempts - before))) from exc
        if resp.status_code == 401:
            raise AuthError(
                f"e-Track refused the credentials (HTTP 401 on {path}): check ETRAC_USER and ETRAC_KEY"
            )
        if self.session.reason_of(resp):
            raise TransientError(str(failure(resp, "e-Track", self.attempts - before)), resp.status_code)
        data = resp.json()
        if resp.status_code >= 400 or (isinstance(data, dict) and "erro" in data):
            message = data.get("erro") if isinstance(data, dict) else data
            raise ApiError(f"e-Track {safe_url(url)}: HTTP {resp.status_code}: {message}", resp.status_code)
        if not isinstance(data, dict):
            raise TransientError(f"e-Track {safe_url(url)}: unexpected body, not a JSON object")
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

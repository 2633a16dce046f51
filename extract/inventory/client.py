"""HTTP client of the Relbase API: two auth headers, a client-side rate limiter, retries with backoff.

Relbase allows 7 requests per second and answers 403 (not 429) beyond that. Every attempt,
retries included, first takes a slot from a shared sliding-window limiter, so concurrent workers
together stay under the limit. A 403 that is not a retired product is taken as throttling and retried
with exponential backoff; 5xx, timeouts, dropped connections and malformed JSON are retried too. A
401/403 for a retired product (SKU ``ANU…``) is returned as ``refused`` at once, not retried.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests

RETIRED_PREFIX = "ANU"


class RelbaseError(RuntimeError):
    """A call failed for good (retries exhausted or credentials refused)."""


class RelbaseAuthError(RelbaseError):
    """The API refused the credentials (401 on a call that is not about one product)."""


class RateLimiter:
    """At most ``max_calls`` requests *reach the server* in any ``period`` seconds, across threads.

    A slot is busy while its request is in flight and for ``period`` seconds after its response.
    A request arrives at the server between its start and its response, so a new request starting
    when the ``max_calls``-th latest one ended ``period`` ago can never share a ``period`` window with
    it: the guarantee holds however late a thread actually sends, without a safety margin.
    """

    def __init__(self, max_calls: int, period: float) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("rate limit needs max_calls >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._ends: dict[int, float] = {}
        self._next = 0
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            while True:
                now = time.monotonic()
                self._ends = {k: end for k, end in self._ends.items() if end > now - self.period}
                if len(self._ends) < self.max_calls:
                    break
                ended = [end for end in self._ends.values() if end != math.inf]
                self._cond.wait(min(ended) + self.period - now if ended else None)
            token = self._next
            self._next += 1
            self._ends[token] = math.inf
        try:
            yield
        finally:
            with self._cond:
                self._ends[token] = time.monotonic()
                self._cond.notify_all()


@dataclass(frozen=True)
class ClientOptions:
    """Limits and retry policy: Relbase's 7 requests per second, 4 concurrent workers."""

    max_calls: int = 7
    period: float = 1.0
    timeout: float = 30.0
    max_attempts: int = 8
    backoff: float = 0.5
    max_backoff: float = 16.0
    workers: int = 4


@dataclass
class ApiResult:
    """One logical call: final HTTP status, parsed body (None unless 200), and its outcome."""

    status: int
    body: Any
    outcome: str  # ok | not_found | refused
    attempts: int


@dataclass
class ClientStats:
    calls: Counter = field(default_factory=Counter)
    retries: Counter = field(default_factory=Counter)


class RelbaseClient:
    """GET calls against the Relbase API base URL. The tokens are never logged or printed."""

    def __init__(
        self, base_url: str, company_token: str, user_token: str, options: ClientOptions | None = None
    ) -> None:
        if not company_token or not user_token:
            raise RelbaseAuthError(
                "Relbase credentials missing: set RELBASE_COMPANY_TOKEN and RELBASE_USER_TOKEN "
                "(or sources.inventory.company_token / user_token in .dlt/secrets.toml)"
            )
        self.base_url = base_url.rstrip("/")
        self.options = options or ClientOptions()
        self.limiter = RateLimiter(self.options.max_calls, self.options.period)
        self.stats = ClientStats()
        self._headers = {"company": company_token, "authorization": user_token, "Accept": "application/json"}
        self._local = threading.local()
        self._stats_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RelbaseClient({self.base_url!r})"

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(self._headers)
            self._local.session = session
        return session

    def _count(self, kind: str, endpoint: str) -> None:
        with self._stats_lock:
            getattr(self.stats, kind)[endpoint] += 1

    def get(
        self, path: str, *, endpoint: str, params: dict | None = None, retired: bool = False
    ) -> ApiResult:
        """GET ``path``; ``retired`` marks a call about a retired product (401/403 -> refused)."""
        opts = self.options
        last_error = ""
        for attempt in range(1, opts.max_attempts + 1):
            self._count("calls", endpoint)
            throttled = False
            try:
                with self.limiter.slot():
                    resp = self._session().get(f"{self.base_url}{path}", params=params, timeout=opts.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last_error = type(exc).__name__
            else:
                status = resp.status_code
                if status in (401, 403) and retired:
                    return ApiResult(status, None, "refused", attempt)
                if status == 401:
                    if endpoint in ("bodegas", "productos"):
                        raise RelbaseAuthError(f"Relbase refused the credentials on {endpoint} (401)")
                    return ApiResult(status, None, "refused", attempt)
                if status == 404:
                    return ApiResult(status, None, "not_found", attempt)
                if status == 200:
                    try:
                        return ApiResult(status, resp.json(), "ok", attempt)
                    except ValueError:
                        last_error = "malformed JSON"
                elif status == 403:
                    throttled, last_error = True, "403 throttled"
                elif status >= 500 or status == 429:
                    last_error = f"HTTP {status}"
                else:
                    raise RelbaseError(f"{endpoint}: unexpected HTTP {status}")
            if attempt < opts.max_attempts:
                self._count("retries", endpoint)
                base = opts.backoff * (2 if throttled else 1)
                delay = min(opts.max_backoff, base * 2 ** (attempt - 1))
                time.sleep(delay * (0.5 + random.random() / 2))
        raise RelbaseError(f"{endpoint} {path}: gave up after {opts.max_attempts} attempts ({last_error})")

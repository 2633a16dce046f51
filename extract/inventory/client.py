"""The Relbase API client: two auth headers, a rate limiter shared by the workers, dlt's ``RESTClient``
with the project's one retry policy (``extract.http``).

Relbase allows 7 requests per second and answers 403 (not 429) beyond that. Every attempt, retries
included, first takes a slot from a shared sliding-window limiter, so concurrent workers together stay
under the limit. A 403 that is not about a retired product is taken as throttling and retried; 5xx,
timeouts, dropped connections and malformed JSON are retried too. A 401/403 for a retired product (SKU
``ANU…``) is ``refused`` at once; a 404 of ``lotes_series`` means "no lots here".
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator

from extract.http import (
    NETWORK_ERRORS,
    AuthRefused,
    CallFailed,
    RetryPolicy,
    Stats,
    failure,
    network_failure,
    retrying_session,
)
from extract.inventory.settings import MAX_CALLS, PERIOD, WORKERS

_PRODUCT_ID = re.compile(r"/productos/(\d+)")
_ENDPOINTS = (
    ("lotes_series", re.compile(r"/productos/\d+/lotes_series/\d+/?$")),
    ("producto", re.compile(r"/productos/\d+/?$")),
    ("productos", re.compile(r"/productos/?$")),
    ("bodegas", re.compile(r"/bodegas/?$")),
)


class RelbaseError(CallFailed):
    """A call failed for good (retries exhausted or an unexpected answer)."""


class RelbaseAuthError(RelbaseError, AuthRefused):
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

    max_calls: int = MAX_CALLS
    period: float = PERIOD
    timeout: float = 30.0
    max_attempts: int = 8
    backoff: float = 0.5
    max_backoff: float = 16.0
    workers: int = WORKERS

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            connect_timeout=min(10.0, self.timeout),
            read_timeout=self.timeout,
            max_attempts=self.max_attempts,
            backoff=self.backoff,
            max_backoff=self.max_backoff,
        )


@dataclass
class ApiResult:
    """One logical call: final HTTP status, parsed body (None unless 200), and its outcome."""

    status: int
    body: Any
    outcome: str  # ok | not_found | refused
    attempts: int = 1


def endpoint_of(url: str) -> str:
    path = url.split("?", 1)[0]
    return next((name for name, pattern in _ENDPOINTS if pattern.search(path)), path)


@dataclass
class RelbaseClient:
    """GET calls against the Relbase API base URL. The tokens are never logged or printed."""

    base_url: str
    company_token: str = field(repr=False)
    user_token: str = field(repr=False)
    options: ClientOptions = field(default_factory=ClientOptions)
    retired_ids: set[int] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if not self.company_token or not self.user_token:
            raise RelbaseAuthError(
                "Relbase credentials missing: set RELBASE_COMPANY_TOKEN and RELBASE_USER_TOKEN "
                "(or sources.inventory.company_token / user_token in .dlt/secrets.toml)"
            )
        self.base_url = self.base_url.rstrip("/")
        self.limiter = RateLimiter(self.options.max_calls, self.options.period)
        self.stats = Stats()
        self._local = threading.local()

    def _throttled(self, response: requests.Response) -> str | None:
        """Relbase's 403 is its rate limit, except for a retired product (refused for good)."""
        if response.status_code != 403:
            return None
        found = _PRODUCT_ID.search(response.url or "")
        if found and int(found.group(1)) in self.retired_ids:
            return None
        return "403 throttled"

    def _rest(self) -> RESTClient:
        """One RESTClient (and session) per worker thread, all sharing the limiter and the counts."""
        rest = getattr(self._local, "rest", None)
        if rest is None:
            session = retrying_session(
                self.options.policy,
                stats=self.stats,
                endpoint_of=endpoint_of,
                retry_if=self._throttled,
                slot=self.limiter.slot,
                headers={
                    "company": self.company_token,
                    "authorization": self.user_token,
                    "Accept": "application/json",
                },
            )
            rest = self._local.rest = RESTClient(base_url=self.base_url, session=session)
        return rest

    def get(self, path: str, *, params: dict | None = None, retired: bool = False) -> ApiResult:
        """GET ``path``; ``retired`` marks a call about a retired product (401/403 -> refused)."""
        endpoint = endpoint_of(path)
        before = self.stats.calls[endpoint]
        try:
            resp = self._rest().get(path, params=params)
        except NETWORK_ERRORS as exc:
            # network errors are always retried: reaching here, every attempt failed
            attempts = max(1, self.options.max_attempts)
            raise RelbaseError(
                str(network_failure(exc, f"Relbase {endpoint}", self.base_url + path, attempts))
            ) from exc
        attempts = self.stats.calls[endpoint] - before
        status = resp.status_code
        if status in (401, 403) and retired:
            return ApiResult(status, None, "refused", attempts)
        if status == 401:
            if endpoint in ("bodegas", "productos"):
                raise RelbaseAuthError(
                    f"Relbase refused the credentials on {endpoint} (401): check RELBASE_COMPANY_TOKEN "
                    "and RELBASE_USER_TOKEN",
                    status,
                )
            return ApiResult(status, None, "refused", attempts)
        if status == 404:
            return ApiResult(status, None, "not_found", attempts)
        if status == 200 and not self._rest().session.reason_of(resp):
            return ApiResult(status, resp.json(), "ok", attempts)
        raise RelbaseError(str(failure(resp, f"Relbase {endpoint}", max(attempts, 1))), status)

    def product_pages(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every ``/productos`` page (dlt's page-number paginator on ``meta.total_pages``)."""
        paginator = PageNumberPaginator(base_page=1, page=1, page_param="page", total_path="meta.total_pages")
        page = 1
        try:
            for data in self._rest().paginate(
                "/productos", paginator=paginator, data_selector="data.products"
            ):
                yield page, data.response.json()
                page += 1
        except requests.HTTPError as exc:
            resp = exc.response
            if resp is not None and resp.status_code == 401:
                raise RelbaseAuthError(
                    "Relbase refused the credentials on productos (401): check RELBASE_COMPANY_TOKEN "
                    "and RELBASE_USER_TOKEN",
                    401,
                ) from None
            raise RelbaseError(
                str(failure(resp, "Relbase productos")) if resp is not None else str(exc)
            ) from exc
        except NETWORK_ERRORS as exc:
            attempts = max(1, self.options.max_attempts)
            raise RelbaseError(
                str(network_failure(exc, "Relbase productos", self.base_url + "/productos", attempts))
            ) from exc

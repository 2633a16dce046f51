"""The one retry policy of every API this project calls, as a ``requests`` session for dlt's
``RESTClient``.

Each attempt may first take a slot from a rate limiter (Relbase). Connection errors, timeouts,
dropped connections, 429, 5xx, a 200 whose body is not JSON, and whatever the API adds
(``retry_if``) are retried with exponential backoff and full jitter; anything else comes back at once
(a 401 fails fast). When the attempts run out the last response is returned (or the last network error
raised), and ``CallFailed`` says which URL failed and why.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from dlt.sources.helpers.requests.session import Session
from tenacity import (
    RetryCallState,
    Retrying,
    retry_any,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_random_exponential,
)

log = logging.getLogger(__name__)

NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


class CallFailed(RuntimeError):
    """An API call failed for good: the message names the URL and the reason."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthRefused(CallFailed):
    """The API refused the credentials (fails fast, never retried)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Timeouts and backoff of one API; the defaults are the domain's (10 s connect, 60 s read)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 6
    backoff: float = 1.0
    max_backoff: float = 60.0


def safe_url(url: str) -> str:
    """A URL without credentials or query string, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _bad_json(response: requests.Response) -> bool:
    if response.status_code != 200:
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


def transient_reason(response: requests.Response) -> str | None:
    """Why a response is worth retrying under the common rules, or None."""
    if response.status_code == 429 or response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if _bad_json(response):
        return "malformed JSON"
    return None


class Stats:
    """Attempts and retries per endpoint, shared by the threads of one client; ``listeners`` are told of
    each retry as it happens (the live progress shows retries so far, during the backoff)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.listeners: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    def count(self, counter: Counter[str], endpoint: str) -> None:
        with self._lock:
            counter[endpoint] += 1

    @property
    def attempts(self) -> int:
        return sum(self.calls.values())

    def attempts_of(self, endpoint: str) -> int:
        return self.calls[endpoint]

    def retried(self, why: str) -> None:
        for listener in list(self.listeners):
            listener(why)


def retrying_session(
    policy: RetryPolicy,
    *,
    stats: Stats | None = None,
    endpoint_of: Callable[[str], str] = lambda url: urlsplit(url).path,
    retry_if: Callable[[requests.Response], str | None] | None = None,
    slot: Callable[[], AbstractContextManager[Any]] = nullcontext,
    headers: dict[str, str] | None = None,
) -> Session:
    """A session whose ``send`` applies ``policy``: give it to ``RESTClient(session=...)``."""
    session = Session(timeout=(policy.connect_timeout, policy.read_timeout), raise_for_status=False)
    if headers:
        session.headers.update(headers)
    stats = stats if stats is not None else Stats()
    send = session.send

    def reason_of(response: requests.Response) -> str | None:
        return transient_reason(response) or (retry_if(response) if retry_if else None)

    def attempt(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        stats.count(stats.calls, endpoint_of(request.url or ""))
        with slot():
            return send(request, **kwargs)

    def before_sleep(state: RetryCallState) -> None:
        request = state.args[0]
        endpoint = endpoint_of(request.url or "")
        stats.count(stats.retries, endpoint)
        outcome = state.outcome
        if outcome is not None and outcome.failed:
            why = type(outcome.exception()).__name__
        else:
            why = reason_of(outcome.result()) if outcome is not None else "?"
        stats.retried(f"{why} from {safe_url(request.url or '')}")
        log.info(
            "%s %s attempt %d failed (%s); retrying in %.1fs",
            request.method,
            safe_url(request.url or ""),
            state.attempt_number,
            why,
            state.next_action.sleep if state.next_action else 0,
        )

    retrying = Retrying(
        retry=retry_any(
            retry_if_exception_type(NETWORK_ERRORS),
            retry_if_result(lambda response: reason_of(response) is not None),
        ),
        wait=wait_random_exponential(multiplier=policy.backoff, max=policy.max_backoff),
        stop=stop_after_attempt(max(1, policy.max_attempts)),
        reraise=True,
        before_sleep=before_sleep,
        retry_error_callback=lambda state: state.outcome.result(),
    )
    session.send = retrying.wraps(attempt)  # type: ignore[method-assign]
    session.stats = stats  # type: ignore[attr-defined]
    session.reason_of = reason_of  # type: ignore[attr-defined]
    return session


def failure(response: requests.Response, what: str, attempts: int | None = None) -> CallFailed:
    """The error for a response that is still not usable after the retries."""
    session_reason = transient_reason(response) or f"HTTP {response.status_code}"
    tries = f" after {attempts} attempts" if attempts else ""
    return CallFailed(
        f"{what}: {response.request.method} {safe_url(response.url)} gave {session_reason}{tries}",
        response.status_code,
    )


def network_failure(exc: BaseException, what: str, url: str, attempts: int) -> CallFailed:
    """The error for a call whose every attempt failed on the network: what, the URL (no credentials or
    query), how many attempts, and the innermost reason (``ConnectionRefusedError: ...``)."""
    return CallFailed(f"{what} {safe_url(url)}: gave up after {attempts} attempts: {network_reason(exc)}")


def network_reason(exc: BaseException) -> str:
    """The innermost cause of a network error, one line, without urllib3's object reprs."""
    inner: BaseException = exc
    seen = {id(exc)}
    while True:
        nxt = (
            inner.__cause__
            or inner.__context__
            or next((a for a in getattr(inner, "args", ()) if isinstance(a, BaseException)), None)
        )
        nxt = getattr(nxt, "reason", nxt) if nxt is not None else None
        if not isinstance(nxt, BaseException) or id(nxt) in seen:
            break
        seen.add(id(nxt))
        inner = nxt
    text = " ".join(str(inner).split())
    text = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>: ?", "", text)
    return (
        f"{type(exc).__name__}: {type(inner).__name__}: {text}"
        if inner is not exc
        else (f"{type(exc).__name__}: {text}".rstrip(": "))
    )

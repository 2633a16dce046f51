"""The one retry policy of both APIs, against canned responses (no server): what is retried, what fails
fast, the backoff's bounds, and errors that name the URL and the reason."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from extract.http import RetryPolicy, failure, retrying_session, safe_url

FAST = RetryPolicy(max_attempts=4, backoff=0.001, max_backoff=0.002)


class Canned(BaseAdapter):
    """Answers each request with the next canned (status, body) or raises the next exception."""

    def __init__(self, answers: list[Any]) -> None:
        super().__init__()
        self.answers = deque(answers)
        self.sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent += 1
        answer = self.answers.popleft() if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        resp = requests.Response()
        resp.status_code = status
        resp._content = body.encode()
        resp.url = request.url or ""
        resp.request = request
        return resp

    def close(self) -> None:
        pass


def session_with(answers: list[Any], **kwargs: Any) -> tuple[requests.Session, Canned]:
    session = retrying_session(FAST, **kwargs)
    adapter = Canned(answers)
    session.mount("http://", adapter)
    return session, adapter


def test_transient_answers_are_retried_until_a_good_one() -> None:
    session, adapter = session_with(
        [(503, "down"), (429, "slow down"), (200, "not json"), requests.ConnectionError("reset"), (200, "{}")]
    )
    session.stats.calls.clear()
    # four attempts allowed: 503, 429, bad JSON, connection error -> the policy gives up on the error
    with pytest.raises(requests.ConnectionError):
        session.get("http://api.test/x")
    assert adapter.sent == 4
    assert session.stats.retries["/x"] == 3


def test_a_401_or_a_404_comes_back_at_once() -> None:
    for status in (401, 404):
        session, adapter = session_with([(status, "{}")])
        assert session.get("http://api.test/y").status_code == status
        assert adapter.sent == 1


def test_an_api_specific_condition_is_retried_too() -> None:
    session, adapter = session_with(
        [(403, "{}"), (200, '{"ok": 1}')],
        retry_if=lambda r: "403 throttled" if r.status_code == 403 else None,
    )
    assert session.get("http://api.test/z").json() == {"ok": 1}
    assert adapter.sent == 2


def test_giving_up_returns_the_last_answer_and_the_error_names_url_and_reason() -> None:
    session, adapter = session_with([(502, "bad gateway")])
    resp = session.get("http://user:pw@api.test/v1/items?token=secret")
    assert resp.status_code == 502 and adapter.sent == FAST.max_attempts
    message = str(failure(resp, "Relbase items", adapter.sent))
    assert "http://api.test/v1/items" in message and "HTTP 502" in message and "4 attempts" in message
    assert "secret" not in message and "pw" not in message
    assert safe_url("http://u:p@h:8080/a?b=c") == "http://h:8080/a"


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_api_names_its_url_attempts_and_reason_and_retries_show_as_they_happen() -> None:
    from extract.errors import explain
    from extract.fleet.client import EtracClient, EtracConfig, TransientError
    from extract.inventory.client import ClientOptions, RelbaseClient, RelbaseError

    base = f"http://127.0.0.1:{_closed_port()}/api/v1"
    relbase = RelbaseClient(base, "c-token", "u-token", ClientOptions(max_attempts=3, backoff=0.001))
    retries: list[str] = []
    relbase.stats.listeners.append(retries.append)
    with pytest.raises(RelbaseError) as caught:
        relbase.get("/bodegas")
    line = explain(caught.value)
    assert line.startswith(f"Relbase bodegas {base}/bodegas: gave up after 3 attempts: ConnectionError: "), (
        line
    )
    assert "Connection refused" in line and "object at 0x" not in line and "token" not in line
    assert retries == [f"ConnectionError from {base}/bodegas"] * 2  # told at each retry, not at the end

    config = EtracConfig(api_base=base, user="u", key="k", max_attempts=2, backoff=0.001)
    with EtracClient(config) as etrac, pytest.raises(TransientError) as caught:
        etrac.latest()
    line = explain(caught.value)
    assert line.startswith(f"e-Track {base}/ultimas-posicoes: gave up after 2 attempts: ConnectionError:"), (
        line
    )

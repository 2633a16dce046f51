"""The one progress module: bars that redraw in place on a terminal (rate, ETA, retries so far), one line
per task on a pipe; the dbt callback counts nodes and models; retries reach the bar as they happen."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
import requests
from requests.adapters import BaseAdapter

from extract import progress
from extract.http import RetryPolicy, retrying_session


def test_a_bar_on_a_terminal_updates_in_place_with_rate_eta_and_retries() -> None:
    out = io.StringIO()
    task = progress.Task(
        "Relbase download",
        4,
        "calls",
        counters=("retries", "failed"),
        file=out,
        bar=True,
        dynamic_ncols=False,
        ncols=120,
        mininterval=0,
    )
    task.update(1)
    task.retried("HTTP 503 from http://api.test/bodegas")
    task.update(1)
    task.update(1, failed=1)
    task.close()
    text = out.getvalue()
    frames = [f for f in text.split("\r") if f.strip()]
    assert len(frames) >= 4, text  # redrawn, not printed line after line
    assert "\n" not in text.rstrip("\n"), "a terminal bar never scrolls while it runs"
    assert re.search(r"3/4 \[\d\d:\d\d<\d\d:\d\d,", frames[-2]), frames[-2]  # elapsed < ETA
    assert re.search(r"\d+(\.\d+)?( calls/s|s/ calls)", frames[-2]), frames[-2]  # the rate
    assert "retries=1" in frames[-1] and "failed=1" in frames[-1], frames[-1]


def test_a_task_on_a_pipe_prints_one_line_when_it_ends() -> None:
    out = io.StringIO()
    with progress.Task(
        "fleet backfill", 3, "plate-days", counters=("retries", "failed"), file=out, bar=False
    ) as t:
        for _ in range(3):
            t.update(1)
        t.retried()
        t.count(failed=1)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert re.fullmatch(
        r"fleet backfill: 3/3 plate-days in \d+\.\ds \(\S+ plate-days/s\); retries 1, failed 1", lines[0]
    ), lines[0]


def test_a_task_with_nothing_to_do_can_stay_silent() -> None:
    out = io.StringIO()
    progress.Task("fleet backfill", 0, "plate-days", file=out, bar=False, quiet=True).close()
    assert out.getvalue() == ""


def test_the_choice_follows_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert not progress.live()
    assert progress.collector() is None  # a pipe: no dlt bars, one line per source instead
    assert type(progress.collector(verbose=True)).__name__ == "LogCollector"
    assert progress.collector(verbose=True).dump_system_stats is False  # no psutil warning
    fake_tty = io.StringIO()
    fake_tty.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdout", fake_tty)
    assert progress.live() and progress.collector() == "tqdm"


def _event(name: str, **data: object) -> SimpleNamespace:
    return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))


def test_the_dbt_callback_counts_nodes_of_total_and_models() -> None:
    out = io.StringIO()
    dbt = progress.DbtProgress("dbt build", file=out, bar=False)
    dbt(_event("LogStartLine", total=3, index=1))
    dbt(_event("LogStartLine", total=3, index=2))  # the total counts once
    node = SimpleNamespace(resource_type="model", node_status="success")
    dbt(_event("NodeFinished", node_info=node))
    dbt(_event("NodeFinished", node_info=SimpleNamespace(resource_type="test", node_status="pass")))
    dbt(_event("NodeFinished", node_info=SimpleNamespace(resource_type="test", node_status="fail")))
    dbt.close()
    assert re.match(r"dbt build: 3/3 nodes in .*; models 1, failed 1$", out.getvalue().strip()), (
        out.getvalue()
    )


class _Flaky(BaseAdapter):
    """503 twice, then 200."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        self.sent += 1
        resp = requests.Response()
        resp.status_code, resp._content = (503, b"down") if self.sent < 3 else (200, b"{}")
        resp.url, resp.request = request.url or "", request
        return resp

    def close(self) -> None:
        pass


def test_retries_reach_the_progress_as_they_happen() -> None:
    session = retrying_session(RetryPolicy(max_attempts=4, backoff=0.001, max_backoff=0.002))
    session.mount("http://", _Flaky())
    task = progress.Task("calls", 1, counters=("retries",), file=io.StringIO(), bar=False)
    seen: list[str] = []
    session.stats.listeners += [task.retried, seen.append]
    assert session.get("http://api.test/bodegas").status_code == 200
    assert task.counts["retries"] == 2
    assert seen == ["HTTP 503 from http://api.test/bodegas"] * 2


def test_a_dbt_invocation_that_ran_no_node_prints_no_progress_line() -> None:
    out = io.StringIO()
    progress.DbtProgress("dbt build", file=out, bar=False).close()  # e.g. an empty selection
    assert out.getvalue() == ""

"""One run: land every selected source (each independent of the others), then dbt build downstream."""

from __future__ import annotations

import logging
import os
import time
import traceback
from dataclasses import dataclass, field

from extract.dbt import DbtResult, run_dbt
from extract.pipeline import KILL_ENV, LandResult, RunOptions, kill_point, show_progress
from extract.redact import redact
from extract.settings import Settings, activate
from extract.sources import SourceSpec

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """What a run did per source, and what dbt did after."""

    landed: list[LandResult] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    dbt: DbtResult | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and (self.dbt is None or self.dbt.ok)

    def lines(self) -> list[str]:
        out = [f"{r.describe()} in {self.seconds.get(r.source, 0):.1f}s" for r in self.landed]
        out += [f"{name}: FAILED: {error}" for name, error in self.failed.items()]
        if self.dbt is not None:
            out.append(self.dbt.describe())
            out += [f"  {line}" for line in self.dbt.problems()]
        return out


def dbt_selection(specs: list[SourceSpec], opts: RunOptions, all_selected: bool) -> list[str]:
    """The dbt --select of a run: everything, the sources' downstream, or one table's downstream."""
    if opts.tables:
        return [f"source:{spec.name}.{table}+" for spec in specs for table in opts.tables]
    if all_selected:
        return []
    return [spec.dbt_select for spec in specs]


def run(
    settings: Settings,
    specs: list[SourceSpec],
    opts: RunOptions,
    *,
    build: bool = True,
    all_selected: bool = False,
) -> RunReport:
    """Land each source; a failing source is reported and the others go on. Then build downstream."""
    activate(settings)
    report = RunReport()
    for spec in specs:
        started = time.monotonic()
        try:
            result = spec.land(settings, opts)
            report.landed.append(result)
            if result.errors:  # landed what it could, but something it must read failed
                report.failed[spec.name] = redact("; ".join(result.errors))
        except Exception as exc:  # one failing source must not stop the others
            log.debug("source %s failed:\n%s", spec.name, redact(traceback.format_exc()))
            report.failed[spec.name] = redact(f"{type(exc).__name__}: {_first_line(exc)}")
        report.seconds[spec.name] = time.monotonic() - started

    if build and not opts.dry_run:
        ok_specs = [s for s in specs if s.name not in report.failed]
        if ok_specs:
            select = dbt_selection(ok_specs, opts, all_selected and not report.failed)
            args = ["build"]
            if select:
                args += ["--select", *select]
            if opts.full_refresh:
                args.append("--full-refresh")
            started = time.monotonic()
            report.dbt = run_dbt(
                settings,
                args,
                check=False,
                quiet=not (opts.verbose or show_progress()),
                callbacks=_dbt_kill_callbacks(),
            )
            report.seconds["dbt"] = time.monotonic() - started
    return report


def _dbt_kill_callbacks() -> list:
    """Tests only: with ``ELT_TEST_KILL_AT=dbt`` the run kills itself once dbt has finished its first node."""
    if os.environ.get(KILL_ENV) != "dbt":
        return []

    def on_event(event) -> None:
        if event.info.name == "NodeFinished":
            kill_point("dbt")

    return [on_event]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else repr(exc)

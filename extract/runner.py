"""One run: land every selected source (each independent of the others), then dbt build downstream."""

from __future__ import annotations

import logging
import os
import time
import traceback
from dataclasses import dataclass, field

from extract.changes import BuildState, newest_load, project_hash, source_loads
from extract.dbt import DbtResult, run_dbt
from extract.errors import chain, exit_code, explain
from extract.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from extract.pipeline import KILL_ENV, LandResult, RunOptions, kill_point
from extract.progress import landed
from extract.redact import redact
from extract.settings import Settings, activate
from extract.sources import SourceSpec

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """What a run did per source, and what dbt did after."""

    landed: list[LandResult] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    chains: dict[str, list[str]] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    changed: dict[str, dict[str, int]] = field(default_factory=dict)
    build_skipped: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    dbt: DbtResult | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and (self.dbt is None or self.dbt.ok)

    @property
    def exit_code(self) -> int:
        """0 ok; 2 when every failure was a missing or bad setting; else 1."""
        if self.ok:
            return EXIT_OK
        codes = set(self.codes.values())
        if codes == {EXIT_USAGE} and (self.dbt is None or self.dbt.ok):
            return EXIT_USAGE
        return EXIT_FAILED

    def lines(self, verbose: bool = False) -> list[str]:
        """One line per source (its cause when it failed; with ``verbose`` the whole chain), then dbt."""
        out = []
        for r in self.landed:
            line = f"{r.describe()} in {self.seconds.get(r.source, 0):.1f}s"
            if r.source in self.changed:
                changed = self.changed[r.source]
                tables = ", ".join(f"{t}={n}" for t, n in sorted(changed.items()))
                line += f"; {sum(changed.values())} rows inserted or updated" + (
                    f" ({tables})" if tables else ""
                )
            out.append(line)
        for name, error in self.failed.items():
            out.append(f"{name}: FAILED: {error}")
            if verbose:
                out += [f"    {layer}" for layer in self.chains.get(name, [])]
        if self.build_skipped:
            out.append(f"dbt build: skipped, {self.build_skipped}")
        if self.dbt is not None:
            out.append(self.dbt.describe())
            out += [f"  {line}" for line in self.dbt.details()]
        return out


def tables_of(specs: list[SourceSpec], tables: list[str] | tuple[str, ...]) -> list[SourceSpec]:
    """The sources that own the ``--table`` names (all of ``specs`` when none); an unknown name is a
    ``ValueError`` (a usage error) that lists the known tables, raised before any work starts."""
    if not tables:
        return specs
    known = {table: spec.name for spec in specs for table in spec.tables}
    unknown = [t for t in tables if t not in known]
    if unknown:
        listing = "; ".join(f"{spec.name}: {', '.join(spec.tables)}" for spec in specs)
        raise ValueError(f"unknown table {', '.join(unknown)} (--table); known tables: {listing}")
    return [spec for spec in specs if spec.name in {known[t] for t in tables}]


def dbt_selection(
    specs: list[SourceSpec],
    opts: RunOptions,
    all_selected: bool,
    changed: dict[str, list[str] | None] | None = None,
) -> list[str]:
    """The dbt --select of a run: everything, the sources' downstream, or some tables' downstream (those
    named by ``--table``, or a source's ``changed`` raw tables when it builds by table)."""
    if opts.tables:
        return [
            f"source:{spec.name}.{table}+" for spec in specs for table in opts.tables if table in spec.tables
        ]
    if all_selected:
        return []
    select = []
    for spec in specs:
        tables = (changed or {}).get(spec.name)
        if spec.build_by_table and tables and set(tables) <= set(spec.tables):
            # the changed tables' downstream, and what reads the source's loads (the sync log)
            select += [f"source:{spec.name}.{table}+" for table in tables]
            select.append(f"source:{spec.name}._dlt_loads+")
        else:
            select.append(spec.dbt_select)
    return select


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
    before: dict[str, str | None] = {}
    for spec in specs:
        started = time.monotonic()
        if not opts.dry_run:
            before[spec.name] = newest_load(settings, spec.name)
        try:
            result = spec.land(settings, opts)
            report.landed.append(result)
            if result.errors:  # landed what it could, but something it must read failed
                report.failed[spec.name] = redact("; ".join(result.errors))
                report.codes[spec.name] = EXIT_FAILED
        except Exception as exc:  # one failing source must not stop the others
            log.debug("source %s failed:\n%s", spec.name, redact(traceback.format_exc()))
            report.failed[spec.name] = explain(exc)
            report.chains[spec.name] = chain(exc)
            report.codes[spec.name] = exit_code(exc)
        report.seconds[spec.name] = time.monotonic() - started
        rows = None if spec.name in report.chains else report.landed[-1].total_rows
        landed(spec.name, rows, report.seconds[spec.name])

    if not opts.dry_run:
        _count_changes(settings, report, before)
    if build and not opts.dry_run:
        ok_specs = [s for s in specs if s.name not in report.failed]
        if ok_specs:
            _build(settings, specs, ok_specs, opts, report, all_selected)
    return report


def _count_changes(settings: Settings, report: RunReport, before: dict[str, str | None]) -> None:
    """Rows each landed source inserted or updated; a source with changes waits for a build."""
    state = BuildState(settings)
    for result in report.landed:
        if not result.rows and not result.pending_load_ids:  # nothing landed: no table to scan
            report.changed[result.source] = {}
            continue
        since = before.get(result.source)
        _, report.changed[result.source] = source_loads(settings, result.source, since, state)
        if report.changed[result.source]:
            state.note_changes(result.source, list(report.changed[result.source]))
    state.save()


def _build(
    settings: Settings,
    specs: list[SourceSpec],
    ok_specs: list[SourceSpec],
    opts: RunOptions,
    report: RunReport,
    all_selected: bool,
) -> None:
    """dbt build downstream of the sources with loads newer than the last successful build (all of them
    when the project changed, on --full-refresh or --table); nothing when nothing is new."""
    project = project_hash()
    state = BuildState(settings)
    if opts.full_refresh or opts.tables:
        stale = ok_specs
    else:
        stale = [s for s in ok_specs if state.needs_build(s.name, project)]
    if not stale:
        report.build_skipped = "no source changed since the last successful build"
        return
    changed = {} if opts.full_refresh else {s.name: state.changed_tables(s.name, project) for s in stale}
    everything = (
        all_selected
        and not report.failed
        and len(stale) == len(specs)
        and not any(changed.get(s.name) for s in stale if s.build_by_table)
    )
    select = dbt_selection(stale, opts, everything, changed)
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
        quiet=not opts.verbose,  # dbt's errors still print; run_dbt shows the build's progress
        callbacks=_dbt_kill_callbacks(),
    )
    report.seconds["dbt"] = time.monotonic() - started
    if report.dbt.ok and not opts.tables:  # one table's downstream is not the whole source's
        state.record(project, [s.name for s in stale])


def _dbt_kill_callbacks() -> list:
    """Tests only: with ``ELT_TEST_KILL_AT=dbt`` the run kills itself once dbt has finished its first node."""
    if os.environ.get(KILL_ENV) != "dbt":
        return []

    def on_event(event) -> None:
        if event.info.name == "NodeFinished":
            kill_point("dbt")

    return [on_event]

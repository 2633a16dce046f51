"""One line per failure: the innermost meaningful cause of an exception chain, secrets masked.

dlt and dbt wrap the real cause (a malformed file, a refused connection, a missing setting) in layers
of their own (``PipelineStepFailed``, ``ResourceExtractionError``, tenacity's ``RetryError``). Every
command reports failures through ``explain`` (one line, the same text stored in the run history) and,
with ``-v``, ``chain`` (every layer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extract.exit_codes import EXIT_BUSY, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE
from extract.redact import redact

MAX_LENGTH = 600
# layers that only wrap another exception: their own text is never the cause
_WRAPPERS = {
    "PipelineStepFailed",
    "ResourceExtractionError",
    "PipeGenInvalid",
    "ExtractorException",
    "RetryError",
    "DltException",
}
# missing or refused settings and credentials: exit code 2
_SETTINGS_ERRORS = {"ConfigError", "ConfigFieldMissingException", "AuthRefused", "ArgumentTypeError"}
# what failed, for causes that do not say it themselves
_CONTEXT = {"WarehouseUnavailable": "warehouse unreachable", "DbtError": "dbt"}
# exception types whose name adds nothing to their message
_SELF_EXPLAINED = {"ConfigError", "ValueError", "RuntimeError", "Exception", "LockBusy", "DbtError"}


def _inner(exc: BaseException) -> BaseException | None:
    """The exception ``exc`` wraps, if any (dlt's ``.exception``, tenacity's last attempt, the cause)."""
    wrapped = getattr(exc, "exception", None)
    if isinstance(wrapped, BaseException) and wrapped is not exc:
        return wrapped
    last = getattr(exc, "last_attempt", None)
    if last is not None and hasattr(last, "exception"):
        try:
            found = last.exception()
        except Exception:  # a future that did not fail
            found = None
        if isinstance(found, BaseException):
            return found
    if exc.__cause__ is not None:
        return exc.__cause__
    if exc.__context__ is not None and not exc.__suppress_context__:
        return exc.__context__
    return None


def walk(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps, outermost first (cycles cut)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = _inner(current)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _message(exc: BaseException) -> str:
    """``exc``'s own text, with its type when the text alone does not say what kind of failure it is."""
    missing = missing_setting(exc)
    if missing:
        return missing
    text = _one_line(str(exc))
    if isinstance(exc, KeyError) and text.startswith("'") and text.endswith("'"):
        text = text[1:-1]
    name = type(exc).__name__
    if not text:
        return name
    if name in _SELF_EXPLAINED or type(exc).__module__.startswith("extract"):
        return text
    return f"{name}: {text}"


def _dotted_keys(field_name: str, traces: list) -> list[str]:
    """The dotted keys dlt looked up for a missing field (a nested spec: the field's own key)."""
    keys = []
    for trace in traces:
        nested = getattr(trace, "traces", None)
        if isinstance(nested, dict):
            for inner in nested.values():
                keys += [".".join(t.sections) for t in inner if getattr(t, "sections", None)]
        elif getattr(trace, "sections", None) is not None:
            keys.append(".".join([*trace.sections, field_name]))
    return keys


def missing_setting(exc: BaseException) -> str | None:
    """For dlt's "missing field" error: the missing settings by dlt key and environment variable."""
    traces = getattr(exc, "traces", None)
    if not isinstance(traces, dict) or not hasattr(exc, "fields"):
        return None
    from extract.settings import LEGACY_ENV, env_name

    legacy = {item.key: item.env for item in LEGACY_ENV}
    names = []
    for field_name, field_traces in traces.items():
        keys = _dotted_keys(field_name, field_traces)
        plain = [k for k in keys if k.startswith("sources.") and len(k.split(".")) == 3]
        key = (plain or keys or [field_name])[0]
        hint = env_name(key)
        if key in legacy:
            hint = f"{legacy[key]} (or {hint})"
        names.append(f"{key} (set {hint} or add it to .dlt/secrets.toml)")
    return "missing setting " + "; ".join(names)


def _meaningful(exc: BaseException) -> bool:
    return type(exc).__name__ not in _WRAPPERS and bool(_one_line(str(exc)) or missing_setting(exc))


def cause(exc: BaseException) -> BaseException:
    """The innermost exception of the chain that carries a message of its own, or the nearest layer
    above it that repeats that message with more context (a file name, a host, a setting)."""
    layers = list(walk(exc))
    found = next((e for e in reversed(layers) if _meaningful(e)), layers[-1])
    needle = _one_line(str(found))[:40].lower()
    for outer in reversed(layers[: layers.index(found)]):
        if type(outer).__name__ in _WRAPPERS:
            continue
        if needle and needle in _one_line(str(outer)).lower():
            found = outer
            continue
        break
    return found


def explain(exc: BaseException) -> str:
    """One line: the innermost meaningful cause of ``exc``, secrets masked, at most ``MAX_LENGTH``."""
    text = redact(_message(cause(exc)))
    prefix = next((p for kind, p in _CONTEXT.items() if kind in _kinds(exc)), "")
    if prefix and not text.startswith(prefix):
        text = f"{prefix}: {text}"
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


def chain(exc: BaseException) -> list[str]:
    """Every layer of ``exc`` as ``Type: text`` lines, outermost first, secrets masked (for ``-v``)."""
    return [redact(f"{type(e).__name__}: {_one_line(str(e))[:1000]}") for e in walk(exc)]


def _kinds(exc: BaseException) -> set[str]:
    return {cls.__name__ for e in walk(exc) for cls in type(e).__mro__}


def is_usage(exc: BaseException) -> bool:
    """A missing or bad setting, bad credentials, or a bad argument we rejected (a plain ValueError)."""
    if _kinds(exc) & _SETTINGS_ERRORS or any(missing_setting(e) for e in walk(exc)):
        return True
    return type(exc) in (ValueError, KeyError)


def exit_code(exc: BaseException) -> int:
    """The exit code of a failure: 130 interrupted, 75 busy, 2 settings or usage, else 1."""
    kinds = _kinds(exc)
    if "KeyboardInterrupt" in kinds:
        return EXIT_INTERRUPTED
    if "LockBusy" in kinds:
        return EXIT_BUSY
    return EXIT_USAGE if is_usage(exc) else EXIT_FAILED

"""Column names as they land: dlt's snake_case of the legacy names, minus a trailing-dot quirk."""

from __future__ import annotations


def raw_name(name: str) -> str:
    """A legacy column name dlt snake-cases as the raw contract says: "Oper." -> "Oper" (``oper``).

    dlt turns a trailing "." into "_" and then appends "x" (``operx``); so the trailing punctuation goes.
    """
    return name.rstrip(" ._-") or name

"""Fixtures of the inventory tests: a small Relbase sandbox served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from extract.settings import Settings
from tests.inventory.support import Relbase, start_relbase


@pytest.fixture
def relbase(settings: Settings) -> Iterator[Relbase]:
    found = start_relbase(settings)
    try:
        yield found
    finally:
        found.server.stop()

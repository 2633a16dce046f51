"""A sandbox database connection: PostgreSQL (psycopg2) or a SQLite file, by URL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Self


class SandboxDB:
    """Opens ``url`` (``sqlite:///path`` or a PostgreSQL URL); a context manager that closes it."""

    def __init__(self, url: str, schema: str | None) -> None:
        self.url = url
        self.schema = schema
        self.kind = "sqlite" if url.startswith("sqlite") else "postgres"
        if self.kind == "sqlite":
            path = url.split("///", 1)[1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.conn: Any = sqlite3.connect(path)
        else:
            import psycopg2

            self.conn = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Run settings shared by every source: which warehouse, where its files live, how to reach it.

One setting, ``ELT_TARGET`` (``duckdb`` or ``postgres``), selects both the dlt destination and the dbt
target, so raw and modelled data always live in the same warehouse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("duckdb", "postgres")

# dlt reads `.dlt/config.toml` (and an optional, ignored `.dlt/secrets.toml`) of this project
# whatever the working directory.
os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_ROOT))


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the setting."""


@dataclass(frozen=True)
class PostgresConn:
    """A PostgreSQL connection built from the standard libpq variables."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = "postgres"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> PostgresConn:
        env = os.environ if env is None else env
        port = env.get("PGPORT", "5432")
        if not port.isdigit():
            raise ConfigError(f"PGPORT must be a port number, got {port!r}")
        return cls(
            host=env.get("PGHOST", "127.0.0.1"),
            port=int(port),
            user=env.get("PGUSER", "postgres"),
            password=env.get("PGPASSWORD", ""),
            database=env.get("PGDATABASE", "postgres"),
        )

    def with_database(self, database: str) -> PostgresConn:
        return replace(self, database=database)

    def url(self, driver: str = "postgresql") -> str:
        """SQLAlchemy/dlt URL. An empty password stays empty (trust or peer auth)."""
        auth = quote(self.user, safe="") + ":" + quote(self.password, safe="")
        return f"{driver}://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}"

    def dsn(self) -> str:
        """libpq keyword DSN for psycopg2."""
        parts = {
            "host": self.host,
            "port": str(self.port),
            "user": self.user,
            "dbname": self.database,
            "connect_timeout": "10",
        }
        if self.password:
            parts["password"] = self.password
        return " ".join(f"{k}='{v}'" for k, v in parts.items())

    def env(self) -> dict[str, str]:
        """The PG* variables that point dbt's `postgres` target at this database."""
        return {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
        }


@dataclass(frozen=True)
class Settings:
    """Where the warehouse is and where local working files go."""

    target: str = "duckdb"
    duckdb_path: Path = PROJECT_ROOT / "warehouse" / "logistics.duckdb"
    postgres: PostgresConn = field(default_factory=PostgresConn)
    sandbox_dir: Path = PROJECT_ROOT / "warehouse" / "sandbox"
    pipelines_dir: Path | None = None
    dbt_target_path: Path = PROJECT_ROOT / "target"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        target = env.get("ELT_TARGET", "duckdb").strip().lower()
        if target not in TARGETS:
            raise ConfigError(f"ELT_TARGET must be one of {', '.join(TARGETS)}, got {target!r}")
        pipelines = env.get("ELT_PIPELINES_DIR")
        return cls(
            target=target,
            duckdb_path=_path(env.get("ELT_DUCKDB_PATH"), PROJECT_ROOT / "warehouse" / "logistics.duckdb"),
            postgres=PostgresConn.from_env(env),
            sandbox_dir=_path(env.get("ELT_SANDBOX_DIR"), PROJECT_ROOT / "warehouse" / "sandbox"),
            pipelines_dir=_path(pipelines, None) if pipelines else None,
            dbt_target_path=_path(env.get("DBT_TARGET_PATH"), PROJECT_ROOT / "target"),
        )

    def with_target(self, target: str | None) -> Settings:
        if target is None:
            return self
        if target not in TARGETS:
            raise ConfigError(f"--target must be one of {', '.join(TARGETS)}, got {target!r}")
        return replace(self, target=target)

    @property
    def warehouse_label(self) -> str:
        if self.target == "duckdb":
            return str(self.duckdb_path)
        pg = self.postgres
        return f"postgresql://{pg.user}@{pg.host}:{pg.port}/{pg.database}"

    @property
    def dlt_pipelines_dir(self) -> Path:
        """dlt keeps pipeline state per warehouse, so two warehouses never share incremental cursors."""
        if self.pipelines_dir is not None:
            return self.pipelines_dir
        if self.target == "duckdb":
            return self.duckdb_path.with_name(self.duckdb_path.stem + ".pipelines")
        pg = self.postgres
        return PROJECT_ROOT / "warehouse" / "pipelines" / f"pg_{pg.host}_{pg.port}_{pg.database}"

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess that points it at this warehouse."""
        env = {"ELT_TARGET": self.target, "ELT_DUCKDB_PATH": str(self.duckdb_path)}
        env.update(self.postgres.env())
        return env


def _path(value: str | None, default: Path | None) -> Path | None:
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()

"""Every setting of the project, in one place: the warehouse, local folders, and how source settings
reach dlt.

Source settings (credentials, URLs, folders, limits) are read by dlt's injection into each
``@dlt.source``, from, in order:

1. the *source settings file* ``<ELT_SANDBOX_DIR>/sources.toml`` when it exists: ``elt sandbox up``
   writes it to point every source at the local sandbox until ``elt sandbox down`` removes it, so a
   machine with production variables set still runs the demo against the sandbox;
2. environment variables, dlt's names (``SOURCES__FLEET__USER``) or the legacy names users already
   have (``ETRAC_USER``), mapped onto dlt's keys by ``LEGACY_ENV`` below;
3. ``.dlt/secrets.toml`` (ignored by git) and ``.dlt/config.toml`` (committed).

The warehouse is chosen by ``ELT_TARGET`` (``duckdb``, ``postgres`` or ``spark``), for both the dlt
destination and the dbt target; PostgreSQL is reached with the standard ``PG*`` variables; Spark reads
a parquet lake (``ELT_LAKE_URL``) that dlt writes, on the master ``ELT_SPARK_MASTER``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("duckdb", "postgres", "spark")
SOURCE_SETTINGS_FILE = "sources.toml"
_PROVIDER_NAME = "sources.toml"

# dlt reads `.dlt/config.toml` (and an optional, ignored `.dlt/secrets.toml`) of this project
# whatever the working directory.
os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_ROOT))


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the setting."""


@dataclass(frozen=True)
class Legacy:
    """A legacy environment variable and the dlt key it sets."""

    env: str
    key: str
    secret: bool = False
    help: str = ""


# The environment names users of the legacy systems already have, onto dlt's keys (one table).
LEGACY_ENV: tuple[Legacy, ...] = (
    Legacy("ETRAC_API_BASE", "sources.fleet.api_base", help="e-Track API base URL"),
    Legacy("ETRAC_USER", "sources.fleet.user", True, "e-Track Basic-auth user"),
    Legacy("ETRAC_KEY", "sources.fleet.key", True, "e-Track Basic-auth key"),
    Legacy("ETRAC_RATE_SLEEP", "sources.fleet.rate_sleep", help="pause between backfill calls (s)"),
    Legacy("ETRAC_CONNECT_TIMEOUT", "sources.fleet.connect_timeout", help="connect timeout (s)"),
    Legacy("ETRAC_READ_TIMEOUT", "sources.fleet.read_timeout", help="read timeout (s)"),
    Legacy("ETRAC_MAX_ATTEMPTS", "sources.fleet.max_attempts", help="attempts per call"),
    Legacy("ETRAC_BACKOFF", "sources.fleet.backoff", help="backoff multiplier (s)"),
    Legacy("ETRAC_MAX_BACKOFF", "sources.fleet.max_backoff", help="longest pause between attempts (s)"),
    Legacy("ETRAC_DAILY_LOCK_ID", "sources.fleet.daily_lock_id", help="advisory lock of daily runs"),
    Legacy("ETRAC_BACKFILL_LOCK_ID", "sources.fleet.backfill_lock_id", help="advisory lock of backfills"),
    Legacy("RELBASE_COMPANY_TOKEN", "sources.inventory.company_token", True, "Relbase `company` header"),
    Legacy("RELBASE_USER_TOKEN", "sources.inventory.user_token", True, "Relbase `authorization` header"),
    Legacy("RELBASE_BASE_URL", "sources.inventory.base_url", help="Relbase API base URL"),
    Legacy("ELT_INVENTORY_LAKE_DIR", "sources.inventory.lake_dir", help="folder of the Relbase lake"),
    Legacy("TRAFFIC_SALIDAS_ODBC", "sources.traffic.salidas_odbc", True, "ODBC string of SQL Server"),
)


def env_name(key: str) -> str:
    """dlt's environment variable for a dotted key: ``sources.fleet.user`` -> ``SOURCES__FLEET__USER``."""
    return "__".join(part.upper() for part in key.split("."))


class LegacyEnvProvider:
    """A dlt config provider that answers dlt's keys from the legacy environment names (``LEGACY_ENV``).

    It sits right after dlt's own environment provider, so ``SOURCES__FLEET__USER`` wins over
    ``ETRAC_USER`` and both win over ``.dlt/*.toml``.
    """

    name = "Legacy environment variables"
    supports_secrets = True
    supports_sections = True
    is_empty = False
    is_writable = False
    locations: tuple[str, ...] = ()
    present_locations: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.by_key = {item.key: item.env for item in LEGACY_ENV}

    def get_value(self, key: str, hint: Any, pipeline_name: str | None, *sections: str) -> tuple[Any, str]:
        if pipeline_name:
            return None, key
        env = self.by_key.get(".".join([*sections, key]))
        if env is None:
            return None, key
        value = os.environ.get(env)
        return (value if value not in (None, "") else None), env

    def get_value_location(self, key: str, pipeline_name: str | None, *sections: str) -> str:
        return self.by_key.get(".".join([*sections, key]), "")


def _providers() -> list[Any]:
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    return Container()[PluggableRunContext].providers.providers


def install_legacy_env() -> None:
    """Make dlt read the legacy variable names (idempotent)."""
    providers = _providers()
    if any(p.name == LegacyEnvProvider.name for p in providers):
        return
    after = next((i + 1 for i, p in enumerate(providers) if p.name == "Environment Variables"), 0)
    providers.insert(after, LegacyEnvProvider())


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

    def url(self, *, with_password: bool = True) -> str:
        """``postgresql://`` URL (dlt, libpq, ConnectorX; SQLAlchemy through ``sqlalchemy_url``).
        An empty password stays empty (trust or peer auth)."""
        # an empty password is kept as "user:@": dlt's PostgreSQL credentials require the field
        auth = quote(self.user, safe="") + ":" + (quote(self.password, safe="") if with_password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}"

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


def sqlalchemy_url(url: Any) -> str:
    """The one place a source URL becomes a SQLAlchemy URL: ``postgresql://`` (and ``postgres://``) use
    psycopg2, the driver this project installs (SQLAlchemy 2.1 would pick psycopg 3)."""
    text = url if isinstance(url, str) else url.to_native_representation()
    for scheme in ("postgresql://", "postgres://"):
        if text.startswith(scheme):
            return "postgresql+psycopg2://" + text[len(scheme) :]
    return text


@dataclass(frozen=True)
class Settings:
    """Where the warehouse is and where local working files go."""

    target: str = "duckdb"
    duckdb_path: Path = PROJECT_ROOT / "warehouse" / "logistics.duckdb"
    postgres: PostgresConn = field(default_factory=PostgresConn)
    sandbox_dir: Path = PROJECT_ROOT / "warehouse" / "sandbox"
    pipelines_dir: Path | None = None
    dbt_target_path: Path = PROJECT_ROOT / "target"
    # ELT_TARGET=spark: where dlt lands the raw parquet tables (a folder or an s3://, gs://, abfss:// URL),
    # the Spark master of dbt-spark's session, and the local folder of Spark's own files (metastore)
    lake_url: str = str(PROJECT_ROOT / "warehouse" / "lake" / "raw")
    spark_master: str = "local[*]"
    spark_dir: Path = PROJECT_ROOT / "warehouse" / "spark"
    # sizes of the Spark session, the same for dbt-spark (profiles.yml) and our own readers: driver and
    # executor memory (JVM sizes, e.g. 1g, 512m; an executor within a worker's memory) and the
    # partitions of a shuffle (4 on a laptop; raise it on a cluster)
    spark_driver_memory: str = "1g"
    spark_executor_memory: str = "512m"
    spark_shuffle_partitions: int = 4
    duckdb_wait_s: float = 30.0  # how long a run waits for another process holding the DuckDB file

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        target = env.get("ELT_TARGET", "duckdb").strip().lower()
        if target not in TARGETS:
            raise ConfigError(f"ELT_TARGET must be one of {', '.join(TARGETS)}, got {target!r}")
        pipelines = env.get("ELT_PIPELINES_DIR")
        wait = env.get("ELT_DUCKDB_WAIT_SECONDS", "30")
        try:
            wait_s = float(wait)
        except ValueError:
            raise ConfigError(f"ELT_DUCKDB_WAIT_SECONDS must be a number of seconds, got {wait!r}") from None
        return cls(
            duckdb_wait_s=wait_s,
            target=target,
            duckdb_path=_path(env.get("ELT_DUCKDB_PATH"), PROJECT_ROOT / "warehouse" / "logistics.duckdb"),
            postgres=PostgresConn.from_env(env),
            sandbox_dir=_path(env.get("ELT_SANDBOX_DIR"), PROJECT_ROOT / "warehouse" / "sandbox"),
            pipelines_dir=_path(pipelines, None) if pipelines else None,
            dbt_target_path=_path(env.get("DBT_TARGET_PATH"), PROJECT_ROOT / "target"),
            lake_url=_lake_url(env.get("ELT_LAKE_URL")),
            spark_master=_spark_master(env.get("ELT_SPARK_MASTER")),
            spark_dir=_path(env.get("ELT_SPARK_DIR"), PROJECT_ROOT / "warehouse" / "spark"),
            spark_driver_memory=_jvm_size(env, "ELT_SPARK_DRIVER_MEMORY", "1g"),
            spark_executor_memory=_jvm_size(env, "ELT_SPARK_EXECUTOR_MEMORY", "512m"),
            spark_shuffle_partitions=_positive_int(env, "ELT_SPARK_SHUFFLE_PARTITIONS", 4),
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
        if self.target == "spark":
            return f"spark {self.spark_master} over {self.lake_url}"
        pg = self.postgres
        return f"postgresql://{pg.user}@{pg.host}:{pg.port}/{pg.database}"

    @property
    def dlt_pipelines_dir(self) -> Path:
        """dlt keeps pipeline state per warehouse, so two warehouses never share incremental cursors."""
        if self.pipelines_dir is not None:
            return self.pipelines_dir
        if self.target == "duckdb":
            return self.duckdb_path.with_name(self.duckdb_path.stem + ".pipelines")
        if self.target == "spark":
            return self.spark_dir / "pipelines"
        pg = self.postgres
        return PROJECT_ROOT / "warehouse" / "pipelines" / f"pg_{pg.host}_{pg.port}_{pg.database}"

    @property
    def lake_dir(self) -> Path:
        """Root of the local raw-file lake (the Relbase downloads live in ``relbase/``)."""
        return self.sandbox_dir.parent / "lake"

    @property
    def source_settings_file(self) -> Path:
        """The source settings file (``sources.toml``) that dlt reads after the environment."""
        return self.sandbox_dir / SOURCE_SETTINGS_FILE

    def dbt_env(self) -> dict[str, str]:
        """Environment that points dbt's profile at this warehouse."""
        env = {"ELT_TARGET": self.target, "ELT_DUCKDB_PATH": str(self.duckdb_path)}
        env.update(self.postgres.env())
        env.update(
            {
                "ELT_LAKE_URL": self.lake_url,
                "ELT_SPARK_MASTER": self.spark_master,
                "ELT_SPARK_DIR": str(self.spark_dir),
                "ELT_SPARK_DRIVER_MEMORY": self.spark_driver_memory,
                "ELT_SPARK_EXECUTOR_MEMORY": self.spark_executor_memory,
                "ELT_SPARK_SHUFFLE_PARTITIONS": str(self.spark_shuffle_partitions),
            }
        )
        return env


_REMOTE_LAKE = ("s3://", "s3a://", "gs://", "gcs://", "abfss://", "az://", "file://")


def _lake_url(value: str | None) -> str:
    """``ELT_LAKE_URL``: a remote URL as given, a local folder made absolute (Spark and dlt both read it)."""
    if not value:
        return str(PROJECT_ROOT / "warehouse" / "lake" / "raw")
    if value.startswith(_REMOTE_LAKE):
        return value.rstrip("/")
    if "://" in value:
        raise ConfigError(f"ELT_LAKE_URL must be a folder or an s3://, gs://, abfss:// URL, got {value!r}")
    return str(_path(value, None))


def _jvm_size(env: Mapping[str, str], name: str, default: str) -> str:
    """A JVM memory size such as ``512m`` or ``2g`` (Spark's ``spark.*.memory``)."""
    value = env.get(name)
    size = (value or default).strip().lower()
    if not re.fullmatch(r"[0-9]+[kmgt]?", size):
        raise ConfigError(f"{name} must be a memory size such as 512m or 2g, got {value!r}")
    return size


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    try:
        number = int(value) if value else default
    except ValueError:
        number = 0
    if number < 1:
        raise ConfigError(f"{name} must be a positive whole number, got {value!r}")
    return number


def _spark_master(value: str | None) -> str:
    """``ELT_SPARK_MASTER``: ``local[*]``, ``local[N]`` or a standalone master ``spark://host:port``."""
    master = (value or "local[*]").strip()
    if not (master.startswith(("local", "spark://", "yarn", "k8s://"))):
        raise ConfigError(f"ELT_SPARK_MASTER must be local[*], local[N] or spark://host:port, got {master!r}")
    return master


def _path(value: str | None, default: Path | None) -> Path | None:
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def activate(settings: Settings) -> Path | None:
    """Make dlt read this project's source settings: the legacy environment names, then the source
    settings file of ``settings`` (when it exists), then ``.dlt/``. Returns the file in use, if any.

    The file is a dlt TOML provider placed first, before the environment (see the module docstring).
    """
    from dlt.common.configuration.providers import SettingsTomlProvider

    install_legacy_env()
    providers = _providers()
    providers[:] = [p for p in providers if p.name != _PROVIDER_NAME]
    path = settings.source_settings_file
    if not path.is_file():
        return None
    provider = SettingsTomlProvider(_PROVIDER_NAME, True, path.name, [str(path.parent)])
    providers.insert(0, provider)
    return path


def sources_pointed_at(settings: Settings) -> str:
    """One line for the user: which source settings a command reads."""
    path = settings.source_settings_file
    if path.is_file():
        return f"sources: {path} (the local sandbox; `elt sandbox down` to use .dlt/ and the environment)"
    return "sources: environment and .dlt/ settings"


install_legacy_env()

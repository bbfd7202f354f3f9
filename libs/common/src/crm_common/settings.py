"""Per-service configuration from the environment.

Every service has one subclass of `ServiceSettings` with its own env prefix (`CRM_API_`,
`RESOLVER_`, ...). The values every service shares keep their plain names: `DATA_DIR`,
`NATS_URL`, `LOG_LEVEL`. Build settings once at startup with `load_settings`, which turns a
validation failure into a message naming each bad or missing environment variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

DEFAULT_NATS_URL = "nats://127.0.0.1:4223"

S = TypeVar("S", bound="ServiceSettings")


class ServiceSettings(BaseSettings):
    """The settings every service has.

    Subclasses set `service_name` and `model_config = SettingsConfigDict(env_prefix=...)`, and give
    `port` a default.
    """

    model_config = SettingsConfigDict(extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "service"
    has_database: ClassVar[bool] = True

    data_dir: Path = Field(
        default=Path("data"),
        validation_alias=AliasChoices("DATA_DIR"),
        description="Directory for the SQLite files, the vector store and the embedded NATS store.",
    )
    nats_url: str = Field(
        default=DEFAULT_NATS_URL,
        validation_alias=AliasChoices("NATS_URL"),
        description="NATS servers, comma-separated. `make up` starts one on 4223 when unset.",
    )
    log_level: LogLevel = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    host: str = Field(default="127.0.0.1", description="Interface the HTTP server binds.")
    port: int = Field(default=8080, ge=1, le=65535)
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under DATA_DIR.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("nats_url")
    @classmethod
    def _check_nats_url(cls, value: str) -> str:
        servers = [s.strip() for s in value.split(",") if s.strip()]
        if not servers:
            raise ValueError("must name at least one server")
        for server in servers:
            if not server.startswith(("nats://", "tls://", "ws://", "wss://")):
                raise ValueError(f"{server!r} is not a nats://, tls://, ws:// or wss:// URL")
        return ",".join(servers)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; plain postgresql:// would pick psycopg2.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _default_database_url(self) -> ServiceSettings:
        if self.has_database and not self.database_url:
            path = (self.data_dir / f"{self.service_name}.db").resolve()
            self.database_url = f"sqlite:///{path}"
        return self

    @property
    def nats_servers(self) -> list[str]:
        return self.nats_url.split(",")


def env_name(settings_cls: type[ServiceSettings], field: str) -> str:
    """The environment variable that sets `field` of `settings_cls`."""
    info = settings_cls.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, AliasChoices):
        first = info.validation_alias.choices[0]
        if isinstance(first, str):
            return first
    prefix = settings_cls.model_config.get("env_prefix", "") or ""
    return f"{prefix}{field}".upper()


def describe_errors(settings_cls: type[ServiceSettings], error: ValidationError) -> str:
    """One line per invalid setting, named by its environment variable."""
    lines = [f"invalid configuration for {settings_cls.service_name}:"]
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        if not loc:  # a rule across several values names its variables in its message
            lines.append(f"  {item['msg'].removeprefix('Value error, ')}")
            continue
        field = loc[0]
        name = env_name(settings_cls, field) if field in settings_cls.model_fields else field
        given = item.get("input")
        shown = "" if isinstance(given, dict) or given is None else f" (got {given!r})"
        lines.append(f"  {name}: {item['msg']}{shown}")
    return "\n".join(lines)


class ConfigurationError(SystemExit):
    """Raised at startup when the environment holds a bad or missing value."""


def load_settings(settings_cls: type[S], **overrides: Any) -> S:
    """Build settings from the environment, or exit with a message naming each bad variable.

    Raises:
        ConfigurationError: a value is missing or invalid; its message names the variable.
    """
    try:
        return settings_cls(**overrides)
    except ValidationError as error:
        # SystemExit prints its message to stderr and exits 1: logging is not configured yet.
        raise ConfigurationError(describe_errors(settings_cls, error)) from None

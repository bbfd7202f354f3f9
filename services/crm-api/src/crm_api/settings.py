"""crm-api's settings (env prefix `CRM_API_`)."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from crm_common.settings import ServiceSettings

MIN_SECRET_LENGTH = 32
# Where the browser app's build lands (gitignored): crm_api/static/.
BUILT_WEB_APP = Path(__file__).resolve().parent / "static"
_PLACEHOLDERS = {"changeme", "change-me", "secret", "dev", "development", "test", "password"}


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_API_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "crm-api"

    port: int = 8080
    env: Literal["development", "production"] = Field(
        default="development",
        description="production refuses to start without a strong CRM_API_SECRET_KEY",
    )
    secret_key: str = Field(
        default="",
        description="Signs session tokens. Unset in development: a random key kept in DATA_DIR.",
        repr=False,
    )
    token_ttl_minutes: int = Field(default=12 * 60, ge=5, le=7 * 24 * 60)
    jwt_audience: str = "lp-crm"
    jwt_issuer: str = "crm-api"

    # argon2id; the default (46 MiB, t=1, p=1) is one of OWASP's equivalent recommendations.
    argon2_memory_kib: int = Field(default=47_104, ge=19_456)
    argon2_time_cost: int = Field(default=1, ge=1)
    argon2_parallelism: int = Field(default=1, ge=1)

    cors_origins: list[str] = Field(default_factory=list, description="CORS allowlist; empty = off")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="IPs or CIDRs whose X-Forwarded-For is believed"
    )
    behind_tls: bool = Field(
        default=False,
        description="sends HSTS and marks the session cookie Secure; set when TLS terminates "
        "upstream",
    )
    web_dir: Path = Field(
        default=BUILT_WEB_APP,
        description="the built browser app served on / (index.html, assets/)",
    )

    rate_limit_login: str = "10/minute"
    rate_limit_write: str = "300/minute"
    rate_limit_read: str = "1200/minute"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_import_bytes: int = Field(
        default=20 * 1_048_576, ge=1024, description="the largest upload POST /api/import/* takes"
    )

    max_sync_import_rows: int = Field(
        default=5_000,
        ge=1,
        description="the most rows POST /api/import/contacts commits in the request itself; "
        "larger files go through POST /api/import/jobs",
    )

    outbox_poll_interval: float = 2.0
    import_poll_interval: float = 2.0
    import_slice_rows: int = Field(
        default=500, ge=1, description="the most rows a background import applies per transaction"
    )
    import_slice_seconds: float = Field(
        default=1.0,
        gt=0,
        description="a background import's transaction ends after the row that takes it past "
        "this long (on SQLite, other writes wait for it)",
    )

    grid_presence_ttl: int = Field(
        default=30, ge=2, le=600, description="seconds a grid client's presence outlives it"
    )
    backup_dir: Path | None = Field(
        default=None, description="where backups go; default DATA_DIR/backups"
    )
    backup_check_interval: float = Field(
        default=60.0, gt=0, description="seconds between looks at the backup policy"
    )
    automation_interval: float = Field(
        default=15.0, gt=0, description="seconds between looks for scheduled rules that are due"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    @model_validator(mode="after")
    def _check_secret(self) -> Settings:
        key = self.secret_key
        if self.env == "production":
            if len(key) < MIN_SECRET_LENGTH or key.lower() in _PLACEHOLDERS:
                raise ValueError(
                    f"CRM_API_SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} random "
                    "characters in production"
                )
        elif key and len(key) < MIN_SECRET_LENGTH:
            raise ValueError(f"CRM_API_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        return self

    def signing_key(self) -> str:
        """The configured key, or (development only) one kept in DATA_DIR/crm-api.secret."""
        if self.secret_key:
            return self.secret_key
        path = Path(self.data_dir) / "crm-api.secret"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key)
        return key

    @property
    def backups_path(self) -> Path:
        return self.backup_dir or Path(self.data_dir) / "backups"

    @property
    def secret_key_source(self) -> str:
        return "environment" if self.secret_key else "generated (development)"

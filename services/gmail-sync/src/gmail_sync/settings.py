"""gmail-sync's settings (env prefix `GMAIL_SYNC_`).

Two secrets: the service account's key file (its path here; startup refuses a file that group or
others may read) and the key that encrypts OAuth refresh tokens at rest (`TOKEN_KEY`, 32 bytes in
base64, with `TOKEN_KEY_ID` stored beside every ciphertext so keys can rotate: the old ones go in
`PREVIOUS_TOKEN_KEYS` as `id:key,id:key` and are used only to decrypt). `config` masks both, and
the OAuth client secret.

Google's endpoints (`API_ENDPOINT`, `TOKEN_URI`, `AUTH_URI`, `BATCH_URI`) are overridable so the
service talks to the fake (libs/gmail-fake) in tests.
"""

from __future__ import annotations

import base64
import binascii
import stat
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from crm_common.settings import ServiceSettings

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_BATCH_URI = "https://gmail.googleapis.com/batch/gmail/v1"
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"

CommaList = Annotated[list[str], NoDecode]


def decode_key(value: str, *, name: str) -> bytes:
    """A 32-byte AES key from base64 (standard or URL-safe, padding optional).

    Raises:
        ValueError: not base64, or not 32 bytes once decoded.
    """
    text = value.strip()
    try:
        raw = base64.urlsafe_b64decode(
            text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)
        )
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{name} is not base64") from exc
    if len(raw) != 32:
        raise ValueError(f"{name} must be 32 bytes (AES-256) in base64, got {len(raw)} bytes")
    return raw


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="GMAIL_SYNC_", extra="ignore", validate_default=True
    )

    service_name: ClassVar[str] = "gmail-sync"
    has_database: ClassVar[bool] = True

    port: int = 8082

    # -- credentials ---------------------------------------------------------------------------
    service_account_file: Path | None = Field(
        default=None,
        description="The Workspace service account's JSON key (domain-wide delegation); mode 0600.",
    )
    token_key: SecretStr | None = Field(
        default=None, description="AES-256-GCM key for OAuth refresh tokens: 32 bytes, base64."
    )
    token_key_id: str = Field(
        default="k1",
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="The id stored with each ciphertext made under TOKEN_KEY.",
    )
    previous_token_keys: SecretStr | None = Field(
        default=None, description="Retired keys, `id:base64key,...`: they only decrypt."
    )
    oauth_client_id: str = Field(default="", description="Per-user OAuth: the client id.")
    oauth_client_secret: SecretStr | None = Field(default=None)
    oauth_redirect_uri: str = Field(
        default="http://127.0.0.1:8080/api/email/oauth/callback",
        description="Where Google sends the user back (crm-api's OAuth callback).",
    )
    oauth_state_ttl_seconds: int = Field(default=600, ge=30, le=3600)

    # -- Google's endpoints (overridable for the fake) ------------------------------------------
    api_endpoint: str = Field(default="", description="Gmail API root; empty means Google's.")
    token_uri: str = Field(default=GOOGLE_TOKEN_URI)
    auth_uri: str = Field(default=GOOGLE_AUTH_URI)
    batch_uri: str = Field(default="", description="Empty: derived from API_ENDPOINT.")

    # -- privacy --------------------------------------------------------------------------------
    excluded_labels: CommaList = Field(
        default_factory=lambda: ["Personal"],
        description="Label names (comma-separated) whose mail never leaves the service.",
    )
    excluded_domains: CommaList = Field(default_factory=list)
    excluded_addresses: CommaList = Field(default_factory=list)

    # -- sync -----------------------------------------------------------------------------------
    max_attachment_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    backfill_page_size: int = Field(default=100, ge=1, le=500)
    batch_size: int = Field(default=50, ge=1, le=100, description="Gets per batch request.")
    sync_interval_seconds: float = Field(default=300.0, gt=0)
    quota_units_per_second: float = Field(
        default=250.0, gt=0, description="Per-user Gmail quota budget (Google's limit: 250)."
    )
    max_retries: int = Field(default=6, ge=0, le=20)
    backoff_base_seconds: float = Field(default=1.0, ge=0)
    backoff_max_seconds: float = Field(default=64.0, ge=0)
    resolver_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("excluded_labels", "excluded_domains", "excluded_addresses", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("excluded_domains", "excluded_addresses")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return sorted({part.strip().lower().lstrip("@") for part in value})

    @field_validator("service_account_file")
    @classmethod
    def _private_key_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_file():
            raise ValueError(f"no such file: {value}")
        mode = value.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ValueError(
                f"{value} is readable by group or others (mode {stat.filemode(mode)}); chmod 600 it"
            )
        return value

    @field_validator("token_key")
    @classmethod
    def _check_token_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            decode_key(value.get_secret_value(), name="GMAIL_SYNC_TOKEN_KEY")
        return value

    @field_validator("previous_token_keys")
    @classmethod
    def _check_previous(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_key_list(value.get_secret_value())
        return value

    @model_validator(mode="after")
    def _oauth_needs_a_key(self) -> Settings:
        if self.oauth_client_id and self.token_key is None:
            raise ValueError(
                "GMAIL_SYNC_OAUTH_CLIENT_ID is set but GMAIL_SYNC_TOKEN_KEY is not: refresh "
                "tokens are only ever stored encrypted"
            )
        if self.oauth_client_id and self.oauth_client_secret is None:
            raise ValueError("GMAIL_SYNC_OAUTH_CLIENT_SECRET must be set with the client id")
        return self

    @property
    def gmail_batch_uri(self) -> str:
        if self.batch_uri:
            return self.batch_uri
        if self.api_endpoint:
            return self.api_endpoint.rstrip("/") + "/batch/gmail/v1"
        return GOOGLE_BATCH_URI

    def token_keys(self) -> dict[str, bytes]:
        """Every key by id: the current one and the retired ones."""
        keys = (
            parse_key_list(self.previous_token_keys.get_secret_value())
            if self.previous_token_keys is not None
            else {}
        )
        if self.token_key is not None:
            keys[self.token_key_id] = decode_key(
                self.token_key.get_secret_value(), name="GMAIL_SYNC_TOKEN_KEY"
            )
        return keys


def parse_key_list(value: str) -> dict[str, bytes]:
    """`id:key,id:key` → {id: key}.

    Raises:
        ValueError: an entry is not `id:base64key` with a 32-byte key.
    """
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        key_id, sep, key = entry.partition(":")
        if not sep or not key_id:
            raise ValueError("GMAIL_SYNC_PREVIOUS_TOKEN_KEYS entries are `id:base64key`")
        keys[key_id] = decode_key(key, name=f"previous token key {key_id!r}")
    return keys

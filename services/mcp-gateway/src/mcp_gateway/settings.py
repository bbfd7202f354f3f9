"""mcp-gateway's configuration: `MCP_GATEWAY_*` variables (plus the shared DATA_DIR, NATS_URL,
LOG_LEVEL)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from crm_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="MCP_GATEWAY_", extra="ignore", validate_default=True
    )

    service_name: ClassVar[str] = "mcp-gateway"
    has_database: ClassVar[bool] = False

    port: int = 8081
    crm_api_url: str = Field(
        default="http://127.0.0.1:8080", description="crm-api, which every read and write goes to"
    )
    api_key: SecretStr | None = Field(
        default=None, description="`mcp-gateway stdio` only: the agent's crm-api key"
    )
    mcp_path: str = Field(default="/mcp", pattern=r"^/[A-Za-z0-9/_-]*$")
    request_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    default_rate_limit_per_minute: int = Field(
        default=120, ge=1, le=100_000, description="for a key that names no limit of its own"
    )
    identity_ttl_seconds: float = Field(
        default=30.0, ge=0, le=3600, description="how long a key's scopes are trusted unchecked"
    )
    max_items: int = Field(
        default=25, ge=1, le=200, description="items per page of a tool's answer"
    )
    max_chars: int = Field(
        default=40_000, ge=2_000, le=1_000_000, description="characters of one tool's answer"
    )
    max_text_chars: int = Field(
        default=2_000, ge=80, le=100_000, description="characters of one quoted body or snippet"
    )

    @field_validator("crm_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("crm_api_url must be an http(s) URL")
        return value.rstrip("/")

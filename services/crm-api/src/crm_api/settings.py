from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from crm_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_API_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "crm-api"

    port: int = 8080
    outbox_poll_interval: float = 2.0

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from crm_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="GMAIL_SYNC_", extra="ignore", validate_default=True
    )

    service_name: ClassVar[str] = "gmail-sync"
    has_database: ClassVar[bool] = True

    port: int = 8082

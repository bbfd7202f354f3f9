from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class AuditFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity_type: str | None = Field(default=None, max_length=64)
    entity_id: str | None = Field(default=None, max_length=64)
    actor_id: str | None = Field(default=None, max_length=64)
    action: str | None = Field(default=None, max_length=64)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    cursor: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="`next_cursor` of the last page"
    )
    limit: int = Field(default=50, ge=1, le=500)


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_kind: str
    actor_id: str
    actor_name: str | None
    entity_type: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: dict[str, Any] | None
    request_id: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    next_cursor: int | None

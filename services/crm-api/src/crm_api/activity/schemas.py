from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["audit", "automation", "backup"]
SOURCES: tuple[Source, ...] = ("audit", "automation", "backup")


class ActivityItem(BaseModel):
    at: datetime
    source: Source
    action: str = Field(description="audit: its action; automation: the trigger; backup: what")
    entity_type: str
    entity_id: str
    actor: dict[str, Any] | None
    summary: str
    detail: dict[str, Any]


class ActivityFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source] = Field(default_factory=lambda: list(SOURCES))
    before: datetime | None = Field(default=None, description="next_before of the last page")
    limit: int = Field(default=50, ge=1, le=500)


class ActivityPage(BaseModel):
    items: list[ActivityItem]
    next_before: datetime | None

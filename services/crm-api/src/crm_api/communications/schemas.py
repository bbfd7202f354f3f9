from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from crm_api.kit.schemas import AggregateRead, ListParams, Text, UtcTimestamp

CommunicationSort = Literal[
    "-occurred_at", "occurred_at", "-created_at", "created_at", "-updated_at", "updated_at"
]
Id = str


class CommunicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=64, examples=["call"])
    subject: str = Field(default="", max_length=500)
    body: Text = ""
    occurred_at: UtcTimestamp = Field(description="When it happened (not when it was logged)")
    contact_id: Id | None = Field(default=None, max_length=36)
    organization_id: Id | None = Field(default=None, max_length=36)
    opportunity_id: Id | None = Field(default=None, max_length=36)
    attendee_ids: list[Id] = Field(default_factory=list, max_length=100)
    outcome: str | None = Field(default=None, max_length=500)
    next_action: str | None = Field(default=None, max_length=500)
    next_action_due: date | None = None
    create_follow_up: bool = Field(
        default=False, description="also create a follow-up from next_action / next_action_due"
    )
    follow_up_owner_id: Id | None = Field(default=None, max_length=36)


class CommunicationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(default=None, max_length=64)
    subject: str | None = Field(default=None, max_length=500)
    body: Text | None = None
    occurred_at: UtcTimestamp | None = None
    contact_id: Id | None = Field(default=None, max_length=36)
    organization_id: Id | None = Field(default=None, max_length=36)
    opportunity_id: Id | None = Field(default=None, max_length=36)
    attendee_ids: list[Id] | None = Field(default=None, max_length=100)
    outcome: str | None = Field(default=None, max_length=500)
    next_action: str | None = Field(default=None, max_length=500)
    next_action_due: date | None = None


class CommunicationRead(AggregateRead):
    type: str
    subject: str
    body: str
    occurred_at: datetime
    contact_id: str | None
    organization_id: str | None
    opportunity_id: str | None
    attendee_ids: list[str]
    outcome: str | None
    next_action: str | None
    next_action_due: date | None


class CommunicationFilter(ListParams):
    type: str | None = Field(default=None, max_length=64)
    contact_id: Id | None = Field(default=None, max_length=36, description="on or attended by")
    organization_id: Id | None = Field(default=None, max_length=36)
    opportunity_id: Id | None = Field(default=None, max_length=36)
    occurred_after: AwareDatetime | None = None
    occurred_before: AwareDatetime | None = None
    sort: CommunicationSort = "-occurred_at"


class CommunicationPage(BaseModel):
    items: list[CommunicationRead]
    next_cursor: str | None
    total: int

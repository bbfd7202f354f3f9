from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_api.kit.schemas import AggregateRead, ListParams, Text

FollowUpSort = Literal[
    "due_date", "-due_date", "created_at", "-created_at", "updated_at", "-updated_at"
]


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class FollowUpCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    notes: Text = ""
    due_date: date
    owner_id: str | None = Field(default=None, max_length=36)
    contact_id: str | None = Field(default=None, max_length=36)
    organization_id: str | None = Field(default=None, max_length=36)
    opportunity_id: str | None = Field(default=None, max_length=36)


class FollowUpUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    notes: Text | None = None
    due_date: date | None = None
    owner_id: str | None = Field(default=None, max_length=36)
    status: FollowUpStatus | None = None
    contact_id: str | None = Field(default=None, max_length=36)
    organization_id: str | None = Field(default=None, max_length=36)
    opportunity_id: str | None = Field(default=None, max_length=36)


class FollowUpRead(AggregateRead):
    title: str
    notes: str
    due_date: date
    owner_id: str | None
    status: str
    completed_at: datetime | None
    completed_by: str | None
    contact_id: str | None
    organization_id: str | None
    opportunity_id: str | None
    communication_id: str | None


class FollowUpView(FollowUpRead):
    """A follow-up as read: with whether it is overdue today."""

    is_overdue: bool


class FollowUpFilter(ListParams):
    status: FollowUpStatus | None = None
    owner_id: str | None = Field(default=None, max_length=36)
    contact_id: str | None = Field(default=None, max_length=36)
    organization_id: str | None = Field(default=None, max_length=36)
    opportunity_id: str | None = Field(default=None, max_length=36)
    due_before: date | None = Field(default=None, description="due on or before this day")
    overdue: bool | None = Field(default=None, description="open and due before today")
    sort: FollowUpSort = "due_date"


class FollowUpPage(BaseModel):
    items: list[FollowUpView]
    next_cursor: str | None
    total: int

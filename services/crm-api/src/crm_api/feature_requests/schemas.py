from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crm_api.kit.schemas import AggregateRead, ListParams, Text

FeatureRequestSort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]


class Status(StrEnum):
    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]


class FeatureRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Text = ""
    priority: Priority = Priority.MEDIUM
    status: Status = Status.OPEN


class FeatureRequestUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Text | None = None
    priority: Priority | None = None
    status: Status | None = None


class FeatureRequestRead(AggregateRead):
    title: str
    description: str
    status: Status
    priority: Priority
    requested_by: str = Field(description="the id of the user who asked")


class FeatureRequestFilter(ListParams):
    status: Status | None = None
    priority: Priority | None = None
    requested_by: str | None = Field(default=None, max_length=36)
    sort: FeatureRequestSort = "-created_at"


class FeatureRequestPage(BaseModel):
    items: list[FeatureRequestRead]
    next_cursor: str | None
    total: int

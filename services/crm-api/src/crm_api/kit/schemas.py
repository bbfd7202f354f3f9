"""Pieces of schema every aggregate shares."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

_DOMAIN = r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


def _clean_domain(value: str) -> str:
    value = value.strip().lower().removeprefix("http://").removeprefix("https://")
    value = value.removeprefix("www.").split("/")[0]
    if not re.match(_DOMAIN, value):
        raise ValueError(f"{value!r} is not a domain name")
    return value


Domain = Annotated[str, Field(max_length=253), AfterValidator(_clean_domain)]
# Stored and published in UTC, so a record reads the same before and after a reload.
UtcTimestamp = Annotated[AwareDatetime, AfterValidator(lambda value: value.astimezone(UTC))]
Text = Annotated[str, Field(max_length=20_000)]
ShortText = Annotated[str, Field(max_length=200)]


class Deleted(StrEnum):
    EXCLUDE = "exclude"
    INCLUDE = "include"
    ONLY = "only"


class ListParams(BaseModel):
    """Query parameters every list takes."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=200, description="quick text match")
    id: list[Annotated[str, Field(min_length=1, max_length=36)]] | None = Field(
        default=None,
        max_length=200,
        description="only these records (repeat it: `?id=a&id=b`), e.g. to name a page's links",
    )
    deleted: Deleted = Field(default=Deleted.EXCLUDE, description="soft-deleted records")
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None
    updated_after: AwareDatetime | None = None
    cursor: str | None = Field(
        default=None, max_length=500, description="next_cursor of the last page"
    )
    limit: int = Field(default=50, ge=1, le=500)


class AggregateRead(BaseModel):
    """The bookkeeping every aggregate carries."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    updated_by: str
    deleted_at: datetime | None

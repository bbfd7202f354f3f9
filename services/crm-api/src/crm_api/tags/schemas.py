from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crm_api.kit.schemas import AggregateRead, ListParams, Text

TagSort = Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]
DEFAULT_COLOR = "#64748b"


def _clean_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


TagName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_clean_name)]
# Stored lower-case, so "#A1B2C3" and "#a1b2c3" are the same colour.
Color = Annotated[
    str,
    Field(pattern=r"^#[0-9a-fA-F]{6}$", examples=["#2563eb"], description="#rrggbb"),
    AfterValidator(str.lower),
]
# The tags of a record: given on create and update (an update replaces the whole list).
TagIds = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=36)]],
    Field(max_length=50, description="ids of live tags; an update replaces the whole list"),
]


class TagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TagName
    color: Color = DEFAULT_COLOR
    description: Text = ""


class TagUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TagName | None = None
    color: Color | None = None
    description: Text | None = None


class TagRead(AggregateRead):
    name: str
    color: str
    description: str


class TagRef(BaseModel):
    """A tag as the records it is on show it."""

    id: str
    name: str
    color: str


class TagFilter(ListParams):
    sort: TagSort = "name"


class TagPage(BaseModel):
    items: list[TagRead]
    next_cursor: str | None
    total: int

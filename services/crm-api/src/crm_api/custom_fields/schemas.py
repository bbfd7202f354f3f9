from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Entity = Literal["contact", "organization", "opportunity"]


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    SELECT = "select"
    MULTISELECT = "multiselect"
    URL = "url"
    EMAIL = "email"


CHOICE_TYPES = {FieldType.SELECT, FieldType.MULTISELECT}


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Key = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,49}$",
        examples=["fund_preference"],
        description="a lower-case identifier, unique per entity; never changes",
    ),
]
Label = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
Option = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
Options = Annotated[
    list[Option],
    Field(max_length=200, description="the choices of a select or multiselect field"),
]
Position = Annotated[int, Field(ge=0, le=10_000)]
# What a record carries: field key -> value. On an update, a key set to null removes its value.
CustomValues = Annotated[
    dict[Annotated[str, Field(max_length=50)], Any],
    Field(
        max_length=100,
        description="custom field key -> value, checked against the entity's active fields",
    ),
]


class CustomFieldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: Entity
    key: Key
    label: Label
    type: FieldType
    options: Options = Field(default_factory=list)
    is_required: bool = False
    position: Position | None = Field(default=None, description="default: after the last")


class CustomFieldUpdate(BaseModel):
    """Label, options, order, required and active may change; key, entity and type never do."""

    model_config = ConfigDict(extra="forbid")

    label: Label | None = None
    options: Options | None = Field(
        default=None, description="the whole list; an option a record has cannot be removed"
    )
    is_required: bool | None = None
    position: Position | None = None
    is_active: bool | None = None


class CustomFieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    entity: str
    key: str
    label: str
    type: str
    options: list[str]
    is_required: bool
    position: int
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CustomFieldFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: Entity | None = None
    is_active: bool | None = Field(default=None, description="only active (or retired) fields")

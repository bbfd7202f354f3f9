"""The shapes of the grid's custom columns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_api.custom_fields.schemas import FieldType, Key, Label, Options
from crm_api.kit.schemas import AggregateRead


class GridColumnCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    label: Label
    type: FieldType = FieldType.TEXT
    options: Options = Field(default_factory=list)
    position: int | None = Field(default=None, ge=0, le=10_000)
    width: int | None = Field(default=None, ge=20, le=2000)


class GridColumnUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label | None = None
    options: Options | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    width: int | None = Field(default=None, ge=20, le=2000)


class GridColumnRead(AggregateRead):
    key: str
    label: str
    type: str
    options: list[Any]
    position: int
    width: int | None


class GridColumnList(BaseModel):
    items: list[GridColumnRead]

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LookupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    list_name: str
    value: str
    label: str
    position: int
    is_active: bool
    is_closed: bool


class LookupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=200)
    position: int | None = Field(default=None, ge=0, le=10_000)
    is_closed: bool = False


class LookupUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, min_length=1, max_length=200)
    position: int | None = Field(default=None, ge=0, le=10_000)
    is_active: bool | None = None
    is_closed: bool | None = None

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from crm_api.kit.schemas import AggregateRead, Domain, ListParams, Text

OrganizationSort = Literal[
    "name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"
]


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    type: str = Field(default="other", max_length=64)
    website: AnyHttpUrl | None = None
    domains: list[Domain] = Field(default_factory=list, max_length=20)
    description: Text = ""

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class OrganizationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    type: str | None = Field(default=None, max_length=64)
    website: AnyHttpUrl | None = None
    domains: list[Domain] | None = Field(default=None, max_length=20)
    description: Text | None = None


class OrganizationRead(AggregateRead):
    name: str
    type: str
    website: str | None
    domains: list[str]
    description: str


class OrganizationFilter(ListParams):
    type: str | None = Field(default=None, max_length=64)
    domain: str | None = Field(default=None, max_length=253)
    sort: OrganizationSort = "name"


class OrganizationPage(BaseModel):
    items: list[OrganizationRead]
    next_cursor: str | None
    total: int

from __future__ import annotations

from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from crm_api.custom_fields.schemas import CustomValues
from crm_api.kit.schemas import AggregateRead, Domain, ListParams, Text
from crm_api.tags.schemas import TagIds, TagRef

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
    tag_ids: TagIds = Field(default_factory=list)
    custom_fields: CustomValues = Field(default_factory=dict)

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
    tag_ids: TagIds | None = None
    custom_fields: CustomValues | None = Field(
        default=None, description="merged: the keys given are set, a key set to null is removed"
    )


class OrganizationRead(AggregateRead):
    name: str
    type: str
    website: str | None
    domains: list[str]
    description: str
    tags: list[TagRef] = Field(description="its live tags, by name")
    custom_fields: dict[str, Any]


class OrganizationFilter(ListParams):
    type: str | None = Field(default=None, max_length=64)
    domain: str | None = Field(default=None, max_length=253)
    tag_id: str | None = Field(default=None, max_length=36, description="has this tag")
    sort: OrganizationSort = "name"


class OrganizationPage(BaseModel):
    items: list[OrganizationRead]
    next_cursor: str | None
    total: int

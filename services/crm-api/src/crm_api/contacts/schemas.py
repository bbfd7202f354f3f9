from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field, model_validator

from crm_api.custom_fields.schemas import CustomValues
from crm_api.kit.schemas import AggregateRead, ListParams, Text
from crm_api.tags.schemas import TagIds, TagRef

ContactSort = Literal[
    "last_name",
    "-last_name",
    "first_name",
    "-first_name",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    label: str | None = Field(default=None, max_length=50)
    is_primary: bool = False


class PhoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=3, max_length=50, pattern=r"^\+?[0-9 ().\-/x]+$")
    label: str | None = Field(default=None, max_length=50)


class AffiliationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: str = Field(min_length=1, max_length=36)
    role: str | None = Field(default=None, max_length=200)
    start_date: date | None = None
    end_date: date | None = None
    is_primary: bool = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> AffiliationIn:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class _ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=64)
    owner_id: str | None = Field(default=None, max_length=36)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=100)
    linkedin_url: AnyHttpUrl | None = None


class ContactCreate(_ContactFields):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    contact_type: str = Field(default="prospect", max_length=64)
    status: str = Field(default="active", max_length=64)
    notes: Text = ""
    emails: list[EmailIn] = Field(default_factory=list, max_length=20)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=20)
    affiliations: list[AffiliationIn] = Field(default_factory=list, max_length=50)
    tag_ids: TagIds = Field(default_factory=list)
    custom_fields: CustomValues = Field(default_factory=dict)


class ContactUpdate(_ContactFields):
    """Every field optional; lists given replace the whole list."""

    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    contact_type: str | None = Field(default=None, max_length=64)
    status: str | None = Field(default=None, max_length=64)
    notes: Text | None = None
    emails: list[EmailIn] | None = Field(default=None, max_length=20)
    phones: list[PhoneIn] | None = Field(default=None, max_length=20)
    affiliations: list[AffiliationIn] | None = Field(default=None, max_length=50)
    tag_ids: TagIds | None = None
    custom_fields: CustomValues | None = Field(
        default=None, description="merged: the keys given are set, a key set to null is removed"
    )


class EmailRead(BaseModel):
    email: str
    label: str | None
    is_primary: bool


class AffiliationRead(BaseModel):
    id: str
    organization_id: str
    role: str | None
    start_date: date | None
    end_date: date | None
    is_primary: bool


class ContactRead(AggregateRead):
    first_name: str
    last_name: str
    title: str | None
    contact_type: str
    status: str
    source: str | None
    owner_id: str | None
    city: str | None
    region: str | None
    country: str | None
    linkedin_url: str | None
    notes: str
    emails: list[EmailRead]
    primary_email: str | None
    phones: list[dict[str, Any]]
    affiliations: list[AffiliationRead]
    primary_organization_id: str | None
    tags: list[TagRef] = Field(description="its live tags, by name")
    custom_fields: dict[str, Any]


class ContactFilter(ListParams):
    contact_type: str | None = Field(default=None, max_length=64)
    status: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=64)
    owner_id: str | None = Field(default=None, max_length=36)
    organization_id: str | None = Field(default=None, max_length=36)
    email: str | None = Field(default=None, max_length=254)
    country: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100)
    tag_id: str | None = Field(default=None, max_length=36, description="has this tag")
    sort: ContactSort = "last_name"


class ContactPage(BaseModel):
    items: list[ContactRead]
    next_cursor: str | None
    total: int

"""The shapes of grid rows: create, update, read, list; matching an investor; logging a
communication on a row."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field, field_validator

from crm_api.grid.schemas import (
    Flags,
    Id,
    InvestorKind,
    Position,
    Values,
)
from crm_api.kit.schemas import AggregateRead, Domain, Text, UtcTimestamp


class RowContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: Id
    role: str | None = Field(default=None, max_length=200)


class NewOrganization(BaseModel):
    """An organization to create for the row, when no existing one was chosen."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    type: str = Field(default="other", max_length=64)
    website: AnyHttpUrl | None = None
    domains: list[Domain] = Field(default_factory=list, max_length=20)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class NewContact(BaseModel):
    """A person to create as an individual investor, when no existing contact was chosen."""

    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None
    contact_type: str = Field(default="prospect", max_length=64)

    @field_validator("first_name", "last_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class GridRowCreate(BaseModel):
    """Add an investor: exactly one of an existing organization or contact (as offered by
    `GET /api/grid/rows/match`), a new organization, or a new contact."""

    model_config = ConfigDict(extra="forbid")

    organization_id: Id | None = None
    contact_id: Id | None = None
    new_organization: NewOrganization | None = None
    new_contact: NewContact | None = None
    position: Position | None = Field(default=None, description="default: after the last row")
    flags: Flags = Field(default_factory=list)
    lead_source: str | None = Field(default=None, max_length=200)
    values: Values = Field(default_factory=dict)
    contacts: list[RowContactIn] = Field(default_factory=list, max_length=50)


class GridRowUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: Position | None = None
    flags: Flags | None = Field(default=None, description="replaces the row's flags")
    lead_source: str | None = Field(default=None, max_length=200)
    values: Values | None = Field(
        default=None, description="merged: the keys given are set, a key set to null is removed"
    )
    contacts: list[RowContactIn] | None = Field(
        default=None, max_length=50, description="replaces the row's contacts"
    )


class RowContactRead(BaseModel):
    contact_id: str
    role: str | None


class GridRowRead(AggregateRead):
    investor_kind: InvestorKind
    organization_id: str | None
    contact_id: str | None
    position: float
    flags: list[str]
    lead_source: str | None
    values: dict[str, Any]
    contacts: list[RowContactRead]
    contact_ids: list[str] = Field(description="the CRM contacts on the row, in order")


class GridRowFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deleted: Literal["exclude", "include", "only"] = "exclude"
    investor_kind: InvestorKind | None = None
    organization_id: str | None = Field(default=None, max_length=36)
    contact_id: str | None = Field(default=None, max_length=36)
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=100, ge=1, le=1000)


class GridRowPage(BaseModel):
    items: list[GridRowRead]
    next_cursor: str | None


class MatchCandidate(BaseModel):
    kind: InvestorKind
    id: str
    name: str
    matched_by: Literal["email", "domain"]
    matched_value: str
    organization_id: str | None = Field(description="the contact's primary organization")
    row_id: str | None = Field(description="the investor's grid row, when it has one")
    row_deleted: bool = False


class MatchResult(BaseModel):
    candidates: list[MatchCandidate]


class MatchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254)
    domain: str | None = Field(default=None, max_length=500, description="or a website URL")


class RowCommunicationCreate(BaseModel):
    """The seed's log-communication: lands on the row's investor (and the fund's opportunity)."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=64, examples=["call"])
    subject: str = Field(default="", max_length=500)
    body: Text = ""
    occurred_at: UtcTimestamp
    fund_id: Id | None = Field(default=None, description="ties it to the cell's opportunity")
    contact_id: Id | None = Field(
        default=None, description="one of the row's contacts it was with (organization rows)"
    )
    attendee_ids: list[Id] = Field(default_factory=list, max_length=100)
    outcome: str | None = Field(default=None, max_length=500)
    next_action: str | None = Field(default=None, max_length=500)
    next_action_due: date | None = None
    create_follow_up: bool = False
    follow_up_owner_id: Id | None = None

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_api.custom_fields.schemas import CustomValues
from crm_api.funds.schemas import Currency, Money
from crm_api.kit.schemas import AggregateRead, ListParams, Text
from crm_api.tags.schemas import TagIds, TagRef

OpportunitySort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]


class OpportunityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    investor_organization_id: str | None = Field(
        default=None, max_length=36, description="the investor, when it is an organization"
    )
    investor_contact_id: str | None = Field(
        default=None, max_length=36, description="the investor, when it is a person"
    )
    fund_id: str = Field(min_length=1, max_length=36)
    stage: str = Field(default="lead", max_length=64, description="a pipeline_stage value")
    expected_amount: Money | None = None
    committed_amount: Money | None = None
    funded_amount: Money | None = None
    currency: Currency | None = Field(default=None, description="default: the fund's currency")
    owner_id: str | None = Field(default=None, max_length=36, description="an active user")
    next_step: Text = ""
    lost_reason: str | None = Field(
        default=None, max_length=500, description="required when the stage is closed_lost"
    )
    close_date: date | None = None
    description: Text = ""
    tag_ids: TagIds = Field(default_factory=list)
    custom_fields: CustomValues = Field(default_factory=dict)


class OpportunityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    investor_organization_id: str | None = Field(default=None, max_length=36)
    investor_contact_id: str | None = Field(default=None, max_length=36)
    fund_id: str | None = Field(default=None, min_length=1, max_length=36)
    stage: str | None = Field(default=None, max_length=64)
    expected_amount: Money | None = None
    committed_amount: Money | None = None
    funded_amount: Money | None = None
    currency: Currency | None = None
    owner_id: str | None = Field(default=None, max_length=36)
    next_step: Text | None = None
    lost_reason: str | None = Field(default=None, max_length=500)
    close_date: date | None = None
    description: Text | None = None
    tag_ids: TagIds | None = None
    custom_fields: CustomValues | None = Field(
        default=None, description="merged: the keys given are set, a key set to null is removed"
    )


class OpportunityStageChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str = Field(max_length=64, description="a pipeline_stage value")
    lost_reason: str | None = Field(
        default=None, max_length=500, description="required when the stage is closed_lost"
    )


class OpportunityRead(AggregateRead):
    investor_organization_id: str | None
    investor_contact_id: str | None
    fund_id: str
    stage: str
    expected_amount: Decimal | None = Field(description="exact, as a string: '1250000.00'")
    committed_amount: Decimal | None = Field(description="exact, as a string")
    funded_amount: Decimal | None = Field(description="exact, as a string")
    currency: str
    owner_id: str | None
    next_step: str
    lost_reason: str | None
    close_date: date | None
    description: str
    tags: list[TagRef] = Field(description="its live tags, by name")
    custom_fields: dict[str, Any]


class OpportunityFilter(ListParams):
    fund_id: str | None = Field(default=None, max_length=36)
    stage: str | None = Field(default=None, max_length=64)
    investor_organization_id: str | None = Field(default=None, max_length=36)
    investor_contact_id: str | None = Field(default=None, max_length=36)
    owner_id: str | None = Field(default=None, max_length=36)
    tag_id: str | None = Field(default=None, max_length=36, description="has this tag")
    sort: OpportunitySort = "created_at"


class OpportunityPage(BaseModel):
    items: list[OpportunityRead]
    next_cursor: str | None
    total: int

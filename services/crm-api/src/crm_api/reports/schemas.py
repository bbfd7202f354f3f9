from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

Amount = Annotated[
    str,
    Field(
        pattern=r"^[0-9]+\.[0-9]{2}$",
        description="an exact sum in one currency, as a decimal string: '1000000.30'",
        examples=["1000000.30"],
    ),
]


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday to Sunday
    MONTH = "month"


class CurrencyTotals(BaseModel):
    """Committed and funded sums in one currency."""

    currency: str
    committed: Amount
    funded: Amount


class CurrencyAmounts(BaseModel):
    """Opportunities in one currency: how many, and their exact sums."""

    currency: str
    opportunities: int
    expected: Amount
    committed: Amount
    funded: Amount


class FollowUpCounts(BaseModel):
    open: int = Field(description="live follow-ups still open")
    overdue: int = Field(description="open, and due before today (UTC)")
    mine_open: int = Field(description="open, owned by the caller's user")
    mine_overdue: int = Field(description="overdue, owned by the caller's user")


class Dashboard(BaseModel):
    as_of: datetime
    contacts: int
    organizations: int
    funds: int
    open_opportunities: int = Field(description="in a stage that is not closed")
    lps: int = Field(description="live LP profiles of live investors")
    totals: list[CurrencyTotals] = Field(description="all live opportunities, per currency")
    communications_last_7_days: int = Field(description="by when they happened")
    communications_last_30_days: int
    follow_ups: FollowUpCounts


class PipelineStage(BaseModel):
    stage: str
    label: str
    is_closed: bool
    opportunities: int
    amounts: list[CurrencyAmounts]


class PipelineReport(BaseModel):
    fund_id: str | None
    stages: list[PipelineStage] = Field(
        description="every pipeline stage in the list's order, zeros included"
    )
    totals: list[CurrencyAmounts]


class InvestorTypeBreakdown(BaseModel):
    investor_type: str
    label: str
    investors: int = Field(description="live LP profiles of this type")
    totals: list[CurrencyTotals]


class FundBreakdown(BaseModel):
    fund_id: str
    fund_name: str
    investors: int = Field(description="LPs with a live opportunity in the fund")
    totals: list[CurrencyTotals]


class LpBreakdown(BaseModel):
    by_investor_type: list[InvestorTypeBreakdown]
    by_fund: list[FundBreakdown]


class ActivityBucket(BaseModel):
    start: date = Field(description="the first day of the bucket")
    communications: dict[str, int] = Field(description="per communication type")
    communications_total: int
    follow_ups_created: int
    follow_ups_completed: int


class ActivityReport(BaseModel):
    since: date
    until: date = Field(description="inclusive")
    bucket: Bucket
    owner_id: str | None
    buckets: list[ActivityBucket]


class OverdueFollowUp(BaseModel):
    id: str
    title: str
    due_date: date
    days_overdue: int
    owner_id: str | None
    contact_id: str | None
    contact_name: str | None
    organization_id: str | None
    organization_name: str | None
    opportunity_id: str | None
    opportunity_name: str | None = Field(description="'<investor> / <fund>'")


class OverdueFollowUps(BaseModel):
    as_of: date
    total: int
    items: list[OverdueFollowUp] = Field(description="oldest due first")

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_api.agents.schemas import ActionEvidence, ActionName, RecordChange, RecordRef
from crm_api.kit.schemas import ListParams

ProposalSort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]
Why = Literal["stage_or_money", "untrusted_session"]


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    FAILED = "failed"


class ProposalResult(BaseModel):
    """What approving it did."""

    records: list[RecordRef]
    changes: list[RecordChange]


class ProposalRead(BaseModel):
    id: str
    version: int
    action: ActionName
    params: dict[str, Any]
    target_type: str | None
    target_id: str | None
    evidence: list[ActionEvidence]
    reason: str | None
    status: ProposalStatus
    untrusted: bool = Field(description="proposed from a session that had read outside text")
    why: Why
    proposed_by_kind: str
    proposed_by_id: str
    proposed_by_name: str | None
    api_key_id: str | None
    session_id: str | None = Field(description="the MCP session it was proposed in")
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    result: ProposalResult | None
    preview: list[RecordChange] = Field(
        description="what approving it would have changed when it was proposed"
    )
    created_at: datetime
    updated_at: datetime


class ProposalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class ProposalFilter(ListParams):
    status: ProposalStatus | None = None
    entity_type: str | None = Field(
        default=None, max_length=32, description="with entity_id: its target or its evidence"
    )
    entity_id: str | None = Field(default=None, max_length=64)
    api_key_id: str | None = Field(default=None, max_length=36)
    proposed_by: str | None = Field(default=None, max_length=64, description="the actor's id")
    sort: ProposalSort = "-created_at"


class ProposalPage(BaseModel):
    items: list[ProposalRead]
    next_cursor: str | None
    total: int

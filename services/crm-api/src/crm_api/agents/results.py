from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from crm_api.agents.schemas import ActionName, ProposalRead, RecordChange, RecordRef

Outcome = Literal["applied", "proposed", "dry_run"]
STATUS: dict[str, int] = {"applied": 201, "proposed": 202, "dry_run": 200}


class AgentActionResult(BaseModel):
    outcome: Outcome
    action: ActionName
    records: list[RecordRef] = Field(description="what it created or changed (or would)")
    changes: list[RecordChange]
    proposal: ProposalRead | None = Field(description="the proposal it became, when proposed")
    interaction_seq: int = Field(description="its row in the interaction log")
    untrusted: bool = Field(description="the session had read text from outside the fund")
    would_propose: bool = Field(
        default=False, description="a dry run: whether the real action would be a proposal"
    )

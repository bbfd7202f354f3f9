"""The agent action contract: one body per action (discriminated by `action`), the evidence it
cites, and what comes back; and the proposals that hold an action for a person's decision."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from crm_api.funds.schemas import Money
from crm_api.kit.schemas import ListParams, Text, UtcTimestamp
from crm_common.contracts.records import RecordType

ActionName = Literal[
    "log_interaction",
    "add_note",
    "create_follow_up",
    "complete_follow_up",
    "move_stage",
    "set_amounts",
]
# Stage and money are the partners' call: an agent's change to them is always a proposal.
HELD_FOR_AGENTS: frozenset[str] = frozenset({"move_stage", "set_amounts"})

RecordId = Annotated[str, Field(min_length=1, max_length=36)]
EvidenceId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Version = Annotated[int, Field(ge=1, description="If-Match: the version you read")]


def _no_float(value: Any) -> Any:
    # A JSON number with a fraction is a binary float: 0.1 is not exactly 0.1.
    if isinstance(value, float):
        raise ValueError("send amounts as strings ('1250000.00'): a JSON number may be inexact")
    return value


ExactMoney = Annotated[Money, BeforeValidator(_no_float)]


class ActionEvidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: RecordType
    id: EvidenceId


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LogInteractionParams(_Params):
    type: Literal["note", "call", "meeting", "email"]
    subject: str = Field(default="", max_length=500)
    body: Text = ""
    occurred_at: UtcTimestamp | None = Field(default=None, description="default: now")
    contact_ids: list[RecordId] = Field(
        default_factory=list, max_length=100, description="the attendees; the first is its contact"
    )
    organization_id: RecordId | None = None
    opportunity_id: RecordId | None = None
    outcome: str | None = Field(default=None, max_length=500)
    next_action: str | None = Field(default=None, max_length=500)
    next_action_due: date | None = None

    @model_validator(mode="after")
    def _when_and_where(self) -> LogInteractionParams:
        if not self.contact_ids and self.organization_id is None:
            raise ValueError("name contact_ids or organization_id: an interaction is on someone")
        return self


class AddNoteParams(_Params):
    body: Text = Field(min_length=1)
    subject: str = Field(default="", max_length=500)
    contact_id: RecordId | None = None
    organization_id: RecordId | None = None
    opportunity_id: RecordId | None = None

    @model_validator(mode="after")
    def _one_place(self) -> AddNoteParams:
        given = [self.contact_id, self.organization_id, self.opportunity_id]
        if sum(v is not None for v in given) != 1:
            raise ValueError("name exactly one of contact_id, organization_id, opportunity_id")
        return self


class CreateFollowUpParams(_Params):
    title: str = Field(min_length=1, max_length=300)
    due_date: date
    owner_id: RecordId | None = None
    contact_id: RecordId | None = None
    organization_id: RecordId | None = None
    opportunity_id: RecordId | None = None


class CompleteFollowUpParams(_Params):
    follow_up_id: RecordId
    version: Version | None = None


class MoveStageParams(_Params):
    opportunity_id: RecordId
    stage: str = Field(min_length=1, max_length=64, description="a pipeline_stage value")
    version: Version | None = None
    lost_reason: str | None = Field(default=None, max_length=500)


class SetAmountsParams(_Params):
    opportunity_id: RecordId
    expected_amount: ExactMoney | None = None
    committed_amount: ExactMoney | None = None
    funded_amount: ExactMoney | None = None
    version: Version | None = None

    @model_validator(mode="after")
    def _some_amount(self) -> SetAmountsParams:
        if not self.model_fields_set & {"expected_amount", "committed_amount", "funded_amount"}:
            raise ValueError("set at least one of expected_amount, committed_amount, funded_amount")
        return self


ActionParams = (
    LogInteractionParams
    | AddNoteParams
    | CreateFollowUpParams
    | CompleteFollowUpParams
    | MoveStageParams
    | SetAmountsParams
)
PARAMS: dict[str, type[_Params]] = {
    "log_interaction": LogInteractionParams,
    "add_note": AddNoteParams,
    "create_follow_up": CreateFollowUpParams,
    "complete_follow_up": CompleteFollowUpParams,
    "move_stage": MoveStageParams,
    "set_amounts": SetAmountsParams,
}


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evidence: list[ActionEvidence] = Field(
        default_factory=list,
        max_length=50,
        description="the records this action rests on: 1 to 50 for an API key",
    )
    reason: str | None = Field(default=None, max_length=2000)
    dry_run: bool = Field(default=False, description="validate and show the changes; write none")


class LogInteraction(_Action):
    action: Literal["log_interaction"]
    params: LogInteractionParams


class AddNote(_Action):
    action: Literal["add_note"]
    params: AddNoteParams


class CreateFollowUp(_Action):
    action: Literal["create_follow_up"]
    params: CreateFollowUpParams


class CompleteFollowUp(_Action):
    action: Literal["complete_follow_up"]
    params: CompleteFollowUpParams


class MoveStage(_Action):
    action: Literal["move_stage"]
    params: MoveStageParams


class SetAmounts(_Action):
    action: Literal["set_amounts"]
    params: SetAmountsParams


AgentActionBody = (
    LogInteraction | AddNote | CreateFollowUp | CompleteFollowUp | MoveStage | SetAmounts
)
AgentAction = Annotated[AgentActionBody, Field(discriminator="action")]


def parse_params(action: str, params: dict[str, Any]) -> ActionParams:
    """Params stored as JSON (a proposal's), back to their model."""
    return cast(ActionParams, PARAMS[action].model_validate(params))


class RecordRef(BaseModel):
    type: str
    id: str


class RecordChange(BaseModel):
    type: str
    id: str
    op: Literal["create", "update"]
    before: dict[str, Any] | None
    after: dict[str, Any]


class AgentSessionRead(BaseModel):
    tainted: bool = Field(description="the session was served text from outside the fund")
    since: datetime | None
    source: str | None = Field(description="what tainted it first: the route that served it")
    allow_untrusted_writes: bool


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

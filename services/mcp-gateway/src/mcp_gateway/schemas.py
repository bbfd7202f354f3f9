"""The tools' answers: typed, so every tool publishes an output schema, and each answer names the
records it rests on (`Ref`) so an agent can cite them as evidence for a write."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from crm_common.contracts.records import RecordType
from mcp_gateway.untrusted import UntrustedText


class Ref(BaseModel):
    """A record in the CRM (or a canonical entity): cite it as evidence."""

    type: RecordType
    id: str = Field(min_length=1, max_length=64)


class Answer(BaseModel):
    """What every tool's answer shares."""

    evidence: list[Ref] = Field(
        default_factory=list, description="the records this answer was read from"
    )
    next_cursor: str | None = Field(
        default=None, description="more items: call again with this `cursor`"
    )
    untrusted_content: bool = Field(
        default=False, description="it quotes text from emails, notes or imports"
    )


# -- search -----------------------------------------------------------------------------------


class Citation(BaseModel):
    record: Ref
    source_version: int
    event_time: datetime
    crm_path: str = Field(description="the record in crm-api, e.g. /api/communications/<id>")


class SearchHit(BaseModel):
    citation: Citation
    title: str
    type: str | None = Field(description="a communication's type: email, call, meeting, note")
    score: float
    snippet: UntrustedText
    names: list[str]
    entity_ids: list[str]
    contact_ids: list[str]
    organization_ids: list[str]
    fund_ids: list[str]
    redacted: list[str] = Field(description="placeholders standing for sensitive values")


class SearchResult(Answer):
    mode: str
    hits: list[SearchHit]


# -- find -------------------------------------------------------------------------------------


class RecordLabel(BaseModel):
    type: str
    id: str
    label: str


class EntityMatch(BaseModel):
    entity_id: str
    kind: str
    display_name: str
    emails: list[str]
    is_lp: bool
    probability: float | None = None
    match_kind: str | None = None
    records: list[RecordLabel]


class FindResult(Answer):
    entities: list[EntityMatch] = Field(description="canonical entities (resolver), best first")
    records: list[RecordLabel] = Field(description="CRM contacts and organizations matching")


# -- dossier ----------------------------------------------------------------------------------


class ContactCard(BaseModel):
    id: str
    name: str
    title: str | None
    contact_type: str
    status: str
    primary_email: str | None
    emails: list[str]
    primary_organization_id: str | None
    owner_id: str | None
    notes: UntrustedText | None


class OrganizationCard(BaseModel):
    id: str
    name: str
    type: str
    website: str | None
    domains: list[str]
    description: UntrustedText | None


class Money(BaseModel):
    currency: str
    expected: str | None
    committed: str | None
    funded: str | None


class Position(BaseModel):
    opportunity_id: str
    fund_id: str
    stage: str
    version: int
    investor_organization_id: str | None
    investor_contact_id: str | None
    amounts: Money
    owner_id: str | None
    close_date: date | None
    next_step: UntrustedText | None


class LpProfileCard(BaseModel):
    id: str
    investor_type: str
    accreditation_status: str
    accreditation_method: str | None
    accreditation_verified_on: date | None
    accreditation_expires_on: date | None
    accreditation_current: bool
    qualified_purchaser: str
    kyc_aml_status: str
    legal_docs_signed_on: date | None
    wire_received_on: date | None
    totals: list[Money]


class CommunicationItem(BaseModel):
    id: str
    type: str
    occurred_at: datetime
    contact_id: str | None
    organization_id: str | None
    opportunity_id: str | None
    subject: UntrustedText
    body: UntrustedText
    outcome: str | None
    next_action_due: date | None


class FollowUpItem(BaseModel):
    id: str
    title: UntrustedText
    due_date: date
    status: str
    is_overdue: bool
    owner_id: str | None
    contact_id: str | None
    organization_id: str | None
    opportunity_id: str | None
    version: int


class EntitySummary(BaseModel):
    entity_id: str
    kind: str
    display_name: str
    status: str
    is_lp: bool
    records: list[Ref]


class Dossier(Answer):
    entity: EntitySummary | None = Field(description="the canonical entity, when resolved")
    contacts: list[ContactCard]
    organizations: list[OrganizationCard]
    lp_profile: LpProfileCard | None
    positions: list[Position] = Field(description="one per fund the investor is in")
    latest_communications: list[CommunicationItem]
    open_follow_ups: list[FollowUpItem]


# -- timeline, who knows, follow-ups, pipeline ------------------------------------------------


class Timeline(Answer):
    entity_id: str | None
    since: datetime | None
    until: datetime | None
    communications: list[CommunicationItem] = Field(description="newest first")


class EmailItem(BaseModel):
    id: str = Field(description="gmail-sync's message id")
    thread_id: str
    sent_at: datetime
    subject: UntrustedText
    sender: UntrustedText = Field(description="the From header: name and address")
    recipients: UntrustedText = Field(description="the To and Cc headers")
    mailbox_user_ids: list[str] = Field(description="the team members whose mailboxes hold it")
    has_attachments: bool
    text: UntrustedText | None = Field(
        default=None, description="the body without quoted replies (with include_text)"
    )


class RecentEmails(Answer):
    entity_id: str | None = Field(description="the canonical entity the mail matched")
    emails: list[EmailItem] = Field(description="newest first")


class PathEvidence(BaseModel):
    relation: str = Field(description="membership, met, corresponded, team")
    record_type: str = Field(description="communication, email_message, contact, grid_row, ...")
    record_id: str
    detail: UntrustedText
    occurred_at: datetime | None
    weight: float


class Connection(BaseModel):
    rank: int
    node_kind: str = Field(description="entity, or team_member (one of the fund's people)")
    node_id: str
    display_name: str
    strength: float = Field(description="evidence weights summed, decayed by age")
    relations: list[str]
    evidence_count: int
    last_at: datetime | None
    evidence: list[PathEvidence]


class Hop(BaseModel):
    node_kind: str
    node_id: str
    display_name: str
    relations: list[str] = Field(description="how this hop knows the next one")


class IntroPath(BaseModel):
    rank: int
    strength: float = Field(description="the weakest hop's strength")
    hops: list[Hop] = Field(description="from one of the fund's people to the entity")


class WhoKnows(Answer):
    entity_id: str
    display_name: str
    connections: list[Connection] = Field(description="direct relations, strongest first")
    intro_paths: list[IntroPath] = Field(
        description="the fund's people who know the entity directly or through one of its "
        "strongest connections, strongest path first"
    )


class PathNode(BaseModel):
    node_kind: str = Field(description="entity, or team_member (one of the fund's people)")
    node_id: str
    display_name: str


class IntroHop(BaseModel):
    """One relation along an intro path: `from_node` knows `to_node`, on this evidence."""

    from_node: PathNode
    to_node: PathNode
    relations: list[str] = Field(description="membership, met, corresponded, team")
    strength: float = Field(description="evidence weights summed, decayed by age")
    last_at: datetime | None
    evidence: list[PathEvidence] = Field(description="the most recent first")


class RankedIntroPath(BaseModel):
    rank: int
    score: float = Field(
        description="the weakest hop's strength s as s/(s+1), times 0.5 per hop after the first"
    )
    team_member: PathNode = Field(description="who on the fund's team starts the path")
    via: list[str] = Field(description="the intermediaries' names, the first one to ask first")
    hops: list[IntroHop] = Field(description="from the team member to the entity, in order")


class IntroPaths(Answer):
    entity_id: str
    display_name: str
    max_hops: int
    paths: list[RankedIntroPath] = Field(
        description="best first; one per team member and first intermediary"
    )


class FollowUpsDue(Answer):
    as_of: date
    owner_id: str | None
    follow_ups: list[FollowUpItem] = Field(description="soonest due first; overdue ones first")
    total: int


class StageSummary(BaseModel):
    stage: str
    label: str
    is_closed: bool
    opportunities: int
    amounts: list[Money]


class Pipeline(Answer):
    fund_id: str | None
    stages: list[StageSummary]
    totals: list[Money]
    positions: list[Position] = Field(description="the opportunities in `stage`, when asked")


# -- writes -----------------------------------------------------------------------------------


class Change(BaseModel):
    type: str
    id: str | None
    op: str
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None


class WriteResult(BaseModel):
    outcome: Literal["applied", "proposed", "dry_run"] = Field(
        description="applied; proposed (a person approves it in the CRM); dry_run (nothing "
        "changed: this is what would)"
    )
    action: str
    idempotency_key: str
    records: list[Ref]
    changes: list[Change]
    proposal: dict[str, object] | None = None
    interaction_seq: int | None = None
    untrusted_session: bool = Field(
        default=False, description="crm-api saw untrusted text in this session"
    )
    would_propose: bool = Field(
        default=False,
        description="a dry run whose real run would become a proposal for a person to approve",
    )

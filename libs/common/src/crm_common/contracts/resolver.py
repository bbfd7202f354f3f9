"""What resolver publishes on `resolver.entity.<upserted|merged|split>`, and its request-reply API.

Every event's `data` is a `ResolverEventData`: the full state of each canonical entity the change
touched (one for `upserted`; the survivor and the merged-away entity for `merged`; the original
and the split-off entity for `split`). A consumer keeps, per source record, the canonical id of
the entity whose `links` name it, so it never has to call back. The event's `subject` is the id of
the first entity in `entities`, and its `version` is that entity's version.

While events are in flight a consumer can briefly hold two entities that both list a record (the
one it left and the one it joined, from events of different entities): the link with the later
`decided_at` is the current one. Every move of a link sets its `decided_at` anew.

The request-reply subjects (`SUBJECTS`) take and answer the models below; crm-api and the MCP
gateway call them with `crm_common.bus.service.call`. Decisions carry the person who made them
(`actor`), so the resolver records who, when, why and on what evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_common.events import Actor

EntityKind = Literal["person", "organization"]
# `inactive`: no live source record is left (every one was deleted); a restore brings it back.
EntityStatus = Literal["active", "merged", "inactive"]
# What a link points at in its source service: a CRM record (contact, organization, grid_row,
# lp_profile) or an email participant (an address seen in mail; its id is the address).
SourceKind = Literal["contact", "organization", "grid_row", "lp_profile", "email_participant"]
MatchKind = Literal["foreign_key", "exact_email", "domain", "probabilistic", "manual", "origin"]

SUBJECT_RESOLVE = "resolver.resolve"
SUBJECT_ENTITY = "resolver.entity"
SUBJECT_NEIGHBORS = "resolver.neighbors"
SUBJECT_PATHS = "resolver.paths"
SUBJECT_EXPLAIN = "resolver.explain"
SUBJECT_REVIEW_LIST = "resolver.review.list"
SUBJECT_REVIEW_DECIDE = "resolver.review.decide"
SUBJECT_MERGE = "resolver.merge"
SUBJECT_SPLIT = "resolver.split"
SUBJECT_UNDO = "resolver.undo"
SUBJECT_DECISIONS = "resolver.decisions"
SUBJECTS = (
    SUBJECT_RESOLVE,
    SUBJECT_ENTITY,
    SUBJECT_NEIGHBORS,
    SUBJECT_PATHS,
    SUBJECT_EXPLAIN,
    SUBJECT_REVIEW_LIST,
    SUBJECT_REVIEW_DECIDE,
    SUBJECT_MERGE,
    SUBJECT_SPLIT,
    SUBJECT_UNDO,
    SUBJECT_DECISIONS,
)

_Id = Field(min_length=1, max_length=64)
_Reason = Field(default="", max_length=2000, description="Why, in the decider's words")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- events ---------------------------------------------------------------------------------------


class EntityLink(_Frozen):
    """One source record and how it came to belong to the entity."""

    source_kind: SourceKind
    source_id: str = Field(min_length=1)
    match_kind: MatchKind
    confidence: float = Field(ge=0.0, le=1.0)
    decided_by: str = Field(description="'rule:<name>' or 'user:<id>'")
    decided_at: datetime


class EntityState(_Frozen):
    """A canonical entity after the change. A merged-away entity has status `merged`, no links,
    and `merged_into` naming the survivor, so an old reference still resolves."""

    id: str = Field(min_length=1)
    kind: EntityKind
    status: EntityStatus
    merged_into: str | None = None
    display_name: str
    emails: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    links: list[EntityLink] = Field(default_factory=list)
    is_lp: bool = Field(default=False, description="It has a live LP profile")
    version: int = Field(ge=1)
    updated_at: datetime


class ResolverEventData(_Frozen):
    entities: list[EntityState] = Field(min_length=1)
    decision_id: str | None = Field(
        default=None, description="The merge or split decision behind the change, if any"
    )


# -- shared pieces of requests and answers --------------------------------------------------------


class SourceRef(_Frozen):
    source_kind: SourceKind
    source_id: str = Field(min_length=1, max_length=320)


class EntityOrRecord(_Frozen):
    """An entity by id, or the entity that holds a source record."""

    entity_id: str | None = Field(default=None, min_length=1, max_length=64)
    source: SourceRef | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> EntityOrRecord:
        if (self.entity_id is None) == (self.source is None):
            raise ValueError("give entity_id or source, exactly one")
        return self


class LinkedRecord(_Frozen):
    """A link with what the resolver knows of its record, for display."""

    link: EntityLink
    label: str = Field(description="The record's name or address, as its source has it")
    is_live: bool = Field(description="False while the source record is soft-deleted")


# -- resolver.resolve -----------------------------------------------------------------------------


class ResolveRequest(_Frozen):
    """Find the entities an email address or a name belongs to."""

    email: str | None = Field(default=None, min_length=3, max_length=320)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    kind: EntityKind | None = Field(default=None, description="Only persons or organizations")
    limit: int = Field(default=10, ge=1, le=50)
    include_domain: bool = Field(
        default=False,
        description="With `email`: also the organizations whose domain is the address's "
        "(match kind `domain`), unless it is a free-mail domain",
    )

    @model_validator(mode="after")
    def _something_to_look_for(self) -> ResolveRequest:
        if self.email is None and self.name is None:
            raise ValueError("give an email, a name, or both")
        return self


class ResolveMatch(_Frozen):
    entity: EntityState
    match_kind: MatchKind
    probability: float = Field(ge=0.0, le=1.0)
    reasons: list[str]


class ResolveResponse(_Frozen):
    matches: list[ResolveMatch]


# -- resolver.entity ------------------------------------------------------------------------------


class EntityRequest(EntityOrRecord):
    pass


class EntityResponse(_Frozen):
    entity: EntityState
    redirected_from: str | None = Field(
        default=None, description="The merged-away id that was asked for, if it was one"
    )
    records: list[LinkedRecord]


# -- resolver.neighbors ---------------------------------------------------------------------------

EdgeKind = Literal["membership", "met", "corresponded", "team"]
NodeKind = Literal["entity", "team_member"]


class NeighborsRequest(_Frozen):
    entity_id: str = _Id
    limit: int = Field(default=20, ge=1, le=200)
    edge_kinds: list[EdgeKind] | None = Field(default=None, description="Only these relations")
    node_kind: NodeKind | None = Field(
        default=None, description="Only entities, or only the fund's team members"
    )
    evidence_per_neighbor: int = Field(default=5, ge=0, le=50)


class Node(_Frozen):
    kind: NodeKind
    id: str
    display_name: str
    entity_kind: EntityKind | None = Field(default=None, description="For an entity")


class Evidence(_Frozen):
    """One record behind a relation: a communication, an email, an affiliation, an ownership."""

    edge_kind: EdgeKind
    origin_kind: str = Field(description="communication, email_message, contact, grid_row, ...")
    origin_id: str
    occurred_at: datetime | None = Field(description="None for a standing relation (membership)")
    weight: float
    detail: str


class Neighbor(_Frozen):
    node: Node
    strength: float = Field(ge=0.0, description="Sum of evidence weights, decayed by age")
    edge_kinds: list[EdgeKind]
    evidence_count: int
    last_at: datetime | None
    evidence: list[Evidence] = Field(description="The most recent first")


class NeighborsResponse(_Frozen):
    entity: EntityState
    redirected_from: str | None = None
    half_life_days: float
    as_of: datetime
    neighbors: list[Neighbor]


# -- resolver.paths -------------------------------------------------------------------------------


class PathsRequest(_Frozen):
    """Intro paths to an entity from the fund's team members, over at most `max_hops` relations."""

    entity_id: str = _Id
    max_hops: int = Field(default=3, ge=1, le=3, description="1: direct relations only")
    limit: int = Field(default=10, ge=1, le=50)
    team_member_ids: list[str] | None = Field(
        default=None, max_length=100, description="Only paths from these team members"
    )
    evidence_per_edge: int = Field(default=3, ge=0, le=20)


class PathHop(_Frozen):
    """One relation along a path, in the path's direction (from the team member's side). Its
    first node's key is `from` on the wire, whichever way it is serialized."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )

    from_: Node = Field(alias="from")
    to: Node
    edge_kinds: list[EdgeKind]
    strength: float = Field(ge=0.0, description="Sum of evidence weights, decayed by age")
    last_at: datetime | None
    evidence: list[Evidence] = Field(description="The most recent first")


class IntroPath(_Frozen):
    team_member: Node
    hops: list[PathHop] = Field(
        min_length=1, description="From the team member to the entity, in order"
    )
    score: float = Field(
        ge=0.0,
        le=1.0,
        description="The weakest hop's normalised strength s/(s+1), times 0.5 per hop after "
        "the first",
    )


class PathsResponse(_Frozen):
    entity: EntityState
    redirected_from: str | None = None
    half_life_days: float
    as_of: datetime
    paths: list[IntroPath] = Field(description="The best first")


# -- resolver.explain -----------------------------------------------------------------------------

Verdict = Literal["auto_link", "review", "separate"]


class FeatureScore(_Frozen):
    """One comparison of the probabilistic model for one pair of records."""

    feature: str
    level: str = Field(description="e.g. exact, nickname, similar, different, missing")
    left: str | None
    right: str | None
    m: float | None = Field(description="P(level | same entity); None when missing")
    u: float | None = Field(description="P(level | different entities)")
    weight: float = Field(description="log2(m/u): what the level adds to the match weight")


class PairScore(_Frozen):
    left: SourceRef
    right: SourceRef
    probability: float
    match_weight: float = Field(description="log2 of the posterior odds")
    verdict: Verdict
    features: list[FeatureScore]


class RuleFinding(_Frozen):
    rule: str = Field(description="foreign_key, exact_email, domain, free_mail, constraint, ...")
    applies: bool
    detail: str


class ExplainRequest(_Frozen):
    left: EntityOrRecord
    right: EntityOrRecord
    max_pairs: int = Field(default=10, ge=1, le=100)


class ExplainResponse(_Frozen):
    left: EntityState
    right: EntityState
    same_entity: bool
    summary: str
    rules: list[RuleFinding]
    pairs: list[PairScore] = Field(description="Record pairs, the most probable first")
    auto_link_threshold: float
    review_threshold: float
    links: list[LinkedRecord] = Field(
        description="How each record of the two came to be where it is"
    )


# -- review queue ---------------------------------------------------------------------------------

ReviewStatus = Literal["open", "accepted", "rejected", "superseded"]


class ReviewListRequest(_Frozen):
    status: ReviewStatus = "open"
    entity_id: str | None = Field(default=None, min_length=1, max_length=64)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ReviewItem(_Frozen):
    id: str
    status: ReviewStatus
    left: EntityState
    right: EntityState
    best_pair: PairScore
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_id: str | None
    reason: str | None


class ReviewPage(_Frozen):
    items: list[ReviewItem]
    total: int


class ReviewDecideRequest(_Frozen):
    item_id: str = _Id
    verdict: Literal["accept", "reject"] = Field(
        description="accept: the two are one entity (merge); reject: they are not, never propose"
    )
    reason: str = _Reason
    actor: Actor


# -- decisions ------------------------------------------------------------------------------------

DecisionKind = Literal["merge", "split", "reject", "undo"]


class LinkMove(_Frozen):
    source: SourceRef
    from_entity: str
    to_entity: str


class Decision(_Frozen):
    id: str
    kind: DecisionKind
    decided_by: str = Field(description="'rule:<name>' or 'user:<id>'")
    actor: Actor | None = Field(description="The person, for a human decision")
    reason: str
    evidence: dict[str, object] = Field(description="Scores, review item, rule: what it rested on")
    entity_ids: list[str] = Field(description="For a merge: survivor first")
    moves: list[LinkMove]
    created_at: datetime
    undoes: str | None = Field(default=None, description="The decision this one undid")
    undone_by: str | None = Field(default=None, description="The decision that undid this one")


class MergeRequest(_Frozen):
    entity_ids: list[str] = Field(min_length=2, max_length=20)
    survivor_id: str | None = Field(default=None, description="Default: the oldest entity")
    reason: str = _Reason
    actor: Actor


class SplitRequest(_Frozen):
    entity_id: str = _Id
    sources: list[SourceRef] = Field(
        min_length=1, max_length=200, description="The records that move to a new entity"
    )
    reason: str = _Reason
    actor: Actor


class UndoRequest(_Frozen):
    decision_id: str = _Id
    reason: str = _Reason
    actor: Actor


class DecisionResult(_Frozen):
    decision: Decision
    entities: list[EntityState]


class DecisionsRequest(_Frozen):
    entity_id: str | None = Field(default=None, min_length=1, max_length=64)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class DecisionPage(_Frozen):
    items: list[Decision]
    total: int

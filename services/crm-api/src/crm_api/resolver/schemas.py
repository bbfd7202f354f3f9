"""Bodies of the resolver routes: the resolver's own requests, less the actor (the signed-in
user is the actor; a client cannot name another)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_common.contracts.resolver import EdgeKind, EntityKind, NodeKind, ReviewStatus, SourceRef

_Reason = Field(default="", max_length=2000, description="Why, in your words (kept with it)")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResolveQuery(_Body):
    email: str | None = Field(default=None, min_length=3, max_length=320)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    kind: EntityKind | None = None
    limit: int = Field(default=10, ge=1, le=50)


class NeighborsQuery(_Body):
    limit: int = Field(default=20, ge=1, le=200)
    edge_kind: list[EdgeKind] | None = Field(default=None, description="Only these relations")
    node_kind: NodeKind | None = None
    evidence_per_neighbor: int = Field(default=5, ge=0, le=50)


class PathsQuery(_Body):
    max_hops: int = Field(default=3, ge=1, le=3, description="1: our direct relations only")
    limit: int = Field(default=10, ge=1, le=50)
    team_member_id: list[str] | None = Field(
        default=None, max_length=100, description="Only paths from these team members (user ids)"
    )
    evidence_per_edge: int = Field(default=3, ge=0, le=20)


class ReviewQuery(_Body):
    status: ReviewStatus = "open"
    entity_id: str | None = Field(default=None, min_length=1, max_length=64)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class DecisionQuery(_Body):
    entity_id: str | None = Field(default=None, min_length=1, max_length=64)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ReviewVerdict(_Body):
    verdict: Literal["accept", "reject"] = Field(
        description="accept: they are one (merge); reject: they are not (never proposed again)"
    )
    reason: str = _Reason


class MergeBody(_Body):
    entity_ids: list[str] = Field(min_length=2, max_length=20)
    survivor_id: str | None = Field(default=None, max_length=64)
    reason: str = _Reason


class SplitBody(_Body):
    entity_id: str = Field(min_length=1, max_length=64)
    sources: list[SourceRef] = Field(min_length=1, max_length=200)
    reason: str = _Reason


class UndoBody(_Body):
    reason: str = _Reason

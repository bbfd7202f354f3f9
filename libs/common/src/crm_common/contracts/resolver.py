"""What resolver publishes on `resolver.entity.<upserted|merged|split>`.

Every event's `data` is a `ResolverEventData`: the full state of each canonical entity the change
touched (one for `upserted`; the survivor and the merged-away entity for `merged`; the original
and the split-off entity for `split`). A consumer keeps, per source record, the canonical id of
the entity whose `links` name it, so it never has to call back. The event's `subject` is the id of
the first entity in `entities`, and its `version` is that entity's version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EntityKind = Literal["person", "organization"]
EntityStatus = Literal["active", "merged"]
# What a link points at in its source service: a CRM record (contact, organization, grid_row,
# lp_profile) or an email participant (gmail-sync's address record).
SourceKind = Literal["contact", "organization", "grid_row", "lp_profile", "email_participant"]
MatchKind = Literal["foreign_key", "exact_email", "domain", "probabilistic", "manual", "origin"]


class EntityLink(BaseModel):
    """One source record and how it came to belong to the entity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_kind: SourceKind
    source_id: str = Field(min_length=1)
    match_kind: MatchKind
    confidence: float = Field(ge=0.0, le=1.0)
    decided_by: str = Field(description="'rule:<name>' or 'user:<id>'")
    decided_at: datetime


class EntityState(BaseModel):
    """A canonical entity after the change. A merged-away entity has status `merged`, no links,
    and `merged_into` naming the survivor, so an old reference still resolves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    kind: EntityKind
    status: EntityStatus
    merged_into: str | None = None
    display_name: str
    emails: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    links: list[EntityLink] = Field(default_factory=list)
    version: int = Field(ge=1)
    updated_at: datetime


class ResolverEventData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entities: list[EntityState] = Field(min_length=1)
    decision_id: str | None = Field(
        default=None, description="The merge or split decision behind the change, if any"
    )

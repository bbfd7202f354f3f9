"""Every table of resolver, imported so that `Base.metadata` knows them all (for Alembic)."""

from crm_resolver.database import Base
from crm_resolver.decisions.models import Decision, DecisionEntity, DecisionMove, PairConstraint
from crm_resolver.entities.models import Entity, EntityLink
from crm_resolver.graph.models import RelationEvidence
from crm_resolver.review.models import ReviewItem
from crm_resolver.sources.models import (
    BlockKey,
    ParticipantSighting,
    SourceDomain,
    SourceEmail,
    SourceRecord,
    TeamMember,
)

metadata = Base.metadata

__all__ = [
    "BlockKey",
    "Decision",
    "DecisionEntity",
    "DecisionMove",
    "Entity",
    "EntityLink",
    "PairConstraint",
    "ParticipantSighting",
    "RelationEvidence",
    "ReviewItem",
    "SourceDomain",
    "SourceEmail",
    "SourceRecord",
    "TeamMember",
    "metadata",
]

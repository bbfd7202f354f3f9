from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.agents.models import Proposal, ProposalEntity
from crm_api.agents.schemas import ProposalFilter
from crm_api.kit.repository import Sorts, filter_common, like, page

SORTS: Sorts = {
    "created_at": (Proposal.created_at, False),
    "-created_at": (Proposal.created_at, True),
    "updated_at": (Proposal.updated_at, False),
    "-updated_at": (Proposal.updated_at, True),
}


def live_ids(session: Session, model: Any, ids: set[str]) -> set[str]:
    """Which of `ids` are live records of `model`."""
    query = select(model.id).where(model.id.in_(ids))
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    return set(session.scalars(query))


def get(session: Session, proposal_id: str) -> Proposal | None:
    return session.get(Proposal, proposal_id)


def get_for_decision(session: Session, proposal_id: str) -> Proposal | None:
    """The proposal, locked until the transaction ends: two approvals of one proposal would
    otherwise both find it pending and apply it twice (PostgreSQL; SQLite's write transactions
    are serialized already)."""
    return session.get(Proposal, proposal_id, with_for_update=True, populate_existing=True)


def add(session: Session, proposal: Proposal, entities: list[tuple[str, str]]) -> None:
    session.add(proposal)
    session.flush()
    for entity_type, entity_id in dict.fromkeys(entities):
        session.add(
            ProposalEntity(proposal_id=proposal.id, entity_type=entity_type, entity_id=entity_id)
        )
    session.flush()


def search(session: Session, *, filters: ProposalFilter) -> tuple[list[Proposal], str | None, int]:
    query: Any = filter_common(select(Proposal), Proposal, filters)
    if filters.q:
        pattern = like(filters.q)
        query = query.where(
            func.lower(Proposal.action).like(pattern, escape="\\")
            | func.lower(func.coalesce(Proposal.reason, "")).like(pattern, escape="\\")
        )
    for column, value in (
        (Proposal.status, filters.status),
        (Proposal.api_key_id, filters.api_key_id),
        (Proposal.proposed_by_id, filters.proposed_by),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.entity_type is not None or filters.entity_id is not None:
        matching = select(ProposalEntity.proposal_id)
        if filters.entity_type is not None:
            matching = matching.where(ProposalEntity.entity_type == filters.entity_type)
        if filters.entity_id is not None:
            matching = matching.where(ProposalEntity.entity_id == filters.entity_id)
        query = query.where(Proposal.id.in_(matching))
    return page(session, query, model=Proposal, sorts=SORTS, sort=filters.sort, params=filters)

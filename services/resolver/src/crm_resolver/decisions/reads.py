"""Decisions as the API shows them: one with its moves, a decision's result, and the page of
decisions newest first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import Decision as DecisionRead
from crm_common.contracts.resolver import (
    DecisionPage,
    DecisionResult,
    DecisionsRequest,
    LinkMove,
    SourceRef,
)
from crm_common.events import Actor
from crm_resolver.context import Context
from crm_resolver.decisions import repository
from crm_resolver.decisions.models import Decision, DecisionMove
from crm_resolver.entities import service as entities
from crm_resolver.entities.models import Entity


def to_read(decision: Decision, moves: Sequence[DecisionMove]) -> DecisionRead:
    return DecisionRead(
        id=decision.id,
        kind=decision.kind,
        decided_by=decision.decided_by,
        actor=Actor.model_validate(decision.actor) if decision.actor else None,
        reason=decision.reason,
        evidence=decision.evidence,
        entity_ids=decision.entity_ids,
        moves=[
            LinkMove(
                source=SourceRef(source_kind=m.source_kind, source_id=m.source_id),
                from_entity=m.from_entity,
                to_entity=m.to_entity,
            )
            for m in moves
        ],
        created_at=decision.created_at,
        undoes=decision.undoes,
        undone_by=decision.undone_by,
    )


def result(
    session: Session, ctx: Context, decision: Decision, touched: Sequence[Entity]
) -> DecisionResult:
    return DecisionResult(
        decision=to_read(decision, repository.moves_of(session, decision.id)),
        entities=[entities.state(session, ctx, e) for e in touched],
    )


def page(session: Session, *, request: DecisionsRequest) -> DecisionPage:
    entity_ids = None
    if request.entity_id is not None:
        entity = entities.current(session, request.entity_id)[0]
        # Its own decisions, and those of the entities merged into it.
        entity_ids = [entity.id, request.entity_id]
    rows, total = repository.page(
        session, entity_ids=entity_ids, limit=request.limit, offset=request.offset
    )
    moves = repository.moves_of_many(session, [d.id for d in rows])
    return DecisionPage(items=[to_read(d, moves[d.id]) for d in rows], total=total)

"""A person's decisions: `resolver.review.decide`, `resolver.merge`, `resolver.split`,
`resolver.undo`, each one resolver write published as the decider's; and `resolver.decisions`,
the decisions newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_resolver.context import Context
from crm_resolver.decisions import reads
from crm_resolver.decisions import service as decisions
from crm_resolver.decisions import undo as undoing
from crm_resolver.entities.transactions import reader, writer
from crm_resolver.refs import Ref
from crm_resolver.review import service as review


def endpoints(db: Database, ctx: Context) -> list[Endpoint[Any, Any]]:
    def review_decide(
        session: Session, request: contract.ReviewDecideRequest
    ) -> contract.DecisionResult:
        item = review.get_open(session, request.item_id)
        decide = decisions.accept if request.verdict == "accept" else decisions.reject
        decision, touched = decide(
            session, ctx, item=item, actor=request.actor, reason=request.reason
        )
        return reads.result(session, ctx, decision, touched)

    def merge(session: Session, request: contract.MergeRequest) -> contract.DecisionResult:
        decision, touched = decisions.merge(
            session,
            ctx,
            entity_ids=request.entity_ids,
            survivor_id=request.survivor_id,
            actor=request.actor,
            decided_by=decisions.decider(request.actor),
            reason=request.reason,
            evidence={"requested": list(request.entity_ids)},
        )
        return reads.result(session, ctx, decision, touched)

    def split(session: Session, request: contract.SplitRequest) -> contract.DecisionResult:
        decision, touched = decisions.split(
            session,
            ctx,
            entity_id=request.entity_id,
            refs=[Ref(s.source_kind, s.source_id) for s in request.sources],
            actor=request.actor,
            reason=request.reason,
        )
        return reads.result(session, ctx, decision, touched)

    def undo(session: Session, request: contract.UndoRequest) -> contract.DecisionResult:
        decision, touched = undoing.undo(
            session,
            ctx,
            decision_id=request.decision_id,
            actor=request.actor,
            reason=request.reason,
        )
        return reads.result(session, ctx, decision, touched)

    def decision_page(
        session: Session, request: contract.DecisionsRequest
    ) -> contract.DecisionPage:
        return reads.page(session, request=request)

    return [
        Endpoint(
            "review-decide",
            contract.SUBJECT_REVIEW_DECIDE,
            contract.ReviewDecideRequest,
            contract.DecisionResult,
            writer(db, ctx, review_decide),
            "Accept (merge) or reject a review item",
        ),
        Endpoint(
            "merge",
            contract.SUBJECT_MERGE,
            contract.MergeRequest,
            contract.DecisionResult,
            writer(db, ctx, merge),
            "Merge entities",
        ),
        Endpoint(
            "split",
            contract.SUBJECT_SPLIT,
            contract.SplitRequest,
            contract.DecisionResult,
            writer(db, ctx, split),
            "Split records off an entity",
        ),
        Endpoint(
            "undo",
            contract.SUBJECT_UNDO,
            contract.UndoRequest,
            contract.DecisionResult,
            writer(db, ctx, undo),
            "Undo a merge, split or rejection",
        ),
        Endpoint(
            "decisions",
            contract.SUBJECT_DECISIONS,
            contract.DecisionsRequest,
            contract.DecisionPage,
            reader(db, decision_page),
            "Decisions, newest first",
        ),
    ]

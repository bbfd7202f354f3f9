"""The request-reply API (`resolver.*`): typed endpoints over the services.

Reads run in a read session; decisions in one write transaction (under the write lock) that also
publishes what they changed. Database work runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_common.errors import UnprocessableEntity
from crm_resolver.context import SERVICE_ACTOR, Context
from crm_resolver.database import lock_for_write
from crm_resolver.decisions import service as decisions
from crm_resolver.entities import service as entities
from crm_resolver.graph import service as graph
from crm_resolver.matching import service as matching
from crm_resolver.refs import Ref
from crm_resolver.review import service as review

Req = TypeVar("Req", bound=BaseModel)
Resp = TypeVar("Resp", bound=BaseModel)


class Unstorable(UnprocessableEntity):
    title = "Invalid request"
    slug = "validation"


def _reader(db: Database, work: Callable[[Session, Req], Resp]) -> Callable[[Req], Awaitable[Resp]]:
    def run(request: Req) -> Resp:
        with db.session() as session:
            try:
                return work(session, request)
            except DataError as exc:  # a value the database cannot hold (a NUL on PostgreSQL)
                raise Unstorable("a value cannot be stored or compared") from exc

    async def handle(request: Req) -> Resp:
        return await asyncio.to_thread(run, request)

    return handle


def _writer(
    db: Database, ctx: Context, work: Callable[[Session, Req], Resp]
) -> Callable[[Req], Awaitable[Resp]]:
    def run(request: Req) -> Resp:
        with db.transaction() as session:
            lock_for_write(session)
            entities.discard_dirty(session)
            result = work(session, request)
            entities.publish_dirty(session, ctx, actor=getattr(request, "actor", SERVICE_ACTOR))
            return result

    def guarded(request: Req) -> Resp:
        try:
            return run(request)
        except DataError as exc:
            raise Unstorable("a value cannot be stored or compared") from exc

    async def handle(request: Req) -> Resp:
        return await asyncio.to_thread(guarded, request)

    return handle


def endpoints(db: Database, ctx: Context) -> list[Endpoint[Any, Any]]:
    def resolve(session: Session, request: contract.ResolveRequest) -> contract.ResolveResponse:
        return matching.resolve(session, ctx, request)

    def entity(session: Session, request: contract.EntityRequest) -> contract.EntityResponse:
        found, redirected = entities.find(session, request)
        return contract.EntityResponse(
            entity=entities.state(session, ctx, found),
            redirected_from=redirected,
            records=entities.linked_records(session, found),
        )

    def neighbors(
        session: Session, request: contract.NeighborsRequest
    ) -> contract.NeighborsResponse:
        return graph.neighbors(session, ctx, request)

    def explain(session: Session, request: contract.ExplainRequest) -> contract.ExplainResponse:
        return matching.explain(session, ctx, request)

    def review_list(session: Session, request: contract.ReviewListRequest) -> contract.ReviewPage:
        return review.page(session, ctx, request=request)

    def review_decide(
        session: Session, request: contract.ReviewDecideRequest
    ) -> contract.DecisionResult:
        item = review.get_open(session, request.item_id)
        decide = decisions.accept if request.verdict == "accept" else decisions.reject
        decision, touched = decide(
            session, ctx, item=item, actor=request.actor, reason=request.reason
        )
        return decisions.result(session, ctx, decision, touched)

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
        return decisions.result(session, ctx, decision, touched)

    def split(session: Session, request: contract.SplitRequest) -> contract.DecisionResult:
        decision, touched = decisions.split(
            session,
            ctx,
            entity_id=request.entity_id,
            refs=[Ref(s.source_kind, s.source_id) for s in request.sources],
            actor=request.actor,
            reason=request.reason,
        )
        return decisions.result(session, ctx, decision, touched)

    def undo(session: Session, request: contract.UndoRequest) -> contract.DecisionResult:
        decision, touched = decisions.undo(
            session,
            ctx,
            decision_id=request.decision_id,
            actor=request.actor,
            reason=request.reason,
        )
        return decisions.result(session, ctx, decision, touched)

    def decision_page(
        session: Session, request: contract.DecisionsRequest
    ) -> contract.DecisionPage:
        return decisions.page(session, request=request)

    return [
        Endpoint(
            "resolve",
            contract.SUBJECT_RESOLVE,
            contract.ResolveRequest,
            contract.ResolveResponse,
            _reader(db, resolve),
            "The entities an email address or a name belongs to",
        ),
        Endpoint(
            "entity",
            contract.SUBJECT_ENTITY,
            contract.EntityRequest,
            contract.EntityResponse,
            _reader(db, entity),
            "An entity with its links; a merged-away id answers with the survivor",
        ),
        Endpoint(
            "neighbors",
            contract.SUBJECT_NEIGHBORS,
            contract.NeighborsRequest,
            contract.NeighborsResponse,
            _reader(db, neighbors),
            "Who knows an entity, ranked, with the evidence",
        ),
        Endpoint(
            "explain",
            contract.SUBJECT_EXPLAIN,
            contract.ExplainRequest,
            contract.ExplainResponse,
            _reader(db, explain),
            "Why two records are, or are not, one entity",
        ),
        Endpoint(
            "review-list",
            contract.SUBJECT_REVIEW_LIST,
            contract.ReviewListRequest,
            contract.ReviewPage,
            _reader(db, review_list),
            "The review queue",
        ),
        Endpoint(
            "review-decide",
            contract.SUBJECT_REVIEW_DECIDE,
            contract.ReviewDecideRequest,
            contract.DecisionResult,
            _writer(db, ctx, review_decide),
            "Accept (merge) or reject a review item",
        ),
        Endpoint(
            "merge",
            contract.SUBJECT_MERGE,
            contract.MergeRequest,
            contract.DecisionResult,
            _writer(db, ctx, merge),
            "Merge entities",
        ),
        Endpoint(
            "split",
            contract.SUBJECT_SPLIT,
            contract.SplitRequest,
            contract.DecisionResult,
            _writer(db, ctx, split),
            "Split records off an entity",
        ),
        Endpoint(
            "undo",
            contract.SUBJECT_UNDO,
            contract.UndoRequest,
            contract.DecisionResult,
            _writer(db, ctx, undo),
            "Undo a merge, split or rejection",
        ),
        Endpoint(
            "decisions",
            contract.SUBJECT_DECISIONS,
            contract.DecisionsRequest,
            contract.DecisionPage,
            _reader(db, decision_page),
            "Decisions, newest first",
        ),
    ]

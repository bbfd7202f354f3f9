"""The resolver, for signed-in users: who a record is, who knows them, the review queue and the
decisions. Each route asks the resolver over NATS (`resolver.*`); with the resolver down it
answers 503, and the resolver's own refusals (404, 409, 422) pass through as they came.

Decisions (review verdicts, merges, splits, undos) are writes: users only, with the signed-in
user as the actor the resolver records, and a touch in crm-api's interaction log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from crm_api.auth.dependencies import Reader, Writer
from crm_api.auth.principal import Principal
from crm_api.remote import Remote, unavailable
from crm_api.resolver import service
from crm_api.resolver.schemas import (
    DecisionQuery,
    MergeBody,
    NeighborsQuery,
    PathsQuery,
    ResolveQuery,
    ReviewQuery,
    ReviewVerdict,
    SplitBody,
    UndoBody,
)
from crm_common.contracts import resolver as contract
from crm_common.errors import UnprocessableEntity

router = APIRouter(prefix="/api/resolver", tags=["resolver"])

UNAVAILABLE = unavailable("The resolver")

EntityId = Annotated[str, Path(min_length=1, max_length=64)]
ItemId = Annotated[str, Path(min_length=1, max_length=64)]


class NothingToResolve(UnprocessableEntity):
    title = "Nothing to resolve"
    slug = "validation"


@router.get("/resolve", response_model=contract.ResolveResponse, responses=UNAVAILABLE)
async def resolve(
    _: Reader, query: Annotated[ResolveQuery, Query()], services: Remote
) -> contract.ResolveResponse:
    """The entities an email address or a name belongs to, most likely first."""
    if query.email is None and query.name is None:
        raise NothingToResolve("give email, name, or both", fields=["email", "name"])
    return await services.call(
        contract.SUBJECT_RESOLVE,
        contract.ResolveRequest(**query.model_dump()),
        contract.ResolveResponse,
    )


@router.get("/entities/{entity_id}", response_model=contract.EntityResponse, responses=UNAVAILABLE)
async def entity(_: Reader, entity_id: EntityId, services: Remote) -> contract.EntityResponse:
    """An entity with its linked records; a merged-away id answers with the survivor and names
    itself in `redirected_from`."""
    return await services.call(
        contract.SUBJECT_ENTITY,
        contract.EntityRequest(entity_id=entity_id),
        contract.EntityResponse,
    )


@router.get(
    "/records/{source_kind}/{source_id}",
    response_model=contract.EntityResponse,
    responses=UNAVAILABLE,
)
async def record_entity(
    _: Reader,
    source_kind: contract.SourceKind,
    source_id: Annotated[str, Path(min_length=1, max_length=320)],
    services: Remote,
) -> contract.EntityResponse:
    """The entity holding a source record (a contact, organization, LP profile, grid row or
    email address)."""
    return await services.call(
        contract.SUBJECT_ENTITY,
        contract.EntityRequest(
            source=contract.SourceRef(source_kind=source_kind, source_id=source_id)
        ),
        contract.EntityResponse,
    )


@router.get(
    "/entities/{entity_id}/neighbors",
    response_model=contract.NeighborsResponse,
    responses=UNAVAILABLE,
)
async def neighbors(
    _: Reader,
    entity_id: EntityId,
    query: Annotated[NeighborsQuery, Query()],
    services: Remote,
) -> contract.NeighborsResponse:
    """Who knows this entity: people, organizations and the fund's team members, strongest
    first, each with the records that say so."""
    return await services.call(
        contract.SUBJECT_NEIGHBORS,
        contract.NeighborsRequest(
            entity_id=entity_id,
            limit=query.limit,
            edge_kinds=query.edge_kind,
            node_kind=query.node_kind,
            evidence_per_neighbor=query.evidence_per_neighbor,
        ),
        contract.NeighborsResponse,
    )


@router.get(
    "/entities/{entity_id}/paths",
    response_model=contract.PathsResponse,
    responses=UNAVAILABLE,
)
async def paths(
    _: Reader,
    entity_id: EntityId,
    query: Annotated[PathsQuery, Query()],
    services: Remote,
) -> contract.PathsResponse:
    """Intro paths to this entity from the fund's team members, best first: each a chain from a
    team member through the people and organizations who know each other (up to `max_hops`
    relations) to the entity, with each hop's strength and the records that show it. Scored by
    the weakest hop's strength, discounted per hop (docs/resolver.md, "Intro paths")."""
    return await services.call(
        contract.SUBJECT_PATHS,
        contract.PathsRequest(
            entity_id=entity_id,
            max_hops=query.max_hops,
            limit=query.limit,
            team_member_ids=query.team_member_id,
            evidence_per_edge=query.evidence_per_edge,
        ),
        contract.PathsResponse,
    )


@router.post("/explain", response_model=contract.ExplainResponse, responses=UNAVAILABLE)
async def explain(
    _: Reader, body: contract.ExplainRequest, services: Remote
) -> contract.ExplainResponse:
    """Why two records (or entities) are, or are not, one entity: the rules that apply and the
    model's comparison of each pair of their records. A read, sent as a body."""
    return await services.call(contract.SUBJECT_EXPLAIN, body, contract.ExplainResponse)


@router.get("/review", response_model=contract.ReviewPage, responses=UNAVAILABLE)
async def review_queue(
    _: Reader, query: Annotated[ReviewQuery, Query()], services: Remote
) -> contract.ReviewPage:
    """Pairs the model finds possibly one entity, most probable first, for a person to decide."""
    return await services.call(
        contract.SUBJECT_REVIEW_LIST,
        contract.ReviewListRequest(**query.model_dump()),
        contract.ReviewPage,
    )


async def _logged(
    request: Request,
    principal: Principal,
    services: Remote,
    *,
    subject: str,
    body: Any,
    action: str,
    channel: str,
    payload: Any,
) -> contract.DecisionResult:
    result = await services.call(subject, body, contract.DecisionResult)
    await run_in_threadpool(
        service.log_decision,
        request.app.state.db,
        principal=principal,
        action=action,
        channel=channel,
        result=result,
        payload=payload,
    )
    return result


@router.post(
    "/review/{item_id}/decision",
    response_model=contract.DecisionResult,
    status_code=status.HTTP_201_CREATED,
    responses=UNAVAILABLE,
)
async def decide_review(
    principal: Writer,
    item_id: ItemId,
    body: ReviewVerdict,
    request: Request,
    services: Remote,
) -> contract.DecisionResult:
    """Accept (the two become one entity) or reject (they stay apart, never proposed again)."""
    return await _logged(
        request,
        principal,
        services,
        subject=contract.SUBJECT_REVIEW_DECIDE,
        body=contract.ReviewDecideRequest(
            item_id=item_id, verdict=body.verdict, reason=body.reason, actor=principal.actor
        ),
        action=f"resolver.review.{body.verdict}",
        channel="POST /api/resolver/review/{id}/decision",
        payload=body.model_dump(mode="json") | {"item_id": item_id},
    )


@router.post(
    "/merges",
    response_model=contract.DecisionResult,
    status_code=status.HTTP_201_CREATED,
    responses=UNAVAILABLE,
)
async def merge(
    principal: Writer, body: MergeBody, request: Request, services: Remote
) -> contract.DecisionResult:
    """Merge entities into one (the survivor, by default the oldest); the others redirect to it."""
    return await _logged(
        request,
        principal,
        services,
        subject=contract.SUBJECT_MERGE,
        body=contract.MergeRequest(**body.model_dump(), actor=principal.actor),
        action="resolver.merge",
        channel="POST /api/resolver/merges",
        payload=body.model_dump(mode="json"),
    )


@router.post(
    "/splits",
    response_model=contract.DecisionResult,
    status_code=status.HTTP_201_CREATED,
    responses=UNAVAILABLE,
)
async def split(
    principal: Writer, body: SplitBody, request: Request, services: Remote
) -> contract.DecisionResult:
    """Move records (and the LP profiles and grid rows that follow them) to a new entity."""
    return await _logged(
        request,
        principal,
        services,
        subject=contract.SUBJECT_SPLIT,
        body=contract.SplitRequest(
            entity_id=body.entity_id,
            sources=body.sources,
            reason=body.reason,
            actor=principal.actor,
        ),
        action="resolver.split",
        channel="POST /api/resolver/splits",
        payload=body.model_dump(mode="json"),
    )


@router.post(
    "/decisions/{decision_id}/undo",
    response_model=contract.DecisionResult,
    status_code=status.HTTP_201_CREATED,
    responses=UNAVAILABLE,
)
async def undo(
    principal: Writer,
    decision_id: ItemId,
    body: UndoBody,
    request: Request,
    services: Remote,
) -> contract.DecisionResult:
    """Undo a merge, split or rejection: every record goes back where it was (409 when a later
    decision changed those entities; undo that first)."""
    return await _logged(
        request,
        principal,
        services,
        subject=contract.SUBJECT_UNDO,
        body=contract.UndoRequest(
            decision_id=decision_id, reason=body.reason, actor=principal.actor
        ),
        action="resolver.undo",
        channel="POST /api/resolver/decisions/{id}/undo",
        payload=body.model_dump(mode="json") | {"decision_id": decision_id},
    )


@router.get("/decisions", response_model=contract.DecisionPage, responses=UNAVAILABLE)
async def decisions(
    _: Reader, query: Annotated[DecisionQuery, Query()], services: Remote
) -> contract.DecisionPage:
    """Every decision (merges, splits, rejections, undos; by people and by rules), newest first."""
    return await services.call(
        contract.SUBJECT_DECISIONS,
        contract.DecisionsRequest(**query.model_dump()),
        contract.DecisionPage,
    )

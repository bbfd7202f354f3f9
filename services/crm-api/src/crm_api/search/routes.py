from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from crm_api.auth.dependencies import Reader
from crm_api.auth.principal import Principal
from crm_api.remote import Remote
from crm_api.search import service
from crm_api.search.schemas import SearchParams
from crm_api.security.dependencies import UntrustedContent
from crm_common.contracts.search import SEARCH_QUERY, SearchRequest, SearchResponse
from crm_common.db import Database
from crm_common.errors import PROBLEM_JSON

router = APIRouter(prefix="/api", tags=["search"])


def _finish(
    db: Database, principal: Principal, request: SearchRequest, response: SearchResponse
) -> SearchResponse:
    with db.transaction() as session:
        service.rehydrate(session, response=response, principal=principal)
        service.log_agent_search(session, principal=principal, request=request, response=response)
    return response


@router.get(
    "/search",
    response_model=SearchResponse,
    responses={
        503: {
            "description": "The search service (ingest) is not running, or its index is not ready",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    },
    summary="Search the CRM's text: communications, notes, descriptions, next steps",
)
async def search(
    principal: Reader,
    services: Remote,
    request: Request,
    params: Annotated[SearchParams, Query()],
    trust: UntrustedContent,
) -> SearchResponse:
    """Hybrid (dense + BM25, fused) by default; filters by canonical entity, contact,
    organization, fund, kind, type, author and event time. One hit per record, each with a
    snippet, its score and a citation (`crm_path`). Sensitive values are placeholders, shown as
    written to users and to API keys with `read:sensitive` (docs/redaction.md). An agent's search
    is written to the interaction log."""
    search_request = service.to_request(params)
    response = await services.call(SEARCH_QUERY, search_request, SearchResponse, timeout=10)
    found = await run_in_threadpool(
        _finish, request.app.state.db, principal, search_request, response
    )
    trust.served(has_outside_text=bool(found.hits))
    return found

"""Search for crm-api's callers: the request to ingest, the originals put back for those who may
see them, and the agent's search on the record.

Re-hydration: ingest indexes text with sensitive values replaced by placeholders
(`[ACCOUNT_NUMBER_1]`), and each hit names where the original is (field, start, end of the
record's state at `source_version`). For a principal allowed to see it (`may_see_sensitive`),
each placeholder in the snippet is replaced by that slice of the record as crm-api holds it, if
the record is still at the version ingest read; otherwise the placeholder stays.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.interactions import service as interactions
from crm_api.interactions.schemas import InteractionCreate, Target
from crm_api.kit.errors import InvalidValue
from crm_api.search.schemas import SearchParams
from crm_api.snapshot import service as snapshot
from crm_common.contracts.interactions import digest
from crm_common.contracts.search import SearchFilters, SearchHit, SearchRequest, SearchResponse

CHANNEL = "GET /api/search"


def to_request(params: SearchParams) -> SearchRequest:
    """Raises InvalidValue (422) for what the contract refuses (a blank query, until <= since)."""
    try:
        return SearchRequest(
            query=params.q,
            mode=params.mode,
            top_k=params.top_k,
            cursor=params.cursor,
            filters=SearchFilters(
                entity_ids=params.entity_id,
                contact_ids=params.contact_id,
                organization_ids=params.organization_id,
                fund_ids=params.fund_id,
                source_kinds=params.source_kind,
                types=params.type,
                author_ids=params.author_id,
                since=params.since,
                until=params.until,
            ),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidValue(
            f"{'.'.join(str(p) for p in first['loc']) or 'q'}: {first['msg']}"
        ) from None


def _rehydrate_hit(session: Session, hit: SearchHit) -> None:
    if not hit.redactions:
        return
    state = snapshot.current_state(
        session, aggregate=hit.citation.source_kind, record_id=hit.citation.source_id
    )
    if state is None:
        return
    if state.get("version") != hit.citation.source_version:
        return  # the record moved on since ingest read it: the offsets may point elsewhere
    snippet = hit.snippet
    for marker in hit.redactions:
        text = state.get(marker.field)
        if not isinstance(text, str) or marker.end > len(text) or marker.start >= marker.end:
            return
        snippet = snippet.replace(marker.placeholder, text[marker.start : marker.end])
    hit.snippet = snippet
    hit.rehydrated = True


def rehydrate(session: Session, *, response: SearchResponse, principal: Principal) -> None:
    """Put the originals back into the snippets, for a principal allowed to see them."""
    if not principal.may_see_sensitive:
        return
    for hit in response.hits:
        _rehydrate_hit(session, hit)


def log_agent_search(
    session: Session, *, principal: Principal, request: SearchRequest, response: SearchResponse
) -> None:
    """An agent's search is an agent action: it goes on the interaction log."""
    if principal.kind != "agent":
        return
    shown = any(hit.rehydrated for hit in response.hits)
    interactions.append(
        session,
        actor=principal.actor,
        entry=InteractionCreate(
            action="search.query",
            channel=CHANNEL,
            summary=f"{request.mode} search {request.query[:300]!r}: {len(response.hits)} hits",
            targets=[
                Target(type=hit.citation.source_kind, id=hit.citation.source_id)
                for hit in response.hits
            ],
            payload_digest=digest(request.model_dump(mode="json")),
            flags=["sensitive_shown"] if shown else [],
        ),
    )

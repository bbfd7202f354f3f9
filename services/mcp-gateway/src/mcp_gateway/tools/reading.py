"""What the read tools share: their argument types, the caps on an answer's items and
characters, and the canonical entity a read starts from.

Each read tool answers from crm-api as the calling key (so crm-api's redaction for that key
stands), caps its answer in items and characters, and names the records it read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, get_args

from pydantic import Field

from crm_common.contracts.records import RecordType
from mcp_gateway.calls import Call
from mcp_gateway.errors import Invalid
from mcp_gateway.schemas import Answer, EntitySummary, Ref

Id = Annotated[str, Field(min_length=1, max_length=64)]
EntityId = Annotated[
    Id | None, Field(description="a canonical entity id (from `find` or `search`)")
]
ContactId = Annotated[Id | None, Field(description="a CRM contact id")]
OrganizationId = Annotated[Id | None, Field(description="a CRM organization id")]
Cursor = Annotated[str | None, Field(max_length=500, description="`next_cursor` of the last page")]
Limit = Annotated[int, Field(ge=1, le=50, description="items per page (the gateway caps it)")]

# A search chunk is cited by the record it came from, never as a chunk of its own.
_CITABLE = frozenset(get_args(RecordType)) - {"chunk"}


def ref(kind: str, record_id: str) -> Ref | None:
    """The record as evidence, or None for a kind an agent cannot cite."""
    return Ref(type=kind, id=record_id) if kind in _CITABLE else None


def capped(call: Call, asked: int) -> int:
    return min(asked, call.settings.max_items)


def fit(call: Call, answer: Answer, items: list[Any]) -> int:
    """Drop items from the end of `items` (a list inside `answer`) until the rendered answer
    fits in `max_chars`; how many are kept."""
    # The JSON's length stands for the text rendering's (the same content, about the same size)
    # and costs a fraction of rendering it.
    while len(items) > 1 and len(answer.model_dump_json()) > call.settings.max_chars:
        items.pop()
    return len(items)


def exactly_one(**given: str | None) -> tuple[str, str]:
    named = [(k, v) for k, v in given.items() if v]
    if len(named) != 1:
        raise Invalid(f"give exactly one of {', '.join(given)}")
    return named[0][0], str(named[0][1])


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


async def entity_id_of(call: Call, kind: str, wanted: str) -> str:
    """The canonical entity id of an `exactly_one(entity_id=, contact_id=, organization_id=)`."""
    if kind == "entity_id":
        return wanted
    source = "contact" if kind == "contact_id" else "organization"
    body = await call.get(f"/api/resolver/records/{source}/{wanted}")
    return str(body["entity"]["id"])


async def read_entity(call: Call, entity_id: str) -> tuple[EntitySummary, list[str], list[str]]:
    """The canonical entity, and the ids of its live contacts and organizations."""
    body = await call.get(f"/api/resolver/entities/{entity_id}")
    found = body["entity"]
    links = [r["link"] for r in body.get("records", []) if r.get("is_live", True)]
    summary = EntitySummary(
        entity_id=found["id"],
        kind=found["kind"],
        display_name=found["display_name"],
        status=found["status"],
        is_lp=found.get("is_lp", False),
        records=[
            r
            for r in (ref(link["source_kind"], link["source_id"]) for link in links)
            if r is not None
        ],
    )
    contacts = [link["source_id"] for link in links if link["source_kind"] == "contact"]
    orgs = [link["source_id"] for link in links if link["source_kind"] == "organization"]
    return summary, contacts, orgs

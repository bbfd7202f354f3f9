"""The `find` tool: investors and people by name or email, as the resolver's canonical entities
and as CRM contacts and organizations."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mcp_gateway.calls import Call, agent_tool
from mcp_gateway.errors import Invalid, Unavailable
from mcp_gateway.identity import READ
from mcp_gateway.schemas import EntityMatch, FindResult, RecordLabel, Ref
from mcp_gateway.tools import cards
from mcp_gateway.tools.reading import Limit, capped, ref


@agent_tool(scope=READ)
async def find(
    call: Call,
    name: Annotated[
        str | None, Field(max_length=300, description="a person's or firm's name")
    ] = None,
    email: Annotated[str | None, Field(max_length=320, description="an email address")] = None,
    kind: Annotated[
        Literal["person", "organization"] | None, Field(description="only persons or firms")
    ] = None,
    limit: Limit = 10,
) -> FindResult:
    """Find an investor or a person by name or email: the canonical entities the resolver
    matches (with their CRM records) and the CRM contacts and organizations whose name or email
    matches. Use the ids with `lp_dossier`, `timeline` and `who_knows`."""
    if not name and not email:
        raise Invalid("give a name, an email, or both")
    limit = capped(call, limit)
    entities: list[EntityMatch] = []
    try:
        resolved = await call.get(
            "/api/resolver/resolve", name=name, email=email, kind=kind, limit=limit
        )
    except Unavailable:
        resolved = {"matches": []}
    for match in resolved["matches"]:
        entity = match["entity"]
        entities.append(
            EntityMatch(
                entity_id=entity["id"],
                kind=entity["kind"],
                display_name=entity["display_name"],
                emails=entity.get("emails", []),
                is_lp=entity.get("is_lp", False),
                probability=match.get("probability"),
                match_kind=match.get("match_kind"),
                records=[
                    RecordLabel(type=link["source_kind"], id=link["source_id"], label="")
                    for link in entity.get("links", [])
                ],
            )
        )
    records: list[RecordLabel] = []
    text = email or name
    if kind in (None, "person"):
        page = await call.get("/api/contacts", q=text, limit=limit)
        records += [
            RecordLabel(type="contact", id=c["id"], label=cards.contact_card(c, call.quoter).name)
            for c in page["items"]
        ]
    if kind in (None, "organization") and name:
        page = await call.get("/api/organizations", q=name, limit=limit)
        records += [
            RecordLabel(type="organization", id=o["id"], label=o["name"]) for o in page["items"]
        ]
    evidence = [Ref(type="entity", id=e.entity_id) for e in entities]
    evidence += [r for r in (ref(x.type, x.id) for x in records) if r is not None]
    return FindResult(entities=entities, records=records, evidence=evidence)

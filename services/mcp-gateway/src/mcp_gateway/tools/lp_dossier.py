"""The `lp_dossier` tool: everything about one investor, gathered from the dossiers crm-api
keeps for each of its contacts and organizations."""

from __future__ import annotations

import asyncio
from typing import Any

from mcp_gateway.calls import Call, agent_tool
from mcp_gateway.errors import NotFound
from mcp_gateway.identity import READ
from mcp_gateway.schemas import Dossier, EntitySummary, Ref
from mcp_gateway.tools import cards
from mcp_gateway.tools.reading import (
    ContactId,
    EntityId,
    OrganizationId,
    exactly_one,
    fit,
    read_entity,
    ref,
)


def _canonical(found: dict[str, Any] | None) -> EntitySummary | None:
    if not found:
        return None
    return EntitySummary(
        entity_id=found["entity_id"],
        kind=found["kind"],
        display_name=found["display_name"],
        status=found["status"],
        is_lp=found.get("is_lp", False),
        records=[
            r
            for r in (ref(x["source_kind"], x["source_id"]) for x in found.get("records", []))
            if r is not None
        ],
    )


@agent_tool(scope=READ)
async def lp_dossier(
    call: Call,
    entity_id: EntityId = None,
    contact_id: ContactId = None,
    organization_id: OrganizationId = None,
) -> Dossier:
    """Everything about one investor, by canonical entity, contact or organization (give one):
    the entity, its contacts and organizations, the LP profile with accreditation, its positions
    per fund, the latest communications (quoted, untrusted) and the open follow-ups."""
    kind, wanted = exactly_one(
        entity_id=entity_id, contact_id=contact_id, organization_id=organization_id
    )
    entity: EntitySummary | None = None
    contact_ids: list[str] = []
    org_ids: list[str] = []
    if kind == "entity_id":
        entity, contact_ids, org_ids = await read_entity(call, wanted)
    elif kind == "contact_id":
        contact_ids = [wanted]
    else:
        org_ids = [wanted]
    cap = call.settings.max_items
    dossiers = await asyncio.gather(
        *(call.get(f"/api/contacts/{c}") for c in contact_ids[:cap]),
        *(call.get(f"/api/organizations/{o}") for o in org_ids[:cap]),
    )
    if not dossiers:
        raise NotFound("the entity has no live contact or organization in the CRM")
    quote = call.quoter
    contacts: dict[str, Any] = {}
    orgs: dict[str, Any] = {}
    opportunities: dict[str, Any] = {}
    follow_ups: dict[str, Any] = {}
    communications: dict[str, Any] = {}
    lp_profile = None
    for d in dossiers:
        if "contact" in d:
            contacts.setdefault(d["contact"]["id"], d["contact"])
        if "organization" in d:
            orgs.setdefault(d["organization"]["id"], d["organization"])
        for c in d.get("contacts", []):
            contacts.setdefault(c["id"], c)
        for o in d.get("organizations", []):
            orgs.setdefault(o["id"], o)
        for o in d.get("opportunities", []):
            opportunities.setdefault(o["id"], o)
        for f in d.get("open_follow_ups", []):
            follow_ups.setdefault(f["id"], f)
        for m in d.get("latest_communications", []):
            communications.setdefault(m["id"], m)
        if lp_profile is None and d.get("lp_profile"):
            lp_profile = d["lp_profile"]
        if entity is None:
            entity = _canonical(d.get("canonical"))
    latest = sorted(communications.values(), key=lambda m: m["occurred_at"], reverse=True)
    answer = Dossier(
        entity=entity,
        contacts=[cards.contact_card(c, quote) for c in list(contacts.values())[:cap]],
        organizations=[cards.organization_card(o, quote) for o in list(orgs.values())[:cap]],
        lp_profile=cards.lp_profile_card(lp_profile) if lp_profile else None,
        positions=[cards.position(o, quote) for o in list(opportunities.values())[:cap]],
        latest_communications=[cards.communication(m, quote) for m in latest[:cap]],
        open_follow_ups=[
            cards.follow_up(f, quote)
            for f in sorted(follow_ups.values(), key=lambda f: f["due_date"])[:cap]
        ],
    )
    fit(call, answer, answer.latest_communications)
    answer.untrusted_content = True
    answer.evidence = _dossier_evidence(answer)
    return answer


def _dossier_evidence(d: Dossier) -> list[Ref]:
    refs = [Ref(type="entity", id=d.entity.entity_id)] if d.entity else []
    refs += [Ref(type="contact", id=c.id) for c in d.contacts]
    refs += [Ref(type="organization", id=o.id) for o in d.organizations]
    refs += [Ref(type="lp_profile", id=d.lp_profile.id)] if d.lp_profile else []
    refs += [Ref(type="opportunity", id=p.opportunity_id) for p in d.positions]
    refs += [Ref(type="communication", id=m.id) for m in d.latest_communications]
    refs += [Ref(type="follow_up", id=f.id) for f in d.open_follow_ups]
    return refs

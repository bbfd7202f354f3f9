"""The `intro_paths` tool: which of the fund's people can get an intro to an entity, and through
whom, from the resolver's multi-hop search (`resolver.paths`, docs/resolver.md "Intro paths")."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mcp_gateway.calls import Call, agent_tool
from mcp_gateway.identity import READ
from mcp_gateway.schemas import IntroHop, IntroPaths, PathEvidence, PathNode, RankedIntroPath, Ref
from mcp_gateway.tools.reading import (
    ContactId,
    EntityId,
    Limit,
    OrganizationId,
    capped,
    entity_id_of,
    exactly_one,
    fit,
    ref,
)
from mcp_gateway.untrusted import Quoter

EVIDENCE_PER_HOP = 3


def _node(node: dict[str, Any]) -> PathNode:
    return PathNode(node_kind=node["kind"], node_id=node["id"], display_name=node["display_name"])


def _evidence(quote: Quoter, e: dict[str, Any]) -> PathEvidence:
    return PathEvidence(
        relation=e["edge_kind"],
        record_type=e["origin_kind"],
        record_id=e["origin_id"],
        detail=quote(e.get("detail"), type=e["origin_kind"], id=e["origin_id"], field="detail"),
        occurred_at=e.get("occurred_at"),
        weight=e["weight"],
    )


@agent_tool(scope=READ)
async def intro_paths(
    call: Call,
    entity_id: EntityId = None,
    contact_id: ContactId = None,
    organization_id: OrganizationId = None,
    max_hops: Annotated[
        int, Field(ge=1, le=3, description="1: only our direct relations; up to 3 relations")
    ] = 3,
    team_member_ids: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64)]] | None,
        Field(max_length=20, description="only paths from these team members (user ids)"),
    ] = None,
    limit: Limit = 10,
) -> IntroPaths:
    """Which of the fund's people can get an intro to this entity, contact or organization (give
    one), and through whom: ranked chains from a team member through the people and
    organizations who know each other (up to `max_hops` relations) to it, each hop with its
    strength and the records that show it (meetings, calls, emails, memberships). Best first;
    one path per team member and first person to ask."""
    kind, wanted = exactly_one(
        entity_id=entity_id, contact_id=contact_id, organization_id=organization_id
    )
    target = await entity_id_of(call, kind, wanted)
    body = await call.get(
        f"/api/resolver/entities/{target}/paths",
        max_hops=max_hops,
        limit=capped(call, limit),
        team_member_id=team_member_ids,
        evidence_per_edge=EVIDENCE_PER_HOP,
    )
    quote = call.quoter
    paths = []
    for rank, p in enumerate(body["paths"], start=1):
        hops = [
            IntroHop(
                from_node=_node(h["from"]),
                to_node=_node(h["to"]),
                relations=h["edge_kinds"],
                strength=h["strength"],
                last_at=h.get("last_at"),
                evidence=[_evidence(quote, e) for e in h.get("evidence", [])],
            )
            for h in p["hops"]
        ]
        paths.append(
            RankedIntroPath(
                rank=rank,
                score=p["score"],
                team_member=_node(p["team_member"]),
                via=[h.to_node.display_name for h in hops[:-1]],
                hops=hops,
            )
        )
    answer = IntroPaths(
        entity_id=body["entity"]["id"],
        display_name=body["entity"]["display_name"],
        max_hops=max_hops,
        paths=paths,
        untrusted_content=any(h.evidence for p in paths for h in p.hops),
    )
    fit(call, answer, answer.paths)
    cited: dict[tuple[str, str], Ref] = {
        ("entity", answer.entity_id): Ref(type="entity", id=answer.entity_id)
    }
    for p in answer.paths:
        for h in p.hops:
            found = [ref(e.record_type, e.record_id) for e in h.evidence]
            if h.to_node.node_kind == "entity":
                found.append(Ref(type="entity", id=h.to_node.node_id))
            for r in found:
                if r is not None:
                    cited.setdefault((r.type, r.id), r)
    answer.evidence = list(cited.values())
    return answer

"""The `who_knows` tool: the resolver's graph around one entity (who knows it, on what
evidence) and the intro paths to it from the fund's own people."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import Field

from mcp_gateway.calls import Call, agent_tool
from mcp_gateway.identity import READ
from mcp_gateway.schemas import Connection, Hop, IntroPath, PathEvidence, Ref, WhoKnows
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


@agent_tool(scope=READ)
async def who_knows(
    call: Call,
    entity_id: EntityId = None,
    contact_id: ContactId = None,
    organization_id: OrganizationId = None,
    team_only: Annotated[
        bool, Field(description="only the fund's own people (warm intros)")
    ] = False,
    via: Annotated[
        int,
        Field(
            ge=0,
            le=5,
            description="for intro paths, how many of the strongest connections to look through",
        ),
    ] = 3,
    limit: Limit = 10,
) -> WhoKnows:
    """Who knows this entity, contact or organization (give one): people, organizations and the
    fund's team members, strongest relation first, each with the records that show it (emails,
    meetings, memberships); and ranked intro paths from the fund's people to it, direct or
    through one of its strongest connections."""
    kind, wanted = exactly_one(
        entity_id=entity_id, contact_id=contact_id, organization_id=organization_id
    )
    target = await entity_id_of(call, kind, wanted)
    body = await call.get(
        f"/api/resolver/entities/{target}/neighbors",
        limit=capped(call, limit),
        node_kind="team_member" if team_only else None,
        evidence_per_neighbor=3,
    )
    quote = call.quoter
    connections = []
    for rank, n in enumerate(body["neighbors"], start=1):
        connections.append(
            Connection(
                rank=rank,
                node_kind=n["node"]["kind"],
                node_id=n["node"]["id"],
                display_name=n["node"]["display_name"],
                strength=n["strength"],
                relations=n["edge_kinds"],
                evidence_count=n["evidence_count"],
                last_at=n.get("last_at"),
                evidence=[
                    PathEvidence(
                        relation=e["edge_kind"],
                        record_type=e["origin_kind"],
                        record_id=e["origin_id"],
                        detail=quote(
                            e.get("detail"),
                            type=e["origin_kind"],
                            id=e["origin_id"],
                            field="detail",
                        ),
                        occurred_at=e.get("occurred_at"),
                        weight=e["weight"],
                    )
                    for e in n.get("evidence", [])
                ],
            )
        )
    answer = WhoKnows(
        entity_id=body["entity"]["id"],
        display_name=body["entity"]["display_name"],
        connections=connections,
        intro_paths=await _intro_paths(call, body, via=0 if team_only else via),
        untrusted_content=bool(connections),
    )
    fit(call, answer, answer.connections)
    refs = [Ref(type="entity", id=answer.entity_id)]
    for c in answer.connections:
        if c.node_kind == "entity":
            refs.append(Ref(type="entity", id=c.node_id))
        refs += [r for r in (ref(e.record_type, e.record_id) for e in c.evidence) if r]
    answer.evidence = refs
    return answer


def _hop(node: dict[str, Any], relations: list[str]) -> Hop:
    return Hop(
        node_kind=node["kind"],
        node_id=node["id"],
        display_name=node["display_name"],
        relations=relations,
    )


async def _intro_paths(call: Call, body: dict[str, Any], *, via: int) -> list[IntroPath]:
    """Team members next to the entity (one hop), and team members next to its `via`
    strongest person or organization neighbours (two hops); a path is as strong as its weakest
    hop."""
    target = body["entity"]
    target_hop = Hop(
        node_kind="entity", node_id=target["id"], display_name=target["display_name"], relations=[]
    )
    found: list[tuple[float, list[Hop]]] = []
    for n in body["neighbors"]:
        if n["node"]["kind"] == "team_member":
            found.append((n["strength"], [_hop(n["node"], n["edge_kinds"]), target_hop]))
    middles = [n for n in body["neighbors"] if n["node"]["kind"] == "entity"][:via]
    arounds = await asyncio.gather(
        *(
            call.get(
                f"/api/resolver/entities/{middle['node']['id']}/neighbors",
                node_kind="team_member",
                limit=5,
                evidence_per_neighbor=0,
            )
            for middle in middles
        )
    )
    for middle, around in zip(middles, arounds, strict=True):
        for t in around["neighbors"]:
            hops = [
                _hop(t["node"], t["edge_kinds"]),
                _hop(middle["node"], middle["edge_kinds"]),
                target_hop,
            ]
            found.append((min(t["strength"], middle["strength"]), hops))
    found.sort(key=lambda f: f[0], reverse=True)
    return [
        IntroPath(rank=rank, strength=strength, hops=hops)
        for rank, (strength, hops) in enumerate(found[: call.settings.max_items], start=1)
    ]

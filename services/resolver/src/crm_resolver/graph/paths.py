"""Intro paths: how the fund's team members can reach an entity, over at most three relations.

The search runs from the target outwards, one layer per hop, over the same relations and
decayed strengths as `resolver.neighbors` (`graph.service.related`): layer 1 is the target's
related entities, layer 2 theirs, and so on. A team member met at any layer ends a path there;
team members are never intermediaries. The last layer reads team relations only.

**The cap.** A layer expands at most `RESOLVER_PATHS_FRONTIER` entities (50 by default), those
with the best partial paths first: a hub (an organization with thousands of members) costs one
read of its evidence and hands no more than the cap on to the next hop, so a three-hop search
reads the evidence of at most 1 + 2 x cap entities whatever the graph's size.

**No cycles.** An entity already on a partial path is never added to it again, and the target is
on every path from the start. Each entity in a layer keeps its best partial path only.

**Score.** A hop of strength s counts s / (s + 1): 0.5 at a standing membership (1.0), 0.75 at
one meeting this week (3), 0.03 at one note two years old. A path scores its weakest hop's
normalised strength times 0.5 for each hop after the first, so a strong two-hop path (0.5 x 0.5
= 0.25 through a colleague's membership) beats a weak direct one (an old note, 0.03) and loses
to a good direct one. Ties go to the stronger path overall (the product of its hops), then the
shorter, then by name.

**One path per team member and first intermediary** (the person the team member would ask;
none for a direct relation): the best of them is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import IntroPath, PathHop, PathsRequest, PathsResponse
from crm_resolver.context import Context
from crm_resolver.database import utcnow
from crm_resolver.entities import service as entities
from crm_resolver.graph.models import RelationEvidence
from crm_resolver.graph.service import (
    NodeKey,
    Related,
    entity_node,
    evidence_of,
    last_at,
    related,
    strength,
)

# The strength at which a hop counts half; see the module's docstring.
HALF_STRENGTH = 1.0
HOP_DISCOUNT = 0.5


def normalised(value: float) -> float:
    return value / (value + HALF_STRENGTH)


@dataclass(frozen=True)
class _Edge:
    """A relation on a path, seen from the target's side: `near` is the entity closer to it."""

    near: str
    far: NodeKey
    rows: list[RelationEvidence]
    strength: float


@dataclass(frozen=True)
class _Partial:
    """A path from the target outwards: the entities on it (the target first) and its edges."""

    nodes: tuple[str, ...]
    edges: tuple[_Edge, ...] = ()

    def extended(self, edge: _Edge) -> _Partial:
        far = (edge.far[1],) if edge.far[0] == "entity" else ()
        return _Partial(nodes=self.nodes + far, edges=(*self.edges, edge))

    @property
    def score(self) -> float:
        weakest = min(normalised(e.strength) for e in self.edges)
        return float(weakest * HOP_DISCOUNT ** (len(self.edges) - 1))

    @property
    def product(self) -> float:
        total = 1.0
        for edge in self.edges:
            total *= normalised(edge.strength)
        return total

    def rank(self, names: dict[NodeKey, str]) -> tuple[float, float, int, tuple[str, ...]]:
        """Best first: the score, the product of the hops, fewer hops, then the names."""
        path = tuple(names.get(e.far, "") + e.far[1] for e in reversed(self.edges))
        return (-self.score, -self.product, len(self.edges), path)


def paths(session: Session, ctx: Context, request: PathsRequest) -> PathsResponse:
    target, redirected = entities.current(session, request.entity_id)
    now = utcnow()
    half_life = ctx.settings.strength_half_life_days
    cap = ctx.settings.paths_frontier
    wanted = set(request.team_member_ids) if request.team_member_ids else None

    names: dict[NodeKey, str] = {("entity", target.id): target.display_name}
    known = Related(evidence={}, entities={target.id: target}, members={})
    frontier: dict[str, _Partial] = {target.id: _Partial(nodes=(target.id,))}
    best: dict[tuple[str, str | None], _Partial] = {}
    for depth in range(1, request.max_hops + 1):
        is_last = depth == request.max_hops
        layer = related(session, list(frontier), team_only=is_last)
        known.entities.update(layer.entities)
        known.members.update(layer.members)
        names.update({("entity", i): e.display_name for i, e in layer.entities.items()})
        names.update(
            {("team_member", i): m.display_name or m.username for i, m in layer.members.items()}
        )
        following: dict[str, _Partial] = {}
        for near, partial in frontier.items():
            for far, rows in layer.evidence.get(near, {}).items():
                edge = _Edge(near=near, far=far, rows=rows, strength=strength(rows, now, half_life))
                if far[0] == "team_member":
                    member = layer.members[far[1]]
                    if not member.is_active or (wanted is not None and far[1] not in wanted):
                        continue
                    candidate = partial.extended(edge)
                    key = (far[1], near if depth > 1 else None)
                    held = best.get(key)
                    if held is None or candidate.rank(names) < held.rank(names):
                        best[key] = candidate
                elif not is_last and far[1] not in partial.nodes:
                    candidate = partial.extended(edge)
                    held = following.get(far[1])
                    if held is None or candidate.rank(names) < held.rank(names):
                        following[far[1]] = candidate
        ranked = sorted(following.items(), key=lambda item: item[1].rank(names))
        frontier = dict(ranked[:cap])
        if not frontier:
            break

    chosen = sorted(best.values(), key=lambda p: p.rank(names))[: request.limit]
    return PathsResponse(
        entity=entities.state(session, ctx, target),
        redirected_from=redirected,
        half_life_days=half_life,
        as_of=now,
        paths=[_path(p, known, request.evidence_per_edge) for p in chosen],
    )


def _path(partial: _Partial, known: Related, evidence_per_edge: int) -> IntroPath:
    hops = [
        PathHop(
            from_=known.node(edge.far),
            to=entity_node(known.entities[edge.near]),
            edge_kinds=sorted({r.edge_kind for r in edge.rows}),
            strength=round(edge.strength, 4),
            last_at=last_at(edge.rows),
            evidence=evidence_of(edge.rows, evidence_per_edge),
        )
        for edge in reversed(partial.edges)
    ]
    return IntroPath(team_member=hops[0].from_, hops=hops, score=round(partial.score, 4))

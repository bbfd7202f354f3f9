"""The relationship graph: who knows whom, and the records that say so.

Edges, each backed by evidence rows between two source records (or a record and a team member):

- membership (person - organization): a contact's affiliations (1.0; ended 0.3), an email domain
  the organization owns (0.5), a grid row's contacts and its investor (1.0);
- met (person - person): a meeting (3) or call (2) with both among the contact and attendees;
- corresponded (person - person): an email or text communication (1), a mail from one to the
  other (1);
- team (team member - person or organization): communications the member logged (meeting 3,
  call 2, email and text 1, note 0.5), mail between them (1), opportunities they own (2),
  contacts they own (1.5).

Strength of a relation = sum over its evidence of weight x 2^(-age / half-life), where age is
the time since the interaction; standing relations (memberships, ownerships) do not decay. So a
relation grows with frequency and fades with time since (RESOLVER_STRENGTH_HALF_LIFE_DAYS, 180
by default).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from sqlalchemy.orm import Session

from crm_common.contracts.gmail import GmailMessageData
from crm_common.contracts.resolver import (
    Evidence,
    Neighbor,
    NeighborsRequest,
    NeighborsResponse,
    Node,
)
from crm_resolver.comparison.normalize import normalize_email
from crm_resolver.context import Context
from crm_resolver.database import utcnow
from crm_resolver.entities import service as entities
from crm_resolver.entities.models import Entity
from crm_resolver.graph import repository
from crm_resolver.graph.models import RelationEvidence
from crm_resolver.refs import Ref
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import TeamMember

INTERACTION_WEIGHT = {"meeting": 3.0, "call": 2.0, "email": 1.0, "text": 1.0, "note": 0.5}
PERSON_EDGE = {"meeting": "met", "call": "met", "email": "corresponded", "text": "corresponded"}
DEFAULT_INTERACTION_WEIGHT = 1.0
AFFILIATION = 1.0
AFFILIATION_ENDED = 0.3
DOMAIN_MEMBERSHIP = 0.5
GRID_ROW_MEMBERSHIP = 1.0
CONTACT_OWNER = 1.5
OPPORTUNITY_OWNER = 2.0
EMAIL = 1.0

USER = "user"

# One evidence row, as inserted (many at once, without the ORM: communications are the bulk).
EvidenceRow = dict[str, Any]


def _row(
    origin: Ref,
    edge_kind: str,
    a: Ref,
    b: Ref,
    weight: float,
    detail: str,
    occurred_at: datetime | None = None,
) -> EvidenceRow:
    return {
        "origin_kind": origin.kind,
        "origin_id": origin.id,
        "edge_kind": edge_kind,
        "a_kind": a.kind,
        "a_id": a.id,
        "b_kind": b.kind,
        "b_id": b.id,
        "occurred_at": occurred_at,
        "weight": weight,
        "detail": detail[:300],
    }


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# -- evidence from each kind of source record ---------------------------------------------------


def from_contact(state: Mapping[str, Any]) -> list[EvidenceRow]:
    origin = Ref("contact", str(state["id"]))
    rows = []
    today = datetime.now(UTC).date().isoformat()
    for affiliation in state.get("affiliations") or []:
        org_id = affiliation.get("organization_id")
        if not org_id:
            continue
        ended = bool(affiliation.get("end_date")) and str(affiliation["end_date"]) < today
        role = affiliation.get("role") or "member"
        rows.append(
            _row(
                origin,
                "membership",
                origin,
                Ref("organization", str(org_id)),
                AFFILIATION_ENDED if ended else AFFILIATION,
                f"{role} (until {affiliation['end_date']})" if ended else str(role),
            )
        )
    if state.get("owner_id"):
        rows.append(
            _row(origin, "team", Ref(USER, str(state["owner_id"])), origin, CONTACT_OWNER, "owner")
        )
    return rows


def from_communication(state: Mapping[str, Any]) -> list[EvidenceRow]:
    origin = Ref("communication", str(state["id"]))
    kind = str(state.get("type") or "")
    occurred = _time(state.get("occurred_at"))
    subject = str(state.get("subject") or "")
    detail = f"{kind}: {subject}" if subject else kind
    people = sorted(
        {str(c) for c in [state.get("contact_id"), *(state.get("attendee_ids") or [])] if c}
    )
    rows = []
    edge = PERSON_EDGE.get(kind)
    if edge is not None:
        for left, right in combinations(people, 2):
            rows.append(
                _row(
                    origin,
                    edge,
                    Ref("contact", left),
                    Ref("contact", right),
                    INTERACTION_WEIGHT[kind],
                    detail,
                    occurred,
                )
            )
    author = state.get("created_by")
    if author:
        weight = INTERACTION_WEIGHT.get(kind, DEFAULT_INTERACTION_WEIGHT)
        targets = [Ref("contact", p) for p in people]
        if state.get("organization_id"):
            targets.append(Ref("organization", str(state["organization_id"])))
        rows.extend(
            _row(origin, "team", Ref(USER, str(author)), target, weight, detail, occurred)
            for target in targets
        )
    return rows


def from_opportunity(state: Mapping[str, Any]) -> list[EvidenceRow]:
    origin = Ref("opportunity", str(state["id"]))
    owner = state.get("owner_id")
    investor = (
        Ref("organization", str(state["investor_organization_id"]))
        if state.get("investor_organization_id")
        else Ref("contact", str(state["investor_contact_id"]))
        if state.get("investor_contact_id")
        else None
    )
    if not owner or investor is None:
        return []
    return [
        _row(
            origin,
            "team",
            Ref(USER, str(owner)),
            investor,
            OPPORTUNITY_OWNER,
            f"owns the opportunity ({state.get('stage') or 'open'})",
        )
    ]


def from_grid_row(state: Mapping[str, Any], investor: Ref | None) -> list[EvidenceRow]:
    if investor is None:
        return []
    origin = Ref("grid_row", str(state["id"]))
    return [
        _row(
            origin, "membership", Ref("contact", str(c)), investor, GRID_ROW_MEMBERSHIP, "grid row"
        )
        for c in sorted({str(c) for c in state.get("contact_ids") or [] if c})
        if Ref("contact", c) != investor
    ]


def message_endpoints(
    session: Session, message: GmailMessageData
) -> tuple[Ref, list[Ref], dict[str, str | None]]:
    """(sender, recipients, external addresses with their display names) of a message; the fund's
    own addresses become its team members, and the mailbox owner is a recipient when absent."""
    headers = [message.from_, *message.to, *message.cc]
    addresses = [normalize_email(h.address) for h in headers]
    team = sources.team_by_email(session, [a for a in addresses if a])
    external: dict[str, str | None] = {}

    def node(address: str | None, name: str | None) -> Ref | None:
        if address is None:
            return None
        member = team.get(address)
        if member is not None:
            return Ref(USER, member.id)
        external.setdefault(address, name)
        if name and not external[address]:
            external[address] = name
        return Ref("email_participant", address)

    sender = node(addresses[0], message.from_.name)
    recipients: list[Ref] = []
    for header, address in zip(headers[1:], addresses[1:], strict=True):
        found = node(address, header.name)
        if found is not None and found not in recipients:
            recipients.append(found)
    owner = Ref(USER, message.mailbox_user_id)
    if owner != sender and owner not in recipients:
        recipients.append(owner)
    if sender is None:  # an unparseable sender: the mailbox's owner is the only sure party
        sender = owner
    return sender, [r for r in recipients if r != sender], external


def from_message(
    message: GmailMessageData, sender: Ref, recipients: Sequence[Ref]
) -> list[EvidenceRow]:
    origin = Ref("email_message", message.id)
    detail = f"email: {message.subject}" if message.subject else "email"
    rows = []
    for recipient in recipients:
        kinds = {sender.kind == USER, recipient.kind == USER}
        if kinds == {True}:
            continue  # two of the fund's own people
        edge = "team" if True in kinds else "corresponded"
        a, b = (
            (sender, recipient)
            if sender.kind == USER or recipient.kind != USER
            else (recipient, sender)
        )
        rows.append(_row(origin, edge, a, b, EMAIL, detail, message.sent_at))
    return rows


def replace(session: Session, origin: Ref, rows: Iterable[EvidenceRow]) -> None:
    repository.replace(session, origin, rows)


def remove(session: Session, origin: Ref) -> None:
    repository.remove_origin(session, origin)


def remove_endpoint(session: Session, ref: Ref) -> None:
    repository.remove_endpoint(session, ref)


def recompute_domains(session: Session, domains: Iterable[str]) -> None:
    """Membership by email domain: each person record whose mail domain an organization owns."""
    for domain in sorted(set(domains)):
        origin = Ref("domain", domain)
        holders = sources.holders_of_domains(session, [domain])
        orgs = [ref for _, ref in holders if ref.kind == "organization"]
        people = [ref for _, ref in holders if ref.kind != "organization"]
        replace(
            session,
            origin,
            [
                _row(origin, "membership", person, org, DOMAIN_MEMBERSHIP, f"email at {domain}")
                for org in orgs
                for person in people
            ],
        )


# -- who knows whom -----------------------------------------------------------------------------


def _decay(
    weight: float, occurred_at: datetime | None, now: datetime, half_life_days: float
) -> float:
    if occurred_at is None:
        return weight
    age_days = max(0.0, (now - occurred_at).total_seconds() / 86_400)
    return float(weight * 2 ** (-age_days / half_life_days))


NodeKey = tuple[str, str]  # ("entity", entity id) or ("team_member", user id)


@dataclass(frozen=True)
class Related:
    """What some entities are related to: for each, every node it relates to with the evidence
    (one row per origin record and edge kind, the heaviest), and the related entities and team
    members, to name them."""

    evidence: dict[str, dict[NodeKey, list[RelationEvidence]]]
    entities: dict[str, Entity]
    members: dict[str, TeamMember]

    def node(self, key: NodeKey) -> Node:
        kind, node_id = key
        if kind == "team_member":
            member = self.members[node_id]
            return Node(
                kind="team_member", id=node_id, display_name=member.display_name or member.username
            )
        return entity_node(self.entities[node_id])


def entity_node(entity: Entity) -> Node:
    return Node(
        kind="entity", id=entity.id, display_name=entity.display_name, entity_kind=entity.kind
    )


def related(
    session: Session,
    entity_ids: Collection[str],
    *,
    edge_kinds: Sequence[str] | None = None,
    team_only: bool = False,
) -> Related:
    """The relations of the entities' live records: to other active entities (through where
    the other records are linked) and to the fund's team members; only to team members when
    `team_only`. Agents' keys and services are nobody's relation."""
    owner = {
        Ref(link.source_kind, link.source_id): link.entity_id
        for link in entities.links_of_many(session, entity_ids)
    }
    records = sources.get_many(session, owner)
    mine = [ref for ref in owner if (r := records.get(ref)) is None or r.is_live]
    touching = repository.touching(
        session, mine, edge_kinds, other_kind=USER if team_only else None
    )
    others = {other for _, _, other in touching}
    record_others = [o for o in others if o.kind != USER]
    holders = entities.entities_of(session, record_others)
    other_records = sources.get_many(session, record_others)
    members = sources.team_members(session, [o.id for o in others if o.kind == USER])
    held = entities.get_many(session, set(holders.values()))

    grouped: dict[str, dict[NodeKey, dict[tuple[str, str, str], RelationEvidence]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row, own, other in touching:
        source = owner[own]
        if other.kind == USER:
            if other.id not in members:
                continue  # an agent key or a service, not one of the team
            key: NodeKey = ("team_member", other.id)
        else:
            record = other_records.get(other)
            if record is not None and not record.is_live:
                continue
            holder = holders.get(other)
            if holder is None or holder == source or held[holder].status != "active":
                continue
            key = ("entity", holder)
        seen = grouped[source][key]
        evidence_key = (row.origin_kind, row.origin_id, row.edge_kind)
        if evidence_key not in seen or seen[evidence_key].weight < row.weight:
            seen[evidence_key] = row
    return Related(
        evidence={
            source: {key: list(rows.values()) for key, rows in by_node.items()}
            for source, by_node in grouped.items()
        },
        entities=held,
        members=members,
    )


def strength(rows: Iterable[RelationEvidence], now: datetime, half_life_days: float) -> float:
    """Sum of the evidence's weights, each halved every `half_life_days` of its age."""
    return sum(_decay(r.weight, r.occurred_at, now, half_life_days) for r in rows)


def last_at(rows: Iterable[RelationEvidence]) -> datetime | None:
    times = [r.occurred_at for r in rows if r.occurred_at is not None]
    return max(times) if times else None


def evidence_of(rows: Iterable[RelationEvidence], limit: int) -> list[Evidence]:
    """Standing relations first, then the most recent interactions; at most `limit`."""
    ordered = sorted(
        rows,
        key=lambda r: (
            r.occurred_at is not None,
            -r.occurred_at.timestamp() if r.occurred_at else 0,
        ),
    )
    return [
        Evidence(
            edge_kind=r.edge_kind,
            origin_kind=r.origin_kind,
            origin_id=r.origin_id,
            occurred_at=r.occurred_at,
            weight=r.weight,
            detail=r.detail,
        )
        for r in ordered[:limit]
    ]


def neighbors(session: Session, ctx: Context, request: NeighborsRequest) -> NeighborsResponse:
    entity, redirected = entities.current(session, request.entity_id)
    now = utcnow()
    half_life = ctx.settings.strength_half_life_days
    around = related(session, [entity.id], edge_kinds=request.edge_kinds)
    found = []
    for key, evidence in around.evidence.get(entity.id, {}).items():
        if request.node_kind and key[0] != request.node_kind:
            continue
        found.append(
            Neighbor(
                node=around.node(key),
                strength=round(strength(evidence, now, half_life), 4),
                edge_kinds=sorted({r.edge_kind for r in evidence}),
                evidence_count=len(evidence),
                last_at=last_at(evidence),
                evidence=evidence_of(evidence, request.evidence_per_neighbor),
            )
        )
    found.sort(key=lambda n: (-n.strength, n.node.display_name, n.node.id))
    return NeighborsResponse(
        entity=entities.state(session, ctx, entity),
        redirected_from=redirected,
        half_life_days=half_life,
        as_of=now,
        neighbors=found[: request.limit],
    )

"""Resolution: which entity a source record belongs to, in layers.

1. Foreign keys: an LP profile or grid row belongs to its investor's entity (`place_dependent`).
2. Exact email: person records sharing a normalized address are one person.
3. Domain: organization records sharing a web or mail domain are one organization (never a
   free-mail domain). A person's mail domain makes them a member of the organization (graph).
4. Probabilistic: records sharing a blocking key (surname sound + given-name initial, nickname
   groups included; swapped names; the mailbox name) are scored by the Fellegi-Sunter model.
   At or above the auto-link threshold a new record joins the entity; from the review threshold
   it goes to the review queue; below it stays apart.

A record is placed when it first arrives. Later changes never move it by a rule: an update that
reveals an exact match merges the two entities (a decision by rule, reversible); one that only
scores high goes to the review queue. Email participants match by exact address only (the
brief's "exact email, else a new person"), so mail never auto-joins two people by name. Every
rule yields to a person's decision: records a person kept apart are never joined by a rule.

The model's features and the candidates are matching/scoring.py; `resolve` and `explain`, which
only read, matching/reads.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from crm_resolver.comparison.model import Features
from crm_resolver.context import Context
from crm_resolver.decisions import service as decisions
from crm_resolver.entities import service as entities
from crm_resolver.matching.scoring import (
    Candidate,
    candidates_for,
    features_of,
    pair_score,
    ref_of,
)
from crm_resolver.refs import Ref
from crm_resolver.review import service as review
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import SourceRecord


def _exact(session: Session, ctx: Context, record: SourceRecord) -> list[tuple[str, str, str]]:
    """(entity id, match kind, evidence) of the other entities sharing an address (persons) or
    a domain (organizations) with the record, oldest entity first."""
    ref = ref_of(record)
    if record.entity_kind == "person":
        hits = [
            (value, other, "exact_email")
            for value, other in sources.holders_of_emails(
                session, list(record.attrs.get("emails") or [])
            )
            if other != ref
        ]
    elif record.entity_kind == "organization":
        domains = [d for d in record.attrs.get("domains") or [] if d not in ctx.free_mail]
        hits = [
            (value, other, "domain")
            for value, other in sources.organizations_with_domains(session, domains)
            if other != ref
        ]
    else:
        return []
    if not hits:
        return []
    records = sources.get_many(session, [other for _, other, _ in hits])
    holders = entities.entities_of(session, [other for _, other, _ in hits])
    found: dict[str, tuple[str, str, str]] = {}
    for value, other, kind in hits:
        holder = holders.get(other)
        other_record = records.get(other)
        if holder is None or other_record is None or not other_record.is_live:
            continue
        found.setdefault(holder, (holder, kind, f"{other} shares {value}"))
    held = entities.get_many(session, found)
    return [found[e.id] for e in sorted(held.values(), key=lambda e: (e.created_at, e.id))]


def _rule_merge(
    session: Session, ctx: Context, *, into: str, other: str, rule: str, evidence: str
) -> str:
    """Merge two entities by a rule unless a person kept them apart; returns the survivor."""
    if into == other or decisions.entities_kept_apart(session, into, other):
        return into
    _decision, touched = decisions.merge(
        session,
        ctx,
        entity_ids=[into, other],
        actor=None,
        decided_by=f"rule:{rule}",
        reason=evidence,
        evidence={"rule": rule, "detail": evidence},
        match_kind=None,
        confidence=None,
    )
    return touched[0].id


def resolve_identity(session: Session, ctx: Context, ref: Ref, *, is_new: bool) -> None:
    """Place (or re-check) a contact, organization or email participant after it changed."""
    record = sources.get(session, ref)
    link = entities.link_of(session, ref)
    if record is None or not record.is_live:
        if link is not None:
            entities.mark_dirty(session, link.entity_id)
        return
    assert record.entity_kind is not None
    placeholder = (
        link is not None
        and is_new
        and entities.holds_only_dependents(session, link.entity_id, besides=ref)
    )
    exact = [
        hit for hit in _exact(session, ctx, record) if link is None or hit[0] != link.entity_id
    ]
    exact = [hit for hit in exact if not decisions.is_kept_apart(session, ref, hit[0])]
    candidates = [] if ref.kind == "email_participant" else candidates_for(session, ctx, record)

    if link is None or placeholder:
        target: tuple[str, str, float, str] | None = None
        if exact:
            entity_id, kind, evidence = exact[0]
            target = (entity_id, kind, 1.0 if kind == "exact_email" else 0.9, evidence)
            exact = exact[1:]
        else:
            best = next(
                (c for c in candidates if not decisions.is_kept_apart(session, ref, c.entity_id)),
                None,
            )
            if best is not None and best.scored.probability >= ctx.auto_link:
                target = (
                    best.entity_id,
                    "probabilistic",
                    best.scored.probability,
                    f"{best.ref} scores {best.scored.probability:.3f}",
                )
        if target is None:
            if link is None:
                entity = entities.create(session, kind=record.entity_kind)
                entities.attach(
                    session,
                    ref=ref,
                    entity_id=entity.id,
                    match_kind="origin",
                    confidence=1.0,
                    decided_by="rule:new_record",
                )
        else:
            entity_id, kind, confidence, evidence = target
            if link is not None:  # the entity made for it by an LP profile or grid row
                entity_id = decisions.merge(
                    session,
                    ctx,
                    entity_ids=[link.entity_id, entity_id],
                    survivor_id=entity_id,
                    actor=None,
                    decided_by=f"rule:{kind}",
                    reason=evidence,
                    evidence={"rule": kind, "detail": evidence},
                    match_kind=None,
                    confidence=None,
                )[1][0].id
            entities.attach(
                session,
                ref=ref,
                entity_id=entity_id,
                match_kind=kind,
                confidence=confidence,
                decided_by=f"rule:{kind}",
            )
    else:
        entities.mark_dirty(session, link.entity_id)

    own = entities.entity_of(session, ref)
    assert own is not None
    for entity_id, kind, evidence in exact:
        own = _rule_merge(session, ctx, into=own, other=entity_id, rule=kind, evidence=evidence)
    _propose(session, ctx, record, own, candidates)


def _propose(
    session: Session, ctx: Context, record: SourceRecord, own: str, candidates: Iterable[Candidate]
) -> None:
    ref = ref_of(record)
    own_features: Features | None = None
    for candidate in candidates:
        if candidate.scored.probability < ctx.review:
            break
        current = entities.entity_of(session, candidate.ref)
        if current is None or current == own:
            continue
        if decisions.is_kept_apart(session, ref, current):
            continue
        if own_features is None:
            own_features = features_of(session, ctx, [(record.entity_kind, record.attrs)])[0]
        review.propose(
            session,
            left=ref,
            left_entity=own,
            right=candidate.ref,
            right_entity=current,
            pair=pair_score(
                ctx,
                str(record.entity_kind),
                ref,
                candidate.ref,
                own_features,
                candidate.features,
                candidate.scored,
            ),
        )


def place_dependent(
    session: Session, ctx: Context, ref: Ref, *, anchor: Ref | None, entity_kind: str
) -> None:
    """The foreign-key layer: an LP profile or grid row joins its investor's entity (made now,
    for the investor, if the resolver has not seen it yet)."""
    link = entities.link_of(session, ref)
    if anchor is None:
        if link is not None:
            entities.mark_dirty(session, link.entity_id)
        return
    anchor_link = entities.link_of(session, anchor)
    if anchor_link is None:
        entity = entities.create(session, kind=entity_kind)
        entities.attach(
            session,
            ref=anchor,
            entity_id=entity.id,
            match_kind="origin",
            confidence=1.0,
            decided_by="rule:foreign_key",
        )
        anchor_entity = entity.id
    else:
        anchor_entity = anchor_link.entity_id
    if link is None or link.entity_id != anchor_entity:
        entities.attach(
            session,
            ref=ref,
            entity_id=anchor_entity,
            match_kind="foreign_key",
            confidence=1.0,
            decided_by="rule:foreign_key",
        )
    else:
        entities.mark_dirty(session, anchor_entity)


def follow_anchor(session: Session, ctx: Context, anchor: Ref) -> None:
    """Keep the dependents of a record with it (after the record was placed)."""
    anchor_entity = entities.entity_of(session, anchor)
    if anchor_entity is None:
        return
    for dependent in sources.dependents_of(session, anchor):
        dependent_ref = Ref(dependent.source_kind, dependent.source_id)
        if entities.entity_of(session, dependent_ref) != anchor_entity:
            entities.attach(
                session,
                ref=dependent_ref,
                entity_id=anchor_entity,
                match_kind="foreign_key",
                confidence=1.0,
                decided_by="rule:foreign_key",
            )

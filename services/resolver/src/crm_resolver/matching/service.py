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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import (
    EntityState,
    ExplainRequest,
    ExplainResponse,
    FeatureScore,
    PairScore,
    ResolveMatch,
    ResolveRequest,
    ResolveResponse,
    RuleFinding,
    SourceRef,
    Verdict,
)
from crm_resolver.context import Context
from crm_resolver.decisions import service as decisions
from crm_resolver.entities import service as entities
from crm_resolver.entities.models import Entity
from crm_resolver.matching.model import Features, OrgFeatures, PersonFeatures, Scored
from crm_resolver.matching.normalize import (
    ROLE_LOCAL_PARTS,
    email_domain,
    email_local,
    normalize_email,
    org_name_key,
    person_name,
)
from crm_resolver.refs import IDENTITY_KINDS, Ref
from crm_resolver.review import service as review
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import SourceRecord


@dataclass(frozen=True)
class Candidate:
    ref: Ref
    entity_id: str
    scored: Scored
    features: Features


def _ref(record: SourceRecord) -> Ref:
    return Ref(record.source_kind, record.source_id)


# -- what the model compares --------------------------------------------------------------------


def features_of(
    session: Session, ctx: Context, items: Sequence[tuple[str | None, dict[str, Any]]]
) -> list[Features]:
    """Model features of (entity kind, attrs) pairs; a person's organizations are the canonical
    ids of its affiliations and of the organizations that own its mail domains."""
    org_refs = {
        Ref("organization", str(org_id))
        for kind, attrs in items
        if kind == "person"
        for org_id in attrs.get("org_ids") or []
    }
    domains = {
        d
        for kind, attrs in items
        if kind == "person"
        for d in sources.person_domains(ctx, attrs.get("emails") or [])
    }
    owners: dict[str, set[Ref]] = {}
    for domain, ref in sources.organizations_with_domains(session, sorted(domains)):
        owners.setdefault(domain, set()).add(ref)
        org_refs.add(ref)
    org_entities = entities.entities_of(session, org_refs)
    found: list[Features] = []
    for kind, attrs in items:
        if kind == "organization":
            found.append(
                OrgFeatures(
                    name=str(attrs.get("name") or "") or None,
                    domains=frozenset(
                        d for d in attrs.get("domains") or [] if d not in ctx.free_mail
                    ),
                )
            )
            continue
        emails = frozenset(str(e) for e in attrs.get("emails") or [])
        own_domains = sources.person_domains(ctx, emails)
        orgs = {
            org_entities.get(r, str(r))
            for r in (Ref("organization", str(o)) for o in attrs.get("org_ids") or [])
        }
        for domain in own_domains:
            orgs.update(org_entities.get(r, str(r)) for r in owners.get(domain, ()))
        found.append(
            PersonFeatures(
                first=str(attrs.get("first") or "") or None,
                last=str(attrs.get("last") or "") or None,
                emails=emails,
                # A mailbox name says something only when it is more than a given name.
                email_locals=frozenset(
                    loc
                    for loc in (email_local(e) for e in emails)
                    if len(loc) >= 5 and loc not in ROLE_LOCAL_PARTS
                ),
                domains=frozenset(own_domains),
                orgs=frozenset(orgs),
                phones=frozenset(str(p) for p in attrs.get("phones") or []),
                city=str(attrs.get("city") or "") or None,
            )
        )
    return found


def verdict(ctx: Context, probability: float) -> Verdict:
    if probability >= ctx.auto_link:
        return "auto_link"
    if probability >= ctx.review:
        return "review"
    return "separate"


def pair_score(
    ctx: Context,
    kind: str,
    left: Ref,
    right: Ref,
    left_features: Features,
    right_features: Features,
    scored: Scored,
) -> PairScore:
    return PairScore(
        left=SourceRef(source_kind=left.kind, source_id=left.id),
        right=SourceRef(source_kind=right.kind, source_id=right.id),
        probability=round(scored.probability, 6),
        match_weight=round(scored.match_weight, 4),
        verdict=verdict(ctx, scored.probability),
        features=[
            FeatureScore(
                feature=d.feature,
                level=d.level,
                left=d.left,
                right=d.right,
                m=d.m,
                u=d.u,
                weight=round(d.weight, 4),
            )
            for d in ctx.model.explain(kind, left_features, right_features, scored.levels)  # type: ignore[arg-type]
        ],
    )


def _candidates(session: Session, ctx: Context, record: SourceRecord) -> list[Candidate]:
    """The other entities this record may be, best first, by the record's blocking keys."""
    ref = _ref(record)
    own = entities.entity_of(session, ref)
    partners = [
        p
        for p in sources.block_partners(session, ctx, sources.block_keys_of(session, ctx, record))
        if p != ref
    ]
    if not partners:
        return []
    records = sources.get_many(session, partners)
    holders = entities.entities_of(session, partners)
    chosen = [
        records[p]
        for p in partners
        if p in records
        and records[p].is_live
        and records[p].entity_kind == record.entity_kind
        and p.kind != "email_participant"
        and holders.get(p) not in (None, own)
    ]
    if not chosen:
        return []
    kind = record.entity_kind
    assert kind in ("person", "organization")
    feats = features_of(session, ctx, [(kind, record.attrs)] + [(kind, r.attrs) for r in chosen])
    scored = ctx.model.score(kind, feats[0], feats[1:])  # type: ignore[arg-type]
    best: dict[str, Candidate] = {}
    for other, result, other_features in zip(chosen, scored, feats[1:], strict=True):
        entity_id = holders[_ref(other)]
        held = best.get(entity_id)
        if held is None or result.probability > held.scored.probability:
            best[entity_id] = Candidate(_ref(other), entity_id, result, other_features)
    return sorted(best.values(), key=lambda c: (-c.scored.probability, c.entity_id))


def _exact(session: Session, ctx: Context, record: SourceRecord) -> list[tuple[str, str, str]]:
    """(entity id, match kind, evidence) of the other entities sharing an address (persons) or
    a domain (organizations) with the record, oldest entity first."""
    ref = _ref(record)
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
    candidates = [] if ref.kind == "email_participant" else _candidates(session, ctx, record)

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
    ref = _ref(record)
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


# -- resolver.resolve ---------------------------------------------------------------------------


def resolve(session: Session, ctx: Context, request: ResolveRequest) -> ResolveResponse:
    found: dict[str, ResolveMatch] = {}

    def add(entity: Entity, match_kind: str, probability: float, reason: str) -> None:
        if entity.status != "active":
            return
        held = found.get(entity.id)
        if held is not None and held.probability >= probability:
            return
        found[entity.id] = ResolveMatch(
            entity=entities.state(session, ctx, entity),
            match_kind=match_kind,
            probability=round(probability, 6),
            reasons=[reason],
        )

    address = normalize_email(request.email)
    if address is not None and request.kind in (None, "person"):
        hits = sources.holders_of_emails(session, [address])
        holders = entities.entities_of(session, [ref for _, ref in hits])
        for entity in entities.get_many(session, holders.values()).values():
            add(entity, "exact_email", 1.0, f"holds {address}")
    if request.name:
        for kind in ("person", "organization"):
            if request.kind not in (None, kind):
                continue
            if kind == "person":
                name = person_name(display=request.name)
                attrs: dict[str, Any] = {
                    "first": name.first,
                    "last": name.last,
                    "emails": [address] if address else [],
                    "phones": [],
                    "org_ids": [],
                }
            else:
                attrs = {"name": org_name_key(request.name), "domains": []}
                if address is not None and email_domain(address) not in ctx.free_mail:
                    attrs["domains"] = [email_domain(address)]
            probe = SourceRecord(
                source_kind="query", source_id="query", entity_kind=kind, attrs=attrs, is_live=True
            )
            for candidate in _candidates(session, ctx, probe):
                if candidate.scored.probability < 0.01:
                    continue
                entity = entities.get(session, candidate.entity_id)
                add(
                    entity,
                    "probabilistic",
                    candidate.scored.probability,
                    f"{candidate.ref} scores {candidate.scored.probability:.3f}",
                )
    matches = sorted(found.values(), key=lambda m: (-m.probability, m.entity.display_name))
    return ResolveResponse(matches=matches[: request.limit])


# -- resolver.explain ---------------------------------------------------------------------------


def _sides(session: Session, entity: Entity, given: SourceRef | None) -> list[SourceRecord]:
    if given is not None:
        refs = [Ref(given.source_kind, given.source_id)]
    else:
        refs = [
            Ref(link.source_kind, link.source_id) for link in entities.links_of(session, entity.id)
        ]
    records = sources.get_many(session, refs)
    return [records[r] for r in refs if r in records and r.kind in IDENTITY_KINDS]


def explain(session: Session, ctx: Context, request: ExplainRequest) -> ExplainResponse:
    left, _ = entities.find(session, request.left)
    right, _ = entities.find(session, request.right)
    left_records = _sides(session, left, request.left.source)
    right_records = _sides(session, right, request.right.source)
    same = left.id == right.id
    rules: list[RuleFinding] = []
    if left.kind != right.kind:
        rules.append(
            RuleFinding(
                rule="kind",
                applies=True,
                detail=f"a {left.kind} and an {right.kind} are never one entity; a person is a "
                "member of an organization instead",
            )
        )
    for side in (left_records, right_records):
        for record in side:
            for dependent in sources.dependents_of(session, _ref(record)):
                rules.append(
                    RuleFinding(
                        rule="foreign_key",
                        applies=True,
                        detail=f"{dependent.source_kind} {dependent.source_id} follows "
                        f"{record.source_kind} {record.source_id} (its investor)",
                    )
                )
    left_emails = {e for r in left_records for e in r.attrs.get("emails") or []}
    right_emails = {e for r in right_records for e in r.attrs.get("emails") or []}
    shared_emails = sorted(left_emails & right_emails)
    rules.append(
        RuleFinding(
            rule="exact_email",
            applies=bool(shared_emails),
            detail=f"both hold {', '.join(shared_emails)}"
            if shared_emails
            else "no address in common",
        )
    )

    def domains_of(records: list[SourceRecord]) -> set[str]:
        found: set[str] = set()
        for record in records:
            found.update(record.attrs.get("domains") or [])
            found.update(email_domain(e) for e in record.attrs.get("emails") or [])
        return found

    shared_domains = domains_of(left_records) & domains_of(right_records)
    free = sorted(d for d in shared_domains if d in ctx.free_mail)
    useful = sorted(d for d in shared_domains if d not in ctx.free_mail)
    if left.kind == "organization" and right.kind == "organization":
        detail = f"both use {', '.join(useful)}" if useful else "no web or mail domain in common"
    else:
        detail = (
            f"both use {', '.join(useful)}: a hint, compared by the model"
            if useful
            else "no employer's domain in common"
        )
    rules.append(RuleFinding(rule="domain", applies=bool(useful), detail=detail))
    if free:
        rules.append(
            RuleFinding(
                rule="free_mail",
                applies=True,
                detail=f"{', '.join(free)} is free mail: ignored, it says nothing about who "
                "anyone is or where they work",
            )
        )
    kept = decisions.entities_kept_apart(session, left.id, right.id) if not same else False
    rules.append(
        RuleFinding(
            rule="constraint",
            applies=kept,
            detail="a person decided these are different; no rule joins them"
            if kept
            else "no decision keeps them apart",
        )
    )

    pairs: list[PairScore] = []
    if left.kind == right.kind:
        kind = left.kind
        left_features = features_of(session, ctx, [(kind, r.attrs) for r in left_records])
        right_features = features_of(session, ctx, [(kind, r.attrs) for r in right_records])
        for lrec, lfeat in zip(left_records, left_features, strict=True):
            scored = ctx.model.score(kind, lfeat, right_features)  # type: ignore[arg-type]
            for rrec, rfeat, result in zip(right_records, right_features, scored, strict=True):
                if _ref(lrec) == _ref(rrec):
                    continue
                pairs.append(pair_score(ctx, kind, _ref(lrec), _ref(rrec), lfeat, rfeat, result))
    pairs.sort(key=lambda p: -p.probability)
    pairs = pairs[: request.max_pairs]
    left_state = entities.state(session, ctx, left)
    right_state = entities.state(session, ctx, right)
    summary = _summary(left_state, right_state, same, shared_emails, useful, kept, pairs, ctx)
    linked = entities.linked_records(session, left)
    if not same:
        linked += entities.linked_records(session, right)
    return ExplainResponse(
        left=left_state,
        right=right_state,
        same_entity=same,
        summary=summary,
        rules=rules,
        pairs=pairs,
        auto_link_threshold=ctx.auto_link,
        review_threshold=ctx.review,
        links=linked,
    )


def _summary(
    left: EntityState,
    right: EntityState,
    same: bool,
    shared_emails: list[str],
    domains: list[str],
    kept: bool,
    pairs: list[PairScore],
    ctx: Context,
) -> str:
    if same:
        return f"One entity ({left.display_name}); the links say how each record joined it."
    if left.kind != right.kind:
        return "Different kinds: a person and an organization are never one entity."
    if kept:
        return "Kept apart by a person's decision."
    if shared_emails:
        return f"Not yet one, but they share {shared_emails[0]}: the next change joins them."
    best = pairs[0] if pairs else None
    if best is None:
        return "Nothing to compare: no record pair of the same kind."
    return (
        f"Best pair scores {best.probability:.3f} ({best.verdict}; auto-link at "
        f"{ctx.auto_link}, review from {ctx.review})."
    )

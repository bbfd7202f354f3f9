"""`resolve` and `explain`: which entities an address or a name belongs to, and why two records
are, or are not, one entity (the rules that fired, the model's pair scores, the decisions that
keep them apart). Reads only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import (
    EntityState,
    ExplainRequest,
    ExplainResponse,
    PairScore,
    ResolveMatch,
    ResolveRequest,
    ResolveResponse,
    RuleFinding,
    SourceRef,
)
from crm_resolver.comparison.normalize import (
    email_domain,
    normalize_email,
    org_name_key,
    person_name,
)
from crm_resolver.context import Context
from crm_resolver.decisions import service as decisions
from crm_resolver.entities import service as entities
from crm_resolver.entities.models import Entity
from crm_resolver.matching.scoring import (
    candidates_for,
    features_of,
    pair_score,
    ref_of,
)
from crm_resolver.refs import IDENTITY_KINDS, Ref
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import SourceRecord

# -- resolver.resolve ---------------------------------------------------------------------------

# An address at an organization's domain is weaker evidence than the address itself: anyone there
# may write (the seed's domain_match confidence).
DOMAIN_CONFIDENCE = 0.6


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
    if (
        address is not None
        and request.include_domain
        and request.kind in (None, "organization")
        and email_domain(address) not in ctx.free_mail
    ):
        domain = email_domain(address)
        hits = sources.organizations_with_domains(session, [domain])
        records = sources.get_many(session, [ref for _, ref in hits])
        live = [ref for _, ref in hits if ref in records and records[ref].is_live]
        holders = entities.entities_of(session, live)
        for entity in entities.get_many(session, holders.values()).values():
            add(entity, "domain", DOMAIN_CONFIDENCE, f"has the domain {domain}")
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
            for candidate in candidates_for(session, ctx, probe):
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
            for dependent in sources.dependents_of(session, ref_of(record)):
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
                if ref_of(lrec) == ref_of(rrec):
                    continue
                pairs.append(
                    pair_score(ctx, kind, ref_of(lrec), ref_of(rrec), lfeat, rfeat, result)
                )
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

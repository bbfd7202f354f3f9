"""Scoring: what the Fellegi-Sunter model compares for a record, how a pair scores, and the
candidates a record could join (records sharing a blocking key: surname sound + given-name
initial, nickname groups included; swapped names; the mailbox name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import (
    FeatureScore,
    PairScore,
    SourceRef,
    Verdict,
)
from crm_resolver.comparison.model import Features, OrgFeatures, PersonFeatures, Scored
from crm_resolver.comparison.normalize import (
    ROLE_LOCAL_PARTS,
    email_local,
)
from crm_resolver.context import Context
from crm_resolver.entities import service as entities
from crm_resolver.refs import Ref
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import SourceRecord


@dataclass(frozen=True)
class Candidate:
    ref: Ref
    entity_id: str
    scored: Scored
    features: Features


def ref_of(record: SourceRecord) -> Ref:
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


def candidates_for(session: Session, ctx: Context, record: SourceRecord) -> list[Candidate]:
    """The other entities this record may be, best first, by the record's blocking keys."""
    ref = ref_of(record)
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
        entity_id = holders[ref_of(other)]
        held = best.get(entity_id)
        if held is None or result.probability > held.scored.probability:
            best[entity_id] = Candidate(ref_of(other), entity_id, result, other_features)
    return sorted(best.values(), key=lambda c: (-c.scored.probability, c.entity_id))

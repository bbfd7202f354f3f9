"""Merges, splits, rejections and their undos: every change of identity a person (or a rule) made.

Each decision records who made it (`user:<id>` with the actor, or `rule:<name>`), when, why, the
evidence it rested on, and every link it moved with where the link was and how it got there, so an
undo puts each link back exactly. A merged-away entity keeps its id with status `merged` and
`merged_into` the survivor, so a reference to it still resolves; its undo makes it active again.

- merge: the links of the others move to the survivor (default: the oldest); `merged` event.
- split: the named records (and the LP profiles and grid rows that follow them) move to a new
  entity; the records on the two sides may not be joined by a rule again; `split` event.
- reject (from the review queue): the two entities are different; no rule joins their records.

Undoing one of them is decisions/undo.py; reading them back, decisions/reads.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from crm_common.events import Actor
from crm_resolver.context import SERVICE_ACTOR, Context
from crm_resolver.database import utcnow
from crm_resolver.decisions import repository
from crm_resolver.decisions.errors import DecisionConflict, InvalidDecision
from crm_resolver.decisions.models import Decision, DecisionMove
from crm_resolver.entities import service as entities
from crm_resolver.entities.models import Entity
from crm_resolver.refs import IDENTITY_KINDS, Ref
from crm_resolver.review import service as review
from crm_resolver.review.models import ReviewItem
from crm_resolver.sources import service as sources


def decider(actor: Actor) -> str:
    return f"{actor.kind}:{actor.id}"


def _move(
    session: Session,
    decision: Decision,
    *,
    ref: Ref,
    to_entity: str,
    match_kind: str | None,
    confidence: float | None,
    decided_by: str,
) -> None:
    """Move a link, keeping its match kind and confidence when `match_kind` is None."""
    link = entities.link_of(session, ref)
    assert link is not None
    repository.add_move(
        session,
        DecisionMove(
            decision_id=decision.id,
            source_kind=ref.kind,
            source_id=ref.id,
            from_entity=link.entity_id,
            to_entity=to_entity,
            prev_match_kind=link.match_kind,
            prev_confidence=link.confidence,
            prev_decided_by=link.decided_by,
        ),
    )
    entities.attach(
        session,
        ref=ref,
        entity_id=to_entity,
        match_kind=match_kind or link.match_kind,
        confidence=link.confidence if confidence is None else confidence,
        decided_by=decided_by,
    )


def new_decision(
    session: Session,
    *,
    kind: str,
    decided_by: str,
    actor: Actor | None,
    reason: str,
    evidence: dict[str, Any],
    entity_ids: Sequence[str],
    undoes: str | None = None,
) -> Decision:
    decision = Decision(
        kind=kind,
        decided_by=decided_by,
        actor=actor.model_dump(mode="json") if actor else None,
        reason=reason,
        evidence=evidence,
        entity_ids=list(entity_ids),
        created_at=utcnow(),
        undoes=undoes,
    )
    repository.add(session, decision, entity_ids=entity_ids)
    return decision


def refs_of(session: Session, entity_id: str) -> list[Ref]:
    return [Ref(link.source_kind, link.source_id) for link in entities.links_of(session, entity_id)]


def _identityrefs_of(session: Session, refs: Sequence[Ref]) -> list[Ref]:
    records = sources.get_many(session, refs)
    return [r for r in refs if r.kind in IDENTITY_KINDS and r in records]


def keep_apart(
    session: Session, decision: Decision, left: Sequence[Ref], right: Sequence[Ref]
) -> None:
    repository.add_constraints(
        session,
        decision.id,
        [(a, b) for a in _identityrefs_of(session, left) for b in _identityrefs_of(session, right)],
    )


def is_kept_apart(session: Session, ref: Ref, entity_id: str) -> bool:
    """A person said `ref` is not one with some record of the entity."""
    return repository.any_constraint(session, ref, refs_of(session, entity_id))


def entities_kept_apart(session: Session, left_entity: str, right_entity: str) -> bool:
    return bool(
        repository.constraints_between(
            session, refs_of(session, left_entity), refs_of(session, right_entity)
        )
    )


# -- merge --------------------------------------------------------------------------------------


def merge(
    session: Session,
    ctx: Context,
    *,
    entity_ids: Sequence[str],
    survivor_id: str | None = None,
    actor: Actor | None,
    decided_by: str,
    reason: str = "",
    evidence: dict[str, Any] | None = None,
    match_kind: str | None = "manual",
    confidence: float | None = 1.0,
) -> tuple[Decision, list[Entity]]:
    """Merge the (current) entities into one. A rule passes `match_kind=None`: the links keep
    how they were matched.

    Raises:
        EntityNotFound: an id names no entity.
        DecisionConflict: they are one entity already.
        InvalidDecision: a person and an organization, or a survivor not among them.
    """
    found: dict[str, Entity] = {}
    for entity_id in entity_ids:
        entity = entities.current(session, entity_id)[0]
        found[entity.id] = entity
    if len(found) < 2:
        raise DecisionConflict("these ids name one entity already", entity_id=next(iter(found)))
    kinds = {e.kind for e in found.values()}
    if len(kinds) > 1:
        raise InvalidDecision("a person and an organization cannot be one entity")
    if survivor_id is not None:
        survivor = entities.current(session, survivor_id)[0]
        if survivor.id not in found:
            raise InvalidDecision("survivor_id must be one of entity_ids", field="survivor_id")
    else:
        survivor = min(found.values(), key=lambda e: (e.created_at, e.id))
    losers = sorted((e for e in found.values() if e.id != survivor.id), key=lambda e: e.id)
    decision = new_decision(
        session,
        kind="merge",
        decided_by=decided_by,
        actor=actor,
        reason=reason,
        evidence=evidence or {},
        entity_ids=[survivor.id, *(e.id for e in losers)],
    )
    for loser in losers:
        for ref in refs_of(session, loser.id):
            _move(
                session,
                decision,
                ref=ref,
                to_entity=survivor.id,
                match_kind=match_kind,
                confidence=confidence,
                decided_by=decided_by,
            )
        loser.status = "merged"
        loser.merged_into = survivor.id
    session.flush()
    review.supersede_within(session, entity_id=survivor.id, decision_id=decision.id)
    entities.publish(
        session,
        ctx,
        entities=[survivor, *losers],
        action="merged",
        actor=actor or SERVICE_ACTOR,
        decision_id=decision.id,
    )
    return decision, [survivor, *losers]


# -- split --------------------------------------------------------------------------------------


def split(
    session: Session,
    ctx: Context,
    *,
    entity_id: str,
    refs: Sequence[Ref],
    actor: Actor,
    reason: str = "",
) -> tuple[Decision, list[Entity]]:
    """Move `refs` (and the LP profiles and grid rows anchored on them) to a new entity.

    Raises:
        EntityNotFound: no such entity.
        InvalidDecision: a record is not in the entity, or nothing would be left in it.
    """
    entity = entities.current(session, entity_id)[0]
    held = refs_of(session, entity.id)
    missing = [str(r) for r in refs if r not in held]
    if missing:
        raise InvalidDecision(
            f"not records of entity {entity.id}: {', '.join(missing)}", records=missing
        )
    moving = list(dict.fromkeys(refs))
    for ref in list(moving):
        for dependent in sources.dependents_of(session, ref):
            dependent_ref = Ref(dependent.source_kind, dependent.source_id)
            if dependent_ref in held and dependent_ref not in moving:
                moving.append(dependent_ref)
    staying = [r for r in held if r not in moving]
    if not staying:
        raise InvalidDecision("a split must leave at least one record in the entity")
    new = entities.create(session, kind=entity.kind)
    decision = new_decision(
        session,
        kind="split",
        decided_by=decider(actor),
        actor=actor,
        reason=reason,
        evidence={"records": [str(r) for r in moving]},
        entity_ids=[entity.id, new.id],
    )
    for ref in moving:
        _move(
            session,
            decision,
            ref=ref,
            to_entity=new.id,
            match_kind="manual",
            confidence=1.0,
            decided_by=decider(actor),
        )
    keep_apart(session, decision, moving, staying)
    session.flush()
    entities.publish(
        session, ctx, entities=[entity, new], action="split", actor=actor, decision_id=decision.id
    )
    return decision, [entity, new]


# -- the review queue's verdicts ----------------------------------------------------------------


def _item_entities(session: Session, item: ReviewItem) -> tuple[str, str]:
    left = entities.entity_of(session, Ref(item.left_kind, item.left_id))
    right = entities.entity_of(session, Ref(item.right_kind, item.right_id))
    if left is None or right is None:
        raise DecisionConflict("a record of this item is gone (purged)")
    return left, right


def accept(
    session: Session, ctx: Context, *, item: ReviewItem, actor: Actor, reason: str
) -> tuple[Decision, list[Entity]]:
    left, right = _item_entities(session, item)
    decision, touched = merge(
        session,
        ctx,
        entity_ids=[left, right],
        actor=actor,
        decided_by=decider(actor),
        reason=reason,
        evidence={"review_item": item.id, "probability": item.probability, "pair": item.pair},
    )
    review.close(
        session,
        item=item,
        status="accepted",
        decision_id=decision.id,
        decided_by=decider(actor),
        reason=reason,
    )
    return decision, touched


def reject(
    session: Session, ctx: Context, *, item: ReviewItem, actor: Actor, reason: str
) -> tuple[Decision, list[Entity]]:
    left, right = _item_entities(session, item)
    if left == right:
        raise DecisionConflict("the two records are one entity already; split it instead")
    decision = new_decision(
        session,
        kind="reject",
        decided_by=decider(actor),
        actor=actor,
        reason=reason,
        evidence={"review_item": item.id, "probability": item.probability, "pair": item.pair},
        entity_ids=[left, right],
    )
    keep_apart(session, decision, refs_of(session, left), refs_of(session, right))
    review.close(
        session,
        item=item,
        status="rejected",
        decision_id=decision.id,
        decided_by=decider(actor),
        reason=reason,
    )
    touched = list(entities.get_many(session, [left, right]).values())
    return decision, sorted(touched, key=lambda e: e.id != left)

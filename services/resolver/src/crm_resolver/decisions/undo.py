"""Undo: the reverse of a merge, split or rejection, refused (409) when a later decision changed
its entities. Undoing a merge also keeps a rule from joining the two sides again; undoing a split
merges the split-off entity back.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_common.events import Actor
from crm_resolver.context import Context
from crm_resolver.decisions import repository
from crm_resolver.decisions.errors import DecisionConflict, DecisionNotFound
from crm_resolver.decisions.models import Decision, DecisionMove
from crm_resolver.decisions.service import decider, keep_apart, new_decision, refs_of
from crm_resolver.entities import service as entities
from crm_resolver.entities.models import Entity
from crm_resolver.refs import Ref
from crm_resolver.review import service as review


def _check_undoable(session: Session, decision: Decision) -> list[DecisionMove]:
    if decision.kind == "undo":
        raise DecisionConflict("an undo cannot be undone; make the decision again")
    if decision.undone_by is not None:
        raise DecisionConflict(
            f"decision {decision.id} was undone already", undone_by=decision.undone_by
        )

    def changed_since(detail: str) -> DecisionConflict:
        later = repository.later_on(session, decision.entity_ids, decision)
        return DecisionConflict(
            f"{detail}; undo the later decision first", later=[d.id for d in later]
        )

    touched = entities.get_many(session, decision.entity_ids)
    first, others = decision.entity_ids[0], decision.entity_ids[1:]
    if decision.kind in ("merge", "split") and touched[first].status == "merged":
        raise changed_since(f"entity {first} was merged into {touched[first].merged_into} since")
    for other in others:
        entity = touched[other]
        if decision.kind == "merge" and (entity.status != "merged" or entity.merged_into != first):
            raise changed_since(f"entity {other} is no longer merged into {first}")
        if decision.kind == "split" and entity.status == "merged":
            raise changed_since(f"entity {other} was merged into {entity.merged_into} since")
    moves = repository.moves_of(session, decision.id)
    for move in moves:
        link = entities.link_of(session, Ref(move.source_kind, move.source_id))
        if link is not None and link.entity_id != move.to_entity:
            raise changed_since(
                f"{move.source_kind} {move.source_id} has moved since (it is in {link.entity_id})"
            )
    return moves


def undo(
    session: Session, ctx: Context, *, decision_id: str, actor: Actor, reason: str
) -> tuple[Decision, list[Entity]]:
    """Reverse a merge, split or rejection.

    Raises:
        DecisionNotFound: no such decision.
        DecisionConflict: already undone, an undo itself, or its entities changed since.
    """
    original = repository.get(session, decision_id)
    if original is None:
        raise DecisionNotFound(f"no decision {decision_id}")
    moves = _check_undoable(session, original)
    decision = new_decision(
        session,
        kind="undo",
        decided_by=decider(actor),
        actor=actor,
        reason=reason,
        evidence={"undoes": original.id, "kind": original.kind},
        entity_ids=original.entity_ids,
        undoes=original.id,
    )
    original.undone_by = decision.id
    touched = list(entities.get_many(session, original.entity_ids).values())
    touched.sort(key=lambda e: original.entity_ids.index(e.id))
    for move in reversed(moves):
        ref = Ref(move.source_kind, move.source_id)
        if entities.link_of(session, ref) is None:
            continue  # purged since: nothing to put back
        repository.add_move(
            session,
            DecisionMove(
                decision_id=decision.id,
                source_kind=move.source_kind,
                source_id=move.source_id,
                from_entity=move.to_entity,
                to_entity=move.from_entity,
                prev_match_kind="manual",
                prev_confidence=1.0,
                prev_decided_by=original.decided_by,
            ),
        )
        entities.attach(
            session,
            ref=ref,
            entity_id=move.from_entity,
            match_kind=move.prev_match_kind,
            confidence=move.prev_confidence,
            decided_by=move.prev_decided_by,
        )
    review.reopen(session, decision_id=original.id)
    if original.kind == "merge":
        survivor, losers = touched[0], touched[1:]
        for loser in losers:
            loser.status = "active"
            loser.merged_into = None
        session.flush()
        # The two sides are not one: keep rules from joining them again.
        keep_apart(
            session,
            decision,
            refs_of(session, survivor.id),
            [r for loser in losers for r in refs_of(session, loser.id)],
        )
        action = "split"
    elif original.kind == "split":
        entity, new = touched[0], touched[1]
        repository.deactivate_constraints(session, original.id)
        new.status = "merged"
        new.merged_into = entity.id
        action = "merged"
    else:
        repository.deactivate_constraints(session, original.id)
        session.flush()
        return decision, touched
    session.flush()
    entities.publish(
        session, ctx, entities=touched, action=action, actor=actor, decision_id=decision.id
    )
    return decision, touched

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from crm_resolver.decisions.models import Decision, DecisionEntity, DecisionMove, PairConstraint
from crm_resolver.refs import Ref


def get(session: Session, decision_id: str) -> Decision | None:
    return session.get(Decision, decision_id)


def add(session: Session, decision: Decision, *, entity_ids: Sequence[str]) -> None:
    session.add(decision)
    session.flush()
    session.add_all(DecisionEntity(decision_id=decision.id, entity_id=e) for e in set(entity_ids))


def add_move(session: Session, move: DecisionMove) -> None:
    session.add(move)


def moves_of(session: Session, decision_id: str) -> list[DecisionMove]:
    return list(
        session.scalars(
            select(DecisionMove)
            .where(DecisionMove.decision_id == decision_id)
            .order_by(DecisionMove.id)
        )
    )


def moves_of_many(session: Session, decision_ids: Sequence[str]) -> dict[str, list[DecisionMove]]:
    found: dict[str, list[DecisionMove]] = {d: [] for d in decision_ids}
    if decision_ids:
        rows = session.scalars(
            select(DecisionMove)
            .where(DecisionMove.decision_id.in_(list(decision_ids)))
            .order_by(DecisionMove.id)
        )
        for move in rows:
            found[move.decision_id].append(move)
    return found


def later_on(session: Session, entity_ids: Sequence[str], decision: Decision) -> list[Decision]:
    """Decisions after `decision` on any of the entities, not undone."""
    return list(
        session.scalars(
            select(Decision)
            .where(
                Decision.id.in_(
                    select(DecisionEntity.decision_id).where(
                        DecisionEntity.entity_id.in_(list(entity_ids))
                    )
                ),
                Decision.created_at > decision.created_at,
                Decision.undone_by.is_(None),
                Decision.kind != "undo",
            )
            .order_by(Decision.created_at)
        )
    )


def page(
    session: Session, *, entity_ids: Sequence[str] | None, limit: int, offset: int
) -> tuple[list[Decision], int]:
    query = select(Decision)
    if entity_ids is not None:
        query = query.where(
            Decision.id.in_(
                select(DecisionEntity.decision_id).where(
                    DecisionEntity.entity_id.in_(list(entity_ids))
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Decision.created_at.desc(), Decision.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


def add_constraints(session: Session, decision_id: str, pairs: Sequence[tuple[Ref, Ref]]) -> None:
    session.add_all(
        PairConstraint(
            left_kind=left.kind,
            left_id=left.id,
            right_kind=right.kind,
            right_id=right.id,
            decision_id=decision_id,
            is_active=True,
        )
        for left, right in pairs
    )


def deactivate_constraints(session: Session, decision_id: str) -> None:
    session.execute(
        update(PairConstraint)
        .where(PairConstraint.decision_id == decision_id)
        .values(is_active=False)
    )


def any_constraint(session: Session, ref: Ref, others: Sequence[Ref]) -> bool:
    if not others:
        return False
    chunk = list(others)
    found = session.scalar(
        select(PairConstraint.id)
        .where(
            PairConstraint.is_active.is_(True),
            or_(
                (PairConstraint.left_kind == ref.kind)
                & (PairConstraint.left_id == ref.id)
                & tuple_(PairConstraint.right_kind, PairConstraint.right_id).in_(chunk),
                (PairConstraint.right_kind == ref.kind)
                & (PairConstraint.right_id == ref.id)
                & tuple_(PairConstraint.left_kind, PairConstraint.left_id).in_(chunk),
            ),
        )
        .limit(1)
    )
    return found is not None


def constraints_between(
    session: Session, lefts: Sequence[Ref], rights: Sequence[Ref]
) -> list[PairConstraint]:
    if not lefts or not rights:
        return []
    return list(
        session.scalars(
            select(PairConstraint).where(
                PairConstraint.is_active.is_(True),
                or_(
                    tuple_(PairConstraint.left_kind, PairConstraint.left_id).in_(list(lefts))
                    & tuple_(PairConstraint.right_kind, PairConstraint.right_id).in_(list(rights)),
                    tuple_(PairConstraint.left_kind, PairConstraint.left_id).in_(list(rights))
                    & tuple_(PairConstraint.right_kind, PairConstraint.right_id).in_(list(lefts)),
                ),
            )
        )
    )

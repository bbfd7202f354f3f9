from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select, tuple_
from sqlalchemy.orm import Session

from crm_resolver.graph.models import RelationEvidence
from crm_resolver.refs import Ref


def replace(session: Session, origin: Ref, rows: Iterable[dict[str, Any]]) -> None:
    remove_origin(session, origin)
    values = list(rows)
    if values:
        session.execute(insert(RelationEvidence), values)


def remove_origin(session: Session, origin: Ref) -> None:
    # No ORM bookkeeping to synchronize: evidence rows are never loaded while written.
    session.execute(
        delete(RelationEvidence)
        .where(RelationEvidence.origin_kind == origin.kind, RelationEvidence.origin_id == origin.id)
        .execution_options(synchronize_session=False)
    )


def remove_endpoint(session: Session, ref: Ref) -> None:
    session.execute(
        delete(RelationEvidence).where(
            or_(
                (RelationEvidence.a_kind == ref.kind) & (RelationEvidence.a_id == ref.id),
                (RelationEvidence.b_kind == ref.kind) & (RelationEvidence.b_id == ref.id),
            )
        )
    )


def touching(
    session: Session,
    refs: Sequence[Ref],
    edge_kinds: Sequence[str] | None,
    *,
    other_kind: str | None = None,
) -> list[tuple[RelationEvidence, Ref, Ref]]:
    """Every evidence row with an endpoint in `refs`: the row, that endpoint, and the other one
    (only of `other_kind` when given). A row between two of `refs` comes once from each side."""
    found: list[tuple[RelationEvidence, Ref, Ref]] = []
    mine = set(refs)
    sides = (
        (RelationEvidence.a_kind, RelationEvidence.a_id, RelationEvidence.b_kind),
        (RelationEvidence.b_kind, RelationEvidence.b_id, RelationEvidence.a_kind),
    )
    for start in range(0, len(refs), 200):
        chunk = list(refs[start : start + 200])
        for side_kind, side_id, far_kind in sides:
            query = select(RelationEvidence).where(tuple_(side_kind, side_id).in_(chunk))
            if edge_kinds:
                query = query.where(RelationEvidence.edge_kind.in_(list(edge_kinds)))
            if other_kind is not None:
                query = query.where(far_kind == other_kind)
            for row in session.scalars(query):
                a, b = Ref(row.a_kind, row.a_id), Ref(row.b_kind, row.b_id)
                if a in mine and side_kind is RelationEvidence.a_kind:
                    found.append((row, a, b))
                elif b in mine and side_kind is RelationEvidence.b_kind:
                    found.append((row, b, a))
    return found

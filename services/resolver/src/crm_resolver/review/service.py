"""The review queue: pairs the model finds possibly one entity, for a person to decide.

An item names two source records; the entities it shows are those holding the records now, so
merges and splits elsewhere never leave it pointing at an old id. One item per record pair, ever:
a rejected pair is not proposed again, and an item whose two records came together by another
decision is `superseded`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_common.contracts.resolver import PairScore, ReviewListRequest, ReviewPage
from crm_common.contracts.resolver import ReviewItem as ReviewItemRead
from crm_resolver.context import Context
from crm_resolver.database import utcnow
from crm_resolver.entities import service as entities
from crm_resolver.refs import Ref
from crm_resolver.review import repository
from crm_resolver.review.errors import ReviewItemClosed, ReviewItemNotFound
from crm_resolver.review.models import ReviewItem


def pair_key(left: Ref, right: Ref) -> str:
    return "|".join(sorted((str(left), str(right))))


def propose(
    session: Session,
    *,
    left: Ref,
    left_entity: str,
    right: Ref,
    right_entity: str,
    pair: PairScore,
) -> ReviewItem | None:
    """Queue the pair, unless it was queued before or the two entities already have an open item
    at least as probable (which is then kept)."""
    key = pair_key(left, right)
    if repository.by_pair(session, key) is not None:
        return None
    for item in repository.open_between(session, left_entity, right_entity):
        if item.probability >= pair.probability:
            return None
        item.status = "superseded"
        item.decided_at = utcnow()
        item.decided_by = "rule:better_pair"
    item = ReviewItem(
        status="open",
        pair_key=key,
        left_entity=left_entity,
        right_entity=right_entity,
        left_kind=left.kind,
        left_id=left.id,
        right_kind=right.kind,
        right_id=right.id,
        probability=pair.probability,
        pair=pair.model_dump(mode="json"),
        created_at=utcnow(),
    )
    repository.add(session, item)
    session.flush()
    return item


def get_open(session: Session, item_id: str) -> ReviewItem:
    item = repository.get(session, item_id)
    if item is None:
        raise ReviewItemNotFound(f"no review item {item_id}")
    if item.status != "open":
        raise ReviewItemClosed(f"review item {item_id} is {item.status}", item_status=item.status)
    return item


def close(
    session: Session,
    *,
    item: ReviewItem,
    status: str,
    decision_id: str,
    decided_by: str,
    reason: str,
) -> None:
    item.status = status
    item.decision_id = decision_id
    item.decided_by = decided_by
    item.decided_at = utcnow()
    item.reason = reason
    session.flush()


def reopen(session: Session, *, decision_id: str) -> None:
    """An undone decision puts its items back in the queue."""
    for item in repository.decided_by(session, decision_id):
        item.status = "open"
        item.decision_id = None
        item.decided_by = None
        item.decided_at = None
        item.reason = None
    session.flush()


def supersede_within(session: Session, *, entity_id: str, decision_id: str) -> None:
    """Close the open items whose two records a decision has just put in one entity."""
    for item in repository.open_within(session, entity_id):
        close(
            session,
            item=item,
            status="superseded",
            decision_id=decision_id,
            decided_by="rule:already_one",
            reason="the two records were joined by another decision",
        )


def page(session: Session, ctx: Context, *, request: ReviewListRequest) -> ReviewPage:
    entity_id = (
        entities.current_id(session, request.entity_id) if request.entity_id is not None else None
    )
    rows, total = repository.page(
        session,
        status=request.status,
        entity_id=entity_id,
        limit=request.limit,
        offset=request.offset,
    )
    held = entities.get_many(session, {e for _, a, b in rows for e in (a, b)})
    states = {eid: entities.state(session, ctx, entity) for eid, entity in held.items()}
    return ReviewPage(
        items=[
            ReviewItemRead(
                id=item.id,
                status=item.status,
                left=states[left],
                right=states[right],
                best_pair=PairScore.model_validate(item.pair),
                created_at=item.created_at,
                decided_at=item.decided_at,
                decided_by=item.decided_by,
                decision_id=item.decision_id,
                reason=item.reason,
            )
            for item, left, right in rows
        ],
        total=total,
    )

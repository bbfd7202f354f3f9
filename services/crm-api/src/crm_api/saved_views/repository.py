"""The SQL of saved views."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from crm_api.kit.schemas import Deleted
from crm_api.saved_views.models import SavedView


def get(session: Session, view_id: str) -> SavedView | None:
    return session.get(SavedView, view_id)


def visible(
    session: Session, *, user_id: str, list_key: str | None, deleted: Deleted
) -> list[SavedView]:
    """The user's own views and everyone's shared ones (deleted ones: only the user's own), the
    user's first, each group by position then name."""
    query = select(SavedView)
    if list_key is not None:
        query = query.where(SavedView.list_key == list_key)
    mine = SavedView.owner_id == user_id
    shared_live = (SavedView.is_shared.is_(True)) & SavedView.deleted_at.is_(None)
    if deleted is Deleted.EXCLUDE:
        query = query.where(SavedView.deleted_at.is_(None), or_(mine, SavedView.is_shared))
    elif deleted is Deleted.ONLY:
        query = query.where(mine, SavedView.deleted_at.is_not(None))
    else:
        query = query.where(or_(mine, shared_live))
    order = case((mine, 0), else_=1)
    return list(
        session.scalars(
            query.order_by(
                order, SavedView.list_key, SavedView.position, SavedView.name_key, SavedView.id
            )
        )
    )


def live_with_name(session: Session, *, owner_id: str, list_key: str, name_key: str) -> str | None:
    """The id of the owner's live view of that list whose name casefolds to `name_key`."""
    return session.scalar(
        select(SavedView.id).where(
            SavedView.owner_id == owner_id,
            SavedView.list_key == list_key,
            SavedView.name_key == name_key,
            SavedView.deleted_at.is_(None),
        )
    )


def next_position(session: Session, *, owner_id: str, list_key: str) -> int:
    """One past the last position among the owner's live views of the list."""
    last = session.scalar(
        select(func.max(SavedView.position)).where(
            SavedView.owner_id == owner_id,
            SavedView.list_key == list_key,
            SavedView.deleted_at.is_(None),
        )
    )
    return 0 if last is None else int(last) + 1

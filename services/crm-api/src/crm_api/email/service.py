"""What crm-api adds to gmail-sync's answers: who the team is (its users and their addresses),
and the interaction log of every write a person makes on mail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_api.auth.models import User
from crm_api.interactions import service as interactions
from crm_common.contracts.gmail import TeamMember
from crm_common.db import Database
from crm_common.errors import NotFound, UnprocessableEntity
from crm_common.events import Actor


class UserNotFound(NotFound):
    title = "User not found"
    slug = "not-found"


class NoEmailAddress(UnprocessableEntity):
    title = "The user has no email address"
    slug = "validation"


def team_member(db: Database, *, user_id: str) -> TeamMember:
    """The active user and their address, for gmail-sync.

    Raises:
        UserNotFound: no active user by that id.
        NoEmailAddress: the user has none to sync.
    """
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise UserNotFound(f"no active user {user_id}")
        if not user.email:
            raise NoEmailAddress(
                f"user {user.username} has no email address: set one first", fields=["user_id"]
            )
        return TeamMember(user_id=user.id, email=user.email)


def team(db: Database) -> list[TeamMember]:
    """Every active user with an email address."""
    with db.session() as session:
        users = session.scalars(
            select(User).where(User.is_active.is_(True), User.email.is_not(None)).order_by(User.id)
        )
        return [TeamMember(user_id=u.id, email=u.email) for u in users if u.email]


def user_actor(db: Database, *, user_id: str) -> Actor:
    with db.session() as session:
        user = session.get(User, user_id)
        name = (user.display_name or user.username) if user is not None else user_id
        return Actor(kind="user", id=user_id, name=name)


def log(
    db: Database,
    *,
    actor: Actor,
    action: str,
    channel: str,
    targets: list[tuple[str, str]],
    summary: str,
    payload: Any = None,
    session_id: str | None = None,
) -> None:
    with db.transaction() as session:
        interactions.touch(
            session,
            actor=actor,
            action=action,
            channel=channel,
            targets=targets,
            summary=summary,
            payload=payload,
            session_id=session_id,
        )

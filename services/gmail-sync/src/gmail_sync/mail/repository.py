"""The mail domain's SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, tuple_, update
from sqlalchemy.orm import Session

from gmail_sync.accounts.models import Account
from gmail_sync.mail.models import (
    EmailAttachment,
    EmailLink,
    EmailMessage,
    EmailParticipant,
    EmailSighting,
)


def message(session: Session, email_id: str, *, for_update: bool = False) -> EmailMessage | None:
    """`for_update`: lock its row (PostgreSQL) so that two mailboxes' syncs changing the same
    message take turns, and its versions and outbox rows follow the commit order."""
    return session.get(EmailMessage, email_id, with_for_update=for_update)


def message_by_message_id(
    session: Session, message_id: str, *, for_update: bool = False
) -> EmailMessage | None:
    query = select(EmailMessage).where(EmailMessage.message_id == message_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


def sighting(session: Session, account_id: str, gmail_id: str) -> EmailSighting | None:
    return session.scalar(
        select(EmailSighting).where(
            EmailSighting.account_id == account_id, EmailSighting.gmail_id == gmail_id
        )
    )


def sightings_by_gmail_ids(
    session: Session, account_id: str, gmail_ids: Iterable[str]
) -> dict[str, EmailSighting]:
    ids = list(gmail_ids)
    found: dict[str, EmailSighting] = {}
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(EmailSighting).where(
                EmailSighting.account_id == account_id,
                EmailSighting.gmail_id.in_(ids[start : start + 500]),
            )
        )
        found.update({row.gmail_id: row for row in rows})
    return found


def live_gmail_ids(session: Session, account_id: str) -> set[str]:
    return set(
        session.scalars(
            select(EmailSighting.gmail_id).where(
                EmailSighting.account_id == account_id, EmailSighting.deleted_at.is_(None)
            )
        )
    )


def is_withheld_elsewhere(session: Session, digest: str, *, besides: int | None) -> bool:
    query = select(EmailSighting.id).where(EmailSighting.withheld_hash == digest).limit(1)
    if besides is not None:
        query = query.where(EmailSighting.id != besides)
    return session.scalar(query) is not None


def sightings_of(session: Session, email_id: str) -> list[tuple[EmailSighting, Account]]:
    rows = session.execute(
        select(EmailSighting, Account)
        .join(Account, Account.id == EmailSighting.account_id)
        .where(EmailSighting.email_id == email_id)
        .order_by(EmailSighting.id)
    )
    return [(s, a) for s, a in rows]


def links_of(session: Session, email_id: str) -> list[EmailLink]:
    return list(
        session.scalars(
            select(EmailLink).where(EmailLink.email_id == email_id).order_by(EmailLink.entity_id)
        )
    )


def replace_links(session: Session, email_id: str, links: Sequence[EmailLink]) -> bool:
    """Returns whether the set changed."""
    current = {
        (link.entity_id, link.match_kind, link.address) for link in links_of(session, email_id)
    }
    wanted = {(link.entity_id, link.match_kind, link.address) for link in links}
    if current == wanted:
        return False
    session.execute(delete(EmailLink).where(EmailLink.email_id == email_id))
    session.add_all(links)
    session.flush()
    return True


def attachments_of(session: Session, email_id: str) -> list[EmailAttachment]:
    return list(
        session.scalars(
            select(EmailAttachment)
            .where(EmailAttachment.email_id == email_id)
            .order_by(EmailAttachment.position)
        )
    )


def drop_attachments(session: Session, email_id: str) -> None:
    # The rows describe files of a message that may no longer keep them; the files themselves
    # are content-addressed and may serve other messages.
    session.execute(delete(EmailAttachment).where(EmailAttachment.email_id == email_id))


def related(
    session: Session,
    *,
    message_ids: Sequence[str],
    account_id: str,
    gmail_thread_id: str | None,
) -> list[EmailMessage]:
    """Messages a new one may share a thread with: those it names, those of the same Gmail
    thread in its mailbox, and every message of those messages' threads."""
    conditions = [EmailMessage.message_id.in_(list(message_ids))]
    if gmail_thread_id:
        same_thread = select(EmailSighting.email_id).where(
            EmailSighting.account_id == account_id,
            EmailSighting.gmail_thread_id == gmail_thread_id,
            EmailSighting.email_id.is_not(None),
        )
        conditions.append(EmailMessage.id.in_(same_thread))
    direct = list(session.scalars(select(EmailMessage).where(or_(*conditions))))
    keys = {m.thread_key for m in direct}
    if not keys:
        return direct
    return list(
        session.scalars(select(EmailMessage).where(EmailMessage.thread_key.in_(sorted(keys))))
    )


def first_sightings(
    session: Session, email_ids: Sequence[str]
) -> dict[str, tuple[str | None, str]]:
    """email id → (Gmail thread id, mailbox address) of its first sighting."""
    rows = session.execute(
        select(EmailSighting.email_id, EmailSighting.gmail_thread_id, Account.email)
        .join(Account, Account.id == EmailSighting.account_id)
        .where(EmailSighting.email_id.in_(list(email_ids)))
        .order_by(EmailSighting.id)
    )
    found: dict[str, tuple[str | None, str]] = {}
    for email_id, thread_id, mailbox in rows:
        if email_id is not None:
            found.setdefault(email_id, (thread_id, mailbox))
    return found


def of_entity(
    session: Session, *, entity_id: str, after: tuple[datetime, str] | None, limit: int
) -> list[EmailMessage]:
    query = (
        select(EmailMessage)
        .join(EmailLink, EmailLink.email_id == EmailMessage.id)
        .where(
            EmailLink.entity_id == entity_id,
            EmailMessage.is_matched.is_(True),
            EmailMessage.deleted_at.is_(None),
            EmailMessage.private_at.is_(None),
        )
        .order_by(EmailMessage.sent_at.desc(), EmailMessage.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(EmailMessage.sent_at, EmailMessage.id) < after)
    return list(session.scalars(query))


def replace_participants(session: Session, email_id: str, addresses: Iterable[str]) -> None:
    session.execute(delete(EmailParticipant).where(EmailParticipant.email_id == email_id))
    session.add_all(
        EmailParticipant(email_id=email_id, address=a, domain=a.rpartition("@")[2][:255])
        for a in sorted({a for a in addresses if 3 <= len(a) <= 320})
    )
    session.flush()


def linked_to(session: Session, entity_id: str) -> list[EmailLink]:
    return list(session.scalars(select(EmailLink).where(EmailLink.entity_id == entity_id)))


def naming(session: Session, *, addresses: Sequence[str], domains: Sequence[str]) -> set[str]:
    """Ids of live, non-private messages naming one of `addresses` or a participant at one of
    `domains`."""
    conditions = []
    if addresses:
        conditions.append(EmailParticipant.address.in_(list(addresses)))
    if domains:
        conditions.append(EmailParticipant.domain.in_(list(domains)))
    if not conditions:
        return set()
    return set(
        session.scalars(
            select(EmailParticipant.email_id)
            .join(EmailMessage, EmailMessage.id == EmailParticipant.email_id)
            .where(
                or_(*conditions),
                EmailMessage.deleted_at.is_(None),
                EmailMessage.private_at.is_(None),
            )
        )
    )


def flag_for_rematch(session: Session, email_ids: Iterable[str] | None) -> int:
    """Flag the messages (every live one when None); returns how many."""
    query = update(EmailMessage).where(
        EmailMessage.deleted_at.is_(None), EmailMessage.private_at.is_(None)
    )
    if email_ids is not None:
        ids = list(email_ids)
        if not ids:
            return 0
        query = query.where(EmailMessage.id.in_(ids))
    result = session.execute(query.values(needs_rematch=True))
    return int(getattr(result, "rowcount", 0) or 0)


def to_rematch(session: Session, account_id: str, *, limit: int) -> list[str]:
    """Gmail ids, in `account_id`'s mailbox, of flagged messages."""
    return list(
        session.scalars(
            select(EmailSighting.gmail_id)
            .join(EmailMessage, EmailMessage.id == EmailSighting.email_id)
            .where(
                EmailSighting.account_id == account_id,
                EmailSighting.deleted_at.is_(None),
                EmailMessage.needs_rematch.is_(True),
            )
            .order_by(EmailSighting.id)
            .limit(limit)
        )
    )


def drop_participants(session: Session, email_id: str) -> None:
    session.execute(delete(EmailParticipant).where(EmailParticipant.email_id == email_id))

"""Storing what the sync fetched, under the privacy rules, and publishing each change.

One canonical `EmailMessage` per RFC Message-ID (synthetic where missing), one `EmailSighting`
per (mailbox, Gmail id): both are upserts, so a page fetched twice (a crash, a duplicate page)
changes nothing. Every change ends in `publish`, which writes `gmail.message.<action>` with the
message's full state to the outbox in the same transaction, and only when that state differs
from the last one published (`state_hash`): one event per change, the version growing by one.

Services never commit: the sync's transaction (one per page) does.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from crm_common.contracts.gmail import EmailAddress, EmailEntityLink, GmailMessageData
from crm_common.contracts.resolver import EntityState
from crm_common.events import Actor
from crm_common.outbox import record_change
from gmail_sync.accounts.service import AccountRef
from gmail_sync.database import utcnow
from gmail_sync.mail import privacy, repository
from gmail_sync.mail.errors import MessageNotFound
from gmail_sync.mail.models import EmailAttachment, EmailLink, EmailMessage, EmailSighting
from gmail_sync.matching.service import Match, is_crm_entity
from gmail_sync.messages import (
    Address,
    AttachmentStore,
    AttachmentTooLarge,
    ParsedMessage,
    ThreadRef,
    assign_thread_keys,
    synthetic_message_id,
    thread_key,
)

logger = logging.getLogger(__name__)

SOURCE = "/gmail-sync"
SERVICE_ACTOR = Actor(kind="service", id="gmail-sync", name="gmail-sync")
UNKNOWN_SENDER = "(unknown)"  # not an address: consumers fall back to the mailbox's owner

Outcome = Literal["created", "updated", "unchanged", "withheld"]


@dataclass(frozen=True)
class Fetched:
    """One Gmail message as the API gave it, parsed."""

    gmail_id: str
    gmail_thread_id: str | None
    label_ids: tuple[str, ...]
    internal_date: datetime | None
    parsed: ParsedMessage


@dataclass(frozen=True)
class MailContext:
    rules: privacy.PrivacyRules
    store: AttachmentStore


def canonical_id(fetched: Fetched, account: AccountRef) -> str:
    return fetched.parsed.message_id or synthetic_message_id(
        gmail_id=fetched.gmail_id, mailbox=account.email
    )


def ingest(
    session: Session,
    ctx: MailContext,
    *,
    account: AccountRef,
    fetched: Fetched,
    excluded_label_ids: frozenset[str],
    matches: Mapping[str, Sequence[Match]],
) -> Outcome:
    """Store one fetched message as `account` holds it, and publish what changed."""
    message_id = canonical_id(fetched, account)
    digest = privacy.message_hash(message_id)
    sighting = repository.sighting(session, account.id, fetched.gmail_id)
    addresses = privacy.participants(fetched.parsed)
    reason: str | None = None
    if ctx.rules.is_label_excluded(fetched.label_ids, excluded_label_ids):
        reason = privacy.LABEL
    elif ctx.rules.is_address_excluded(addresses):
        reason = privacy.ADDRESS
    elif repository.is_withheld_elsewhere(
        session, digest, besides=sighting.id if sighting is not None else None
    ):
        reason = privacy.ELSEWHERE
    if reason is not None:
        withhold(
            session,
            account=account,
            gmail_id=fetched.gmail_id,
            message_id=message_id,
            reason=reason,
        )
        return "withheld"

    parsed = fetched.parsed
    message = repository.message_by_message_id(session, message_id, for_update=True)
    is_new = message is None
    if message is None:
        message = EmailMessage(
            message_id=message_id,
            thread_key=thread_key(message_id),
            sent_at=parsed.sent_at or fetched.internal_date or utcnow(),
            first_user_id=account.user_id,
        )
        _set_headers(message, parsed)
        repository.add(session, message)
        repository.replace_participants(session, message.id, addresses)
    elif message.deleted_at is not None and message.private_at is None:
        # Seen again in a mailbox: back, with the headers a retraction may have scrubbed.
        message.deleted_at = None
        _set_headers(message, parsed)
        repository.replace_participants(session, message.id, addresses)

    if sighting is None:
        sighting = EmailSighting(account_id=account.id, gmail_id=fetched.gmail_id)
        session.add(sighting)
    sighting.email_id = message.id
    sighting.gmail_thread_id = fetched.gmail_thread_id
    sighting.labels = sorted(fetched.label_ids)
    sighting.internal_date = fetched.internal_date
    sighting.withheld_reason = None
    sighting.withheld_hash = None
    sighting.deleted_at = None
    sighting.updated_at = utcnow()
    session.flush()

    if message.private_at is None:
        _apply_matches(session, ctx, message, parsed, addresses, matches)
    message.needs_rematch = False
    _rethread(session, message, account=account, fetched=fetched)
    published = publish(session, message)
    if is_new:
        return "created"
    return "updated" if published else "unchanged"


def _set_headers(message: EmailMessage, parsed: ParsedMessage) -> None:
    message.in_reply_to = parsed.in_reply_to
    message.references = list(parsed.references)
    message.subject = parsed.subject[:2000]
    message.sender = _address(parsed.sender[0]) if parsed.sender else None
    message.to = [_address(a) for a in parsed.to]
    message.cc = [_address(a) for a in parsed.cc]
    message.defects = list(parsed.defects)


def _address(address: Address) -> dict[str, Any]:
    return {"address": address.address, "name": address.name}


def _apply_matches(
    session: Session,
    ctx: MailContext,
    message: EmailMessage,
    parsed: ParsedMessage,
    addresses: Sequence[str],
    matches: Mapping[str, Sequence[Match]],
) -> None:
    best: dict[str, Match] = {}
    for address in addresses:
        for match in matches.get(address, ()):
            held = best.get(match.entity_id)
            if held is None or match.confidence > held.confidence:
                best[match.entity_id] = match
    links = [
        EmailLink(
            email_id=message.id,
            entity_id=m.entity_id,
            entity_kind=m.entity_kind,
            address=m.address,
            match_kind=m.match_kind,
            confidence=m.confidence,
        )
        for m in best.values()
    ]
    repository.replace_links(session, message.id, links)
    message.is_matched = bool(links)
    if message.is_matched:
        message.body_text = parsed.body_text
        message.body_html = parsed.body_html
        message.searchable_text = parsed.searchable_text
        if not repository.attachments_of(session, message.id):
            _store_attachments(session, ctx, message, parsed)
    else:
        _forget_content(session, message)


def _store_attachments(
    session: Session, ctx: MailContext, message: EmailMessage, parsed: ParsedMessage
) -> None:
    for position, attachment in enumerate(parsed.attachments):
        is_stored = False
        if attachment.content is not None and not attachment.is_too_large:
            try:
                ctx.store.put(attachment.content)
                is_stored = True
            except AttachmentTooLarge:
                logger.info("attachment of %s over the cap; only its hash is kept", message.id)
        session.add(
            EmailAttachment(
                email_id=message.id,
                position=position,
                sha256=attachment.sha256,
                filename=(attachment.filename or None) and attachment.filename[:1000],
                content_type=attachment.content_type[:255],
                size=attachment.size,
                is_too_large=attachment.is_too_large,
                is_stored=is_stored,
            )
        )
    session.flush()


def _forget_content(session: Session, message: EmailMessage) -> None:
    message.body_text = None
    message.body_html = None
    message.searchable_text = None
    repository.drop_attachments(session, message.id)


def _rethread(
    session: Session, message: EmailMessage, *, account: AccountRef, fetched: Fetched
) -> None:
    """Key the message's thread, and re-key the messages it joins (see messages/threads.py)."""
    lineage = [message.message_id, *message.references]
    if message.in_reply_to:
        lineage.append(message.in_reply_to)
    group = {
        m.id: m
        for m in repository.related(
            session,
            message_ids=lineage,
            account_id=account.id,
            gmail_thread_id=fetched.gmail_thread_id,
        )
    }
    group[message.id] = message
    places = repository.first_sightings(session, list(group))
    refs = []
    for member in group.values():
        gmail_thread, mailbox = places.get(member.id, (None, ""))
        refs.append(
            ThreadRef(
                message_id=member.message_id,
                in_reply_to=member.in_reply_to,
                references=tuple(member.references),
                gmail_thread_id=gmail_thread,
                mailbox=mailbox,
            )
        )
    keys = assign_thread_keys(refs)
    for member in group.values():
        key = keys[member.message_id]
        if member.thread_key != key:
            member.thread_key = key
            if member is not message:
                publish(session, member)


def withhold(
    session: Session, *, account: AccountRef, gmail_id: str, message_id: str, reason: str
) -> None:
    """Keep only what dedup needs of a message a privacy rule covers, and retract it if it was
    stored: every sighting of it is withheld, its content and links dropped, its headers
    scrubbed, and a `deleted` event tells consumers to forget it."""
    digest = privacy.message_hash(message_id)
    sighting = repository.sighting(session, account.id, gmail_id)
    if sighting is None:
        sighting = EmailSighting(account_id=account.id, gmail_id=gmail_id)
        session.add(sighting)
    _withhold_sighting(sighting, digest, reason)
    message = repository.message_by_message_id(session, message_id, for_update=True)
    if message is not None:
        for other, _account in repository.sightings_of(session, message.id):
            _withhold_sighting(other, digest, privacy.ELSEWHERE)
        retract(session, message)
    session.flush()


def _withhold_sighting(sighting: EmailSighting, digest: str, reason: str) -> None:
    sighting.email_id = None
    sighting.gmail_thread_id = None
    sighting.labels = []
    sighting.withheld_reason = reason
    sighting.withheld_hash = digest
    sighting.deleted_at = None
    sighting.updated_at = utcnow()


def retract(session: Session, message: EmailMessage) -> None:
    """Drop everything a privacy rule forbids keeping, and publish the deletion."""
    _forget_content(session, message)
    repository.replace_links(session, message.id, [])
    repository.drop_participants(session, message.id)
    message.is_matched = False
    message.needs_rematch = False
    message.subject = ""
    message.sender = None
    message.to = []
    message.cc = []
    message.deleted_at = message.deleted_at or utcnow()
    session.flush()
    publish(session, message)


def relabel(
    session: Session,
    *,
    account: AccountRef,
    gmail_id: str,
    label_ids: Sequence[str],
    excluded_label_ids: frozenset[str],
) -> bool:
    """Apply a sighting's current labels. Returns True when the message must be fetched whole
    (unknown here, or no longer under an excluded label)."""
    sighting = repository.sighting(session, account.id, gmail_id)
    if sighting is None:
        return True
    is_excluded = bool(set(label_ids) & excluded_label_ids)
    if sighting.email_id is None:
        return sighting.withheld_reason == privacy.LABEL and not is_excluded
    message = repository.message(session, sighting.email_id, for_update=True)
    assert message is not None
    if is_excluded:
        withhold(
            session,
            account=account,
            gmail_id=gmail_id,
            message_id=message.message_id,
            reason=privacy.LABEL,
        )
        return False
    sighting.labels = sorted(label_ids)
    sighting.deleted_at = None
    sighting.updated_at = utcnow()
    session.flush()
    publish(session, message)
    return False


def remove_sighting(session: Session, *, account: AccountRef, gmail_id: str) -> bool:
    """The message left `account`'s mailbox; it is deleted once no mailbox holds it. Returns
    whether anything changed."""
    sighting = repository.sighting(session, account.id, gmail_id)
    if sighting is None or sighting.deleted_at is not None:
        return False
    sighting.deleted_at = utcnow()
    sighting.updated_at = utcnow()
    session.flush()
    if sighting.email_id is None:
        return True
    message = repository.message(session, sighting.email_id, for_update=True)
    assert message is not None
    if not any(s.deleted_at is None for s, _ in repository.sightings_of(session, message.id)):
        message.deleted_at = utcnow()
    return publish(session, message)


def mark_private(session: Session, *, email_id: str, user_id: str) -> EmailMessage:
    """A person marks a message private: its content goes and it is retracted everywhere.

    Raises:
        MessageNotFound: no such message.
    """
    message = repository.message(session, email_id, for_update=True)
    if message is None:
        raise MessageNotFound(f"no message {email_id}")
    if message.private_at is None:
        message.private_at = utcnow()
        message.private_by = user_id
        _forget_content(session, message)
        repository.replace_links(session, message.id, [])
        repository.drop_participants(session, message.id)
        message.is_matched = False
        message.needs_rematch = False
        session.flush()
        publish(session, message)
    return message


# -- re-matching when the resolver's entities change ----------------------------------------------


def follow_merge(session: Session, *, merged_id: str, survivor_id: str) -> int:
    """Links to an entity merged away now point at the survivor; returns the messages changed."""
    changed = 0
    for link in repository.linked_to(session, merged_id):
        message = repository.message(session, link.email_id, for_update=True)
        assert message is not None
        held = {other.entity_id: other for other in repository.links_of(session, message.id)}
        moved = [
            EmailLink(
                email_id=other.email_id,
                entity_id=survivor_id if other.entity_id == merged_id else other.entity_id,
                entity_kind=other.entity_kind,
                address=other.address,
                match_kind=other.match_kind,
                confidence=other.confidence,
            )
            for other in held.values()
            if not (other.entity_id == merged_id and survivor_id in held)
        ]
        repository.replace_links(session, message.id, moved)
        changed += int(publish(session, message))
    return changed


def flag_for_entity(session: Session, *, entity: EntityState) -> int:
    """Flag for re-matching the messages whose links to `entity` its new state would change:
    those naming its addresses (a person) or domains (an organization) but not linked to it,
    and those linked to it that no longer should be. Returns how many were flagged.

    Only the candidates are chosen here: the next sync fetches them again and asks the resolver,
    which stays the only judge of a match (a message that now matches needs its body fetched
    anyway)."""
    is_crm = is_crm_entity(entity)
    addresses = [a.lower() for a in entity.emails] if is_crm and entity.kind == "person" else []
    domains = (
        [d.lower() for d in entity.domains] if is_crm and entity.kind == "organization" else []
    )
    wanted = repository.naming(session, addresses=addresses, domains=domains)
    current = {link.email_id for link in repository.linked_to(session, entity.id)}
    return repository.flag_for_rematch(session, sorted(wanted ^ current))


def flag_all(session: Session) -> int:
    """Every live message is matched afresh on its next sync (a person's "rematch")."""
    return repository.flag_for_rematch(session, None)


# -- state and events -----------------------------------------------------------------------------


def _valid_addresses(values: Sequence[dict[str, Any]]) -> list[EmailAddress]:
    found = []
    for value in values:
        try:
            found.append(
                EmailAddress(
                    address=value["address"],
                    name=(value.get("name") or None) and value["name"][:300],
                )
            )
        except ValidationError:
            continue  # an address no consumer could use (empty, over 320 characters)
    return found


def state(session: Session, message: EmailMessage) -> GmailMessageData:
    """The message's full state, as the events and the endpoints give it."""
    sightings = repository.sightings_of(session, message.id)
    live = [(s, a) for s, a in sightings if s.deleted_at is None]
    owners = list(dict.fromkeys(a.user_id for _, a in live))
    labels = sorted({label for s, _ in live for label in s.labels})
    sender = _valid_addresses([message.sender]) if message.sender else []
    links = [
        EmailEntityLink(
            entity_id=link.entity_id,
            entity_kind=link.entity_kind,
            address=link.address,
            match_kind=link.match_kind,
            confidence=link.confidence,
        )
        for link in repository.links_of(session, message.id)
    ]
    deleted_at = message.deleted_at or message.private_at
    return GmailMessageData(
        id=message.id,
        message_id=message.message_id[:998],
        thread_id=message.thread_key,
        sent_at=message.sent_at,
        subject=message.subject,
        from_=sender[0] if sender else EmailAddress(address=UNKNOWN_SENDER),
        to=_valid_addresses(message.to),
        cc=_valid_addresses(message.cc),
        mailbox_user_id=owners[0] if owners else message.first_user_id,
        deleted_at=deleted_at,
        mailbox_user_ids=owners,
        labels=labels,
        links=links,
        is_private=message.private_at is not None,
        has_attachments=bool(repository.attachments_of(session, message.id)),
    )


def publish(session: Session, message: EmailMessage) -> bool:
    """Write the message's event to the outbox if its state changed; returns whether it did."""
    data = state(session, message)
    payload = data.model_dump(mode="json", by_alias=True)
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    if digest == message.state_hash:
        return False
    if message.version == 0 and data.deleted_at is not None:
        message.state_hash = digest  # never published: nothing to retract
        return False
    message.version += 1
    message.state_hash = digest
    message.updated_at = utcnow()
    if message.version == 1:
        action = "created"
    elif data.deleted_at is not None:
        action = "deleted"
    else:
        action = "updated"
    record_change(
        session,
        source=SOURCE,
        event_type=f"gmail.message.{action}",
        aggregate_id=message.id,
        version=message.version,
        data=payload,
        actor=SERVICE_ACTOR,
    )
    return True


def get(session: Session, *, email_id: str) -> EmailMessage:
    """Raises:
    MessageNotFound: no such message.
    """
    message = repository.message(session, email_id, for_update=True)
    if message is None:
        raise MessageNotFound(f"no message {email_id}")
    return message


def withdraw_mailbox(session: Session, *, account: AccountRef) -> int:
    """A person opted their mailbox out: every sighting in it goes, and the messages no other
    mailbox holds are deleted (events). Returns how many sightings went."""
    gone = 0
    for gmail_id in sorted(repository.live_gmail_ids(session, account.id)):
        gone += int(remove_sighting(session, account=account, gmail_id=gmail_id))
    return gone

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from crm_resolver.refs import Ref
from crm_resolver.sources.models import (
    BlockKey,
    ParticipantSighting,
    SourceDomain,
    SourceEmail,
    SourceRecord,
    TeamMember,
)

_INDEXES = (SourceEmail, SourceDomain, BlockKey)


def get(session: Session, ref: Ref) -> SourceRecord | None:
    return session.get(SourceRecord, (ref.kind, ref.id))


def get_many(session: Session, refs: Iterable[Ref]) -> dict[Ref, SourceRecord]:
    wanted = list(set(refs))
    found: dict[Ref, SourceRecord] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.scalars(
            select(SourceRecord).where(
                tuple_(SourceRecord.source_kind, SourceRecord.source_id).in_(chunk)
            )
        )
        found.update({Ref(r.source_kind, r.source_id): r for r in rows})
    return found


def add(session: Session, record: SourceRecord) -> None:
    session.add(record)


def delete_record(session: Session, ref: Ref) -> None:
    clear_indexes(session, ref)
    session.execute(
        delete(SourceRecord).where(
            SourceRecord.source_kind == ref.kind, SourceRecord.source_id == ref.id
        )
    )


def clear_indexes(session: Session, ref: Ref) -> None:
    for table in _INDEXES:
        session.execute(
            delete(table).where(table.source_kind == ref.kind, table.source_id == ref.id)
        )


def write_indexes(
    session: Session,
    ref: Ref,
    *,
    emails: Iterable[str],
    domains: Iterable[str],
    keys: Iterable[str],
) -> None:
    session.add_all(SourceEmail(email=e, source_kind=ref.kind, source_id=ref.id) for e in emails)
    session.add_all(SourceDomain(domain=d, source_kind=ref.kind, source_id=ref.id) for d in domains)
    session.add_all(BlockKey(key=k, source_kind=ref.kind, source_id=ref.id) for k in keys)


def holders_of_emails(session: Session, emails: Sequence[str]) -> list[tuple[str, Ref]]:
    if not emails:
        return []
    rows = session.execute(
        select(SourceEmail.email, SourceEmail.source_kind, SourceEmail.source_id)
        .where(SourceEmail.email.in_(emails))
        .order_by(SourceEmail.email, SourceEmail.source_kind, SourceEmail.source_id)
    )
    return [(email, Ref(kind, sid)) for email, kind, sid in rows]


def holders_of_domains(
    session: Session, domains: Sequence[str], *, kind: str | None = None
) -> list[tuple[str, Ref]]:
    if not domains:
        return []
    query = select(SourceDomain.domain, SourceDomain.source_kind, SourceDomain.source_id).where(
        SourceDomain.domain.in_(domains)
    )
    if kind is not None:
        query = query.where(SourceDomain.source_kind == kind)
    rows = session.execute(
        query.order_by(SourceDomain.domain, SourceDomain.source_kind, SourceDomain.source_id)
    )
    return [(domain, Ref(k, sid)) for domain, k, sid in rows]


def block_partners(session: Session, keys: Sequence[str], *, max_block_size: int) -> list[Ref]:
    """The records sharing a key of `keys`, leaving out keys shared by too many records."""
    if not keys:
        return []
    sizes = session.execute(
        select(BlockKey.key, func.count()).where(BlockKey.key.in_(keys)).group_by(BlockKey.key)
    )
    usable = [key for key, count in sizes if count <= max_block_size]
    if not usable:
        return []
    rows = session.execute(
        select(BlockKey.source_kind, BlockKey.source_id)
        .where(BlockKey.key.in_(usable))
        .distinct()
        .order_by(BlockKey.source_kind, BlockKey.source_id)
    )
    return [Ref(kind, sid) for kind, sid in rows]


def dependents_of(session: Session, anchor: Ref) -> list[SourceRecord]:
    return list(
        session.scalars(
            select(SourceRecord).where(
                SourceRecord.anchor_kind == anchor.kind, SourceRecord.anchor_id == anchor.id
            )
        )
    )


# -- email sightings ----------------------------------------------------------------------------


def sightings_of_message(session: Session, message_id: str) -> list[ParticipantSighting]:
    return list(
        session.scalars(
            select(ParticipantSighting).where(ParticipantSighting.message_id == message_id)
        )
    )


def messages_of(session: Session, addresses: Sequence[str]) -> list[str]:
    if not addresses:
        return []
    return list(
        session.scalars(
            select(ParticipantSighting.message_id)
            .where(ParticipantSighting.address.in_(addresses))
            .distinct()
        )
    )


def latest_sighting(session: Session, address: str) -> ParticipantSighting | None:
    return session.scalars(
        select(ParticipantSighting)
        .where(ParticipantSighting.address == address)
        .order_by(ParticipantSighting.seen_at.desc(), ParticipantSighting.message_id.desc())
        .limit(1)
    ).first()


def delete_sightings(session: Session, message_id: str, addresses: Iterable[str]) -> None:
    chosen = list(addresses)
    if chosen:
        session.execute(
            delete(ParticipantSighting).where(
                ParticipantSighting.message_id == message_id,
                ParticipantSighting.address.in_(chosen),
            )
        )


def delete_sightings_of_address(session: Session, address: str) -> None:
    session.execute(delete(ParticipantSighting).where(ParticipantSighting.address == address))


# -- team members -------------------------------------------------------------------------------


def team_member(session: Session, user_id: str) -> TeamMember | None:
    return session.get(TeamMember, user_id)


def team_members(session: Session, user_ids: Iterable[str]) -> dict[str, TeamMember]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(TeamMember).where(TeamMember.id.in_(ids)))}


def team_by_email(session: Session, emails: Sequence[str]) -> dict[str, TeamMember]:
    if not emails:
        return {}
    rows = session.scalars(select(TeamMember).where(TeamMember.email.in_(emails)))
    return {m.email: m for m in rows if m.email}

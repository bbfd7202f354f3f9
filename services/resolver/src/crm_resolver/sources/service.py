"""Keeping the resolver's copy of each source record, and the indexes resolution searches.

A record's `attrs` hold what matching compares, already normalized: for a person `first`,
`last`, `emails`, `phones`, `city`, `org_ids` (its affiliations); for an organization `name`
(legal forms dropped) and `domains`. Storing the same state twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_resolver.comparison.normalize import (
    ROLE_LOCAL_PARTS,
    email_domain,
    email_local,
    fold,
    normalize_domain,
    normalize_email,
    org_name_key,
    person_name,
    phone_key,
    phonetic,
)
from crm_resolver.context import Context
from crm_resolver.database import utcnow
from crm_resolver.refs import Ref
from crm_resolver.sources import repository
from crm_resolver.sources.models import ParticipantSighting, SourceRecord, TeamMember

EMAIL_MESSAGE = "email_message"


@dataclass(frozen=True)
class Stored:
    record: SourceRecord
    is_new: bool  # the resolver had never seen the record
    changed: bool  # what it knows of the record changed


# -- turning source states into what matching compares ------------------------------------------


def contact_attrs(state: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(label, attrs) of a `crm.contact.*` state."""
    name = person_name(first=state.get("first_name"), last=state.get("last_name"))
    emails = sorted(
        {e for e in (normalize_email(item.get("email")) for item in state.get("emails") or []) if e}
    )
    phones = sorted(
        {p for p in (phone_key(item.get("number")) for item in state.get("phones") or []) if p}
    )
    org_ids = sorted(
        {a["organization_id"] for a in state.get("affiliations") or [] if a.get("organization_id")}
    )
    label = " ".join(
        part for part in (state.get("first_name"), state.get("last_name")) if part
    ).strip()
    return label, {
        "first": name.first,
        "last": name.last,
        "emails": emails,
        "phones": phones,
        "city": fold(state.get("city")) or None,
        "org_ids": org_ids,
    }


def organization_attrs(state: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    domains = {normalize_domain(d) for d in state.get("domains") or []}
    domains.add(normalize_domain(state.get("website")))
    return str(state.get("name") or ""), {
        "name": org_name_key(state.get("name")),
        "domains": sorted(d for d in domains if d),
    }


def participant_attrs(address: str, display: str | None) -> tuple[str, dict[str, Any]]:
    name = person_name(display=display)
    return display or address, {
        "first": name.first,
        "last": name.last,
        "emails": [address],
        "phones": [],
        "city": None,
        "org_ids": [],
    }


def _suffixes(domain: str) -> list[str]:
    """harbor.example and its parents down to two labels: a mail host belongs to its parent."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def person_domains(ctx: Context, emails: Iterable[str]) -> list[str]:
    """The email domains that say where someone works (free mail left out)."""
    return sorted({email_domain(e) for e in emails if email_domain(e) not in ctx.free_mail})


def _indexes(
    ctx: Context, ref: Ref, entity_kind: str | None, attrs: Mapping[str, Any]
) -> tuple[list[str], list[str], list[str]]:
    """(emails, domains, blocking keys) of a record."""
    if entity_kind == "person":
        emails = list(attrs.get("emails") or [])
        domains = sorted({s for d in person_domains(ctx, emails) for s in _suffixes(d)})
        keys: set[str] = set()
        # Email participants only match by address (exact email), so they block nothing.
        if ref.kind != "email_participant":
            first, last = attrs.get("first") or "", attrs.get("last") or ""
            if last:
                initials = {first[:1]} | {g[:1] for g in ctx.nicknames.groups(first)}
                keys.update(f"p:{phonetic(last)}:{i}" for i in initials)
                if first:  # the same person with given name and surname swapped
                    keys.add(f"p:{phonetic(first)}:{last[:1]}")
            for email in emails:
                local = email_local(email)
                if len(local) >= 5 and local not in ROLE_LOCAL_PARTS:
                    keys.add(f"e:{local}")
        return emails, domains, sorted(keys)
    if entity_kind == "organization":
        domains = [d for d in attrs.get("domains") or [] if d not in ctx.free_mail]
        tokens = str(attrs.get("name") or "").split()
        keys = {f"o:{phonetic(tokens[0])}"} if tokens else set()
        return [], domains, sorted(keys)
    return [], [], []


def _clean(value: Any) -> Any:
    """Without NUL characters: PostgreSQL stores none, and they say nothing about anyone."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def store(
    session: Session,
    ctx: Context,
    *,
    ref: Ref,
    entity_kind: str | None,
    label: str,
    attrs: dict[str, Any],
    is_live: bool,
    anchor: Ref | None = None,
) -> Stored:
    """Insert or update the resolver's copy of a record and its indexes."""
    label, attrs = _clean(label), _clean(attrs)
    record = repository.get(session, ref)
    if record is not None and (
        record.attrs == attrs
        and record.is_live == is_live
        and record.label == label
        and record.entity_kind == entity_kind
        and (record.anchor_kind, record.anchor_id) == (anchor or (None, None))
    ):
        return Stored(record=record, is_new=False, changed=False)
    is_new = record is None
    if record is None:
        record = SourceRecord(source_kind=ref.kind, source_id=ref.id, first_seen_at=utcnow())
        repository.add(session, record)
    record.entity_kind = entity_kind
    record.anchor_kind = anchor.kind if anchor else None
    record.anchor_id = anchor.id if anchor else None
    record.label = label[:400]
    record.attrs = attrs
    record.is_live = is_live
    record.updated_at = utcnow()
    session.flush()
    repository.clear_indexes(session, ref)
    if is_live:
        emails, domains, keys = _indexes(ctx, ref, entity_kind, attrs)
        repository.write_indexes(session, ref, emails=emails, domains=domains, keys=keys)
    session.flush()
    return Stored(record=record, is_new=is_new, changed=True)


def remove(session: Session, ref: Ref) -> SourceRecord | None:
    """Forget a purged record; returns what was known of it."""
    record = repository.get(session, ref)
    repository.delete_record(session, ref)
    session.flush()
    return record


def get(session: Session, ref: Ref) -> SourceRecord | None:
    return repository.get(session, ref)


def get_many(session: Session, refs: Iterable[Ref]) -> dict[Ref, SourceRecord]:
    return repository.get_many(session, refs)


def holders_of_emails(session: Session, emails: list[str]) -> list[tuple[str, Ref]]:
    return repository.holders_of_emails(session, emails)


def organizations_with_domains(session: Session, domains: list[str]) -> list[tuple[str, Ref]]:
    return repository.holders_of_domains(session, domains, kind="organization")


def holders_of_domains(session: Session, domains: list[str]) -> list[tuple[str, Ref]]:
    return repository.holders_of_domains(session, domains)


def block_partners(session: Session, ctx: Context, keys: list[str]) -> list[Ref]:
    return repository.block_partners(session, keys, max_block_size=ctx.settings.max_block_size)


def blocking_keys(ctx: Context, entity_kind: str, attrs: Mapping[str, Any]) -> list[str]:
    """The blocking keys of a CRM record of that kind (what `block_key` holds for it)."""
    return _indexes(ctx, Ref("contact", ""), entity_kind, attrs)[2]


def block_keys_of(session: Session, ctx: Context, record: SourceRecord) -> list[str]:
    ref = Ref(record.source_kind, record.source_id)
    return _indexes(ctx, ref, record.entity_kind, record.attrs)[2]


def domain_index(ctx: Context, record: SourceRecord) -> list[str]:
    """The domains the record is indexed under (see `_indexes`)."""
    ref = Ref(record.source_kind, record.source_id)
    return _indexes(ctx, ref, record.entity_kind, record.attrs)[1]


def dependents_of(session: Session, anchor: Ref) -> list[SourceRecord]:
    return repository.dependents_of(session, anchor)


# -- email participants -------------------------------------------------------------------------


def record_sightings(
    session: Session, *, message_id: str, seen_at: datetime, names: Mapping[str, str | None]
) -> set[str]:
    """Make `names` (address -> display name) the participants of a message; returns every
    address whose sightings changed (added or dropped)."""
    current = {s.address: s for s in repository.sightings_of_message(session, message_id)}
    dropped = set(current) - set(names)
    repository.delete_sightings(session, message_id, dropped)
    changed = set(dropped)
    for address, name in names.items():
        sighting = current.get(address)
        if sighting is None:
            session.add(
                ParticipantSighting(
                    address=address, message_id=message_id, name=name, seen_at=seen_at
                )
            )
            changed.add(address)
        elif sighting.name != name or sighting.seen_at != seen_at:
            sighting.name = name
            sighting.seen_at = seen_at
            changed.add(address)
    session.flush()
    return changed


def drop_message_sightings(session: Session, message_id: str) -> set[str]:
    addresses = {s.address for s in repository.sightings_of_message(session, message_id)}
    repository.delete_sightings(session, message_id, addresses)
    session.flush()
    return addresses


def latest_name(session: Session, address: str) -> tuple[bool, str | None]:
    """(seen in any message, the display name of the latest sighting)."""
    sighting = repository.latest_sighting(session, address)
    return sighting is not None, sighting.name if sighting else None


def messages_of(session: Session, addresses: list[str]) -> list[str]:
    return repository.messages_of(session, addresses)


def forget_participant(session: Session, address: str) -> None:
    repository.delete_sightings_of_address(session, address)


# -- the fund's team ----------------------------------------------------------------------------


def store_team_member(session: Session, state: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Keep a CRM user; returns (old email, new email), normalized."""
    member = repository.team_member(session, str(state["id"]))
    old = member.email if member else None
    if member is None:
        member = TeamMember(id=str(state["id"]))
        session.add(member)
    member.username = str(state.get("username") or "")
    member.display_name = str(state.get("display_name") or state.get("username") or "")
    member.email = normalize_email(state.get("email"))
    member.is_active = bool(state.get("is_active", True))
    member.version = int(state.get("version") or 1)
    session.flush()
    return old, member.email


def team_members(session: Session, user_ids: Iterable[str]) -> dict[str, TeamMember]:
    return repository.team_members(session, user_ids)


def team_by_email(session: Session, emails: list[str]) -> dict[str, TeamMember]:
    return repository.team_by_email(session, emails)

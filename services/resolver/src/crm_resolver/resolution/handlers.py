"""The consumers of the records the resolver keeps a copy of: one small handler per source.

Each handler runs in the consumer runner's transaction (under the event's savepoint, after the
ledger dropped redeliveries and stale versions, and as one resolver write:
`entities.transactions.handler`): it updates the resolver's copy of the record (sources),
resolves it (matching), re-derives the graph evidence the record asserts (graph), and leaves the
entities it changed to be published. It is the top of the resolver's domains: it orchestrates
them, and none of them calls back into it. Every event carries its
record's full state, so `created`, `updated`, `deleted`, `restored` and `snapshot` are one path;
`purged` carries only the id.

    CRM     crm.<aggregate>.* by aggregate: contact, organization, lp_profile, grid_row, user
    GMAIL   gmail.message.* by action
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from crm_common.contracts.gmail import GmailMessageData
from crm_common.events import CloudEvent
from crm_resolver.comparison.normalize import normalize_email
from crm_resolver.context import Context
from crm_resolver.entities import service as entities
from crm_resolver.entities.transactions import ContextHandler
from crm_resolver.graph import service as graph
from crm_resolver.matching import service as matching
from crm_resolver.refs import Ref
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import SourceRecord


def _live(state: Mapping[str, Any]) -> bool:
    return state.get("deleted_at") is None


# -- shared steps ---------------------------------------------------------------------------------


def _domains(ctx: Context, record: SourceRecord | None) -> list[str]:
    if record is None or not record.is_live:
        return []
    return sources.domain_index(ctx, record)


def _store_identity(
    ctx: Context,
    session: Session,
    ref: Ref,
    *,
    entity_kind: str,
    label: str,
    attrs: dict[str, Any],
    is_live: bool,
) -> None:
    before = _domains(ctx, sources.get(session, ref))
    stored = sources.store(
        session,
        ctx,
        ref=ref,
        entity_kind=entity_kind,
        label=label,
        attrs=attrs,
        is_live=is_live,
    )
    if not stored.changed:
        return
    matching.resolve_identity(session, ctx, ref, is_new=stored.is_new)
    matching.follow_anchor(session, ctx, ref)
    graph.recompute_domains(session, set(before) | set(_domains(ctx, stored.record)))


def _purge(ctx: Context, session: Session, ref: Ref) -> None:
    record = sources.remove(session, ref)
    entities.detach(session, ref=ref)
    graph.remove(session, ref)
    graph.remove_endpoint(session, ref)
    if record is not None and record.is_live:
        graph.recompute_domains(session, sources.domain_index(ctx, record))


def _dependent(
    ctx: Context, session: Session, ref: Ref, *, anchor: Ref | None, label: str, is_live: bool
) -> None:
    entity_kind = "organization" if anchor and anchor.kind == "organization" else "person"
    sources.store(
        session,
        ctx,
        ref=ref,
        entity_kind=None,
        label=label,
        attrs={},
        is_live=is_live,
        anchor=anchor,
    )
    matching.place_dependent(session, ctx, ref, anchor=anchor, entity_kind=entity_kind)


# -- crm.* ----------------------------------------------------------------------------------------


def contact(ctx: Context, event: CloudEvent, session: Session) -> None:
    ref = Ref("contact", event.subject)
    if event.action == "purged":
        _purge(ctx, session, ref)
        return
    label, attrs = sources.contact_attrs(event.data)
    _store_identity(
        ctx,
        session,
        ref,
        entity_kind="person",
        label=label,
        attrs=attrs,
        is_live=_live(event.data),
    )
    if _live(event.data):
        graph.replace(session, ref, graph.from_contact(event.data))
    else:
        graph.remove(session, ref)


def organization(ctx: Context, event: CloudEvent, session: Session) -> None:
    ref = Ref("organization", event.subject)
    if event.action == "purged":
        _purge(ctx, session, ref)
        return
    label, attrs = sources.organization_attrs(event.data)
    _store_identity(
        ctx,
        session,
        ref,
        entity_kind="organization",
        label=label,
        attrs=attrs,
        is_live=_live(event.data),
    )


def lp_profile(ctx: Context, event: CloudEvent, session: Session) -> None:
    ref = Ref("lp_profile", event.subject)
    if event.action == "purged":
        _purge(ctx, session, ref)
        return
    state = event.data
    anchor = (
        Ref("contact", str(state["contact_id"]))
        if state.get("contact_id")
        else Ref("organization", str(state["organization_id"]))
        if state.get("organization_id")
        else None
    )
    _dependent(ctx, session, ref, anchor=anchor, label="LP profile", is_live=_live(state))


def grid_row(ctx: Context, event: CloudEvent, session: Session) -> None:
    ref = Ref("grid_row", event.subject)
    if event.action == "purged":
        _purge(ctx, session, ref)
        return
    state = event.data
    kind = state.get("investor_kind")
    anchor = None
    if kind == "organization" and state.get("organization_id"):
        anchor = Ref("organization", str(state["organization_id"]))
    elif kind == "contact" and state.get("contact_id"):
        anchor = Ref("contact", str(state["contact_id"]))
    label = str(state.get("name") or state.get("investor_name") or "grid row")
    _dependent(ctx, session, ref, anchor=anchor, label=label, is_live=_live(state))
    if _live(state):
        graph.replace(session, ref, graph.from_grid_row(state, anchor))
    else:
        graph.remove(session, ref)


def user(ctx: Context, event: CloudEvent, session: Session) -> None:
    if event.action == "purged":
        return  # users are deactivated, never purged; the team member stays in history
    old, new = sources.store_team_member(session, event.data)
    if old == new:
        return
    # An address changed sides (a participant became the team's, or the other way).
    affected = [a for a in (old, new) if a]
    for message_id in sources.messages_of(session, affected):
        _apply_message(ctx, session, Ref(sources.EMAIL_MESSAGE, message_id))
    for address in affected:
        _refresh_participant(ctx, session, address)


# -- gmail.message.* ------------------------------------------------------------------------------


def message(ctx: Context, event: CloudEvent, session: Session) -> None:
    data = GmailMessageData.model_validate(event.data)
    ref = Ref(sources.EMAIL_MESSAGE, data.id)
    is_live = event.action != "deleted" and data.deleted_at is None
    sources.store(
        session,
        ctx,
        ref=ref,
        entity_kind=None,
        label=data.subject[:400],
        attrs=data.model_dump(mode="json", by_alias=True),
        is_live=is_live,
    )
    _apply_message(ctx, session, ref)


def _apply_message(ctx: Context, session: Session, ref: Ref) -> None:
    record = sources.get(session, ref)
    if record is None:
        return
    if not record.is_live:
        addresses = sources.drop_message_sightings(session, ref.id)
        graph.remove(session, ref)
    else:
        data = GmailMessageData.model_validate(record.attrs)
        sender, recipients, external = graph.message_endpoints(session, data)
        headers = [data.from_, *data.to, *data.cc]
        names: dict[str, str | None] = {}
        for header in headers:
            address = normalize_email(header.address)
            if address is not None and not names.get(address):
                names[address] = header.name
        addresses = sources.record_sightings(
            session, message_id=ref.id, seen_at=data.sent_at, names=names
        )
        addresses |= set(external)
        graph.replace(session, ref, graph.from_message(data, sender, recipients))
    for address in sorted(addresses):
        _refresh_participant(ctx, session, address)


def _refresh_participant(ctx: Context, session: Session, address: str) -> None:
    ref = Ref("email_participant", address)
    seen, name = sources.latest_name(session, address)
    if sources.team_by_email(session, [address]):
        if sources.get(session, ref) is not None:
            _purge(ctx, session, ref)  # the fund's own address is a team member, not a person
        return
    if not seen:
        record = sources.get(session, ref)
        if record is not None and record.is_live:
            _store_identity(
                ctx,
                session,
                ref,
                entity_kind="person",
                label=record.label,
                attrs=record.attrs,
                is_live=False,
            )
        return
    label, attrs = sources.participant_attrs(address, name)
    _store_identity(ctx, session, ref, entity_kind="person", label=label, attrs=attrs, is_live=True)


CRM: dict[str, ContextHandler] = {
    "contact": contact,
    "organization": organization,
    "lp_profile": lp_profile,
    "grid_row": grid_row,
    "user": user,
}
GMAIL: dict[str, ContextHandler] = {
    "created": message,
    "updated": message,
    "deleted": message,
}

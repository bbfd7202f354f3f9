"""The consumers: one small handler per source of `crm.*` and `gmail.message.*` events.

Each handler runs in the consumer runner's transaction (under the event's savepoint, after the
ledger dropped redeliveries and stale versions): it takes the resolver's write lock, updates the
resolver's copy of the record, resolves it, re-derives the graph evidence the record asserts, and
publishes the entities it changed. Every event carries its record's full state, so `created`,
`updated`, `deleted`, `restored` and `snapshot` are one path; `purged` carries only the id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.consumer import ConsumerSpec, Handler
from crm_common.contracts.gmail import GmailMessageData
from crm_common.events import CloudEvent
from crm_resolver.context import Context
from crm_resolver.database import lock_for_write
from crm_resolver.entities import service as entities
from crm_resolver.graph import service as graph
from crm_resolver.matching import service as matching
from crm_resolver.matching.normalize import normalize_email
from crm_resolver.refs import Ref
from crm_resolver.sources import service as sources
from crm_resolver.sources.models import SourceRecord

ACTIONS = ("created", "updated", "deleted", "restored", "snapshot", "purged")
CRM_AGGREGATES = (
    "contact",
    "organization",
    "lp_profile",
    "grid_row",
    "communication",
    "opportunity",
    "user",
)
GMAIL_ACTIONS = ("created", "updated", "deleted")

CRM_CONSUMER = "resolver-crm"
GMAIL_CONSUMER = "resolver-gmail"


def _live(state: Mapping[str, Any]) -> bool:
    return state.get("deleted_at") is None


class Handlers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- shared steps ----------------------------------------------------------------------------

    def _domains(self, record: SourceRecord | None) -> list[str]:
        if record is None or not record.is_live:
            return []
        return sources.domain_index(self.ctx, record)

    def _store_identity(
        self,
        session: Session,
        ref: Ref,
        *,
        entity_kind: str,
        label: str,
        attrs: dict[str, Any],
        is_live: bool,
    ) -> None:
        before = self._domains(sources.get(session, ref))
        stored = sources.store(
            session,
            self.ctx,
            ref=ref,
            entity_kind=entity_kind,
            label=label,
            attrs=attrs,
            is_live=is_live,
        )
        if not stored.changed:
            return
        matching.resolve_identity(session, self.ctx, ref, is_new=stored.is_new)
        matching.follow_anchor(session, self.ctx, ref)
        graph.recompute_domains(session, set(before) | set(self._domains(stored.record)))

    def _purge(self, session: Session, ref: Ref) -> None:
        record = sources.remove(session, ref)
        entities.detach(session, ref=ref)
        graph.remove(session, ref)
        graph.remove_endpoint(session, ref)
        if record is not None and record.is_live:
            graph.recompute_domains(session, sources.domain_index(self.ctx, record))

    # -- crm.* -----------------------------------------------------------------------------------

    def contact(self, event: CloudEvent, session: Session) -> None:
        ref = Ref("contact", event.subject)
        if event.action == "purged":
            self._purge(session, ref)
            return
        label, attrs = sources.contact_attrs(event.data)
        self._store_identity(
            session, ref, entity_kind="person", label=label, attrs=attrs, is_live=_live(event.data)
        )
        if _live(event.data):
            graph.replace(session, ref, graph.from_contact(event.data))
        else:
            graph.remove(session, ref)

    def organization(self, event: CloudEvent, session: Session) -> None:
        ref = Ref("organization", event.subject)
        if event.action == "purged":
            self._purge(session, ref)
            return
        label, attrs = sources.organization_attrs(event.data)
        self._store_identity(
            session,
            ref,
            entity_kind="organization",
            label=label,
            attrs=attrs,
            is_live=_live(event.data),
        )

    def _dependent(
        self, session: Session, ref: Ref, *, anchor: Ref | None, label: str, is_live: bool
    ) -> None:
        entity_kind = "organization" if anchor and anchor.kind == "organization" else "person"
        sources.store(
            session,
            self.ctx,
            ref=ref,
            entity_kind=None,
            label=label,
            attrs={},
            is_live=is_live,
            anchor=anchor,
        )
        matching.place_dependent(session, self.ctx, ref, anchor=anchor, entity_kind=entity_kind)

    def lp_profile(self, event: CloudEvent, session: Session) -> None:
        ref = Ref("lp_profile", event.subject)
        if event.action == "purged":
            self._purge(session, ref)
            return
        state = event.data
        anchor = (
            Ref("contact", str(state["contact_id"]))
            if state.get("contact_id")
            else Ref("organization", str(state["organization_id"]))
            if state.get("organization_id")
            else None
        )
        self._dependent(session, ref, anchor=anchor, label="LP profile", is_live=_live(state))

    def grid_row(self, event: CloudEvent, session: Session) -> None:
        ref = Ref("grid_row", event.subject)
        if event.action == "purged":
            self._purge(session, ref)
            return
        state = event.data
        kind = state.get("investor_kind")
        anchor = None
        if kind == "organization" and state.get("organization_id"):
            anchor = Ref("organization", str(state["organization_id"]))
        elif kind == "contact" and state.get("contact_id"):
            anchor = Ref("contact", str(state["contact_id"]))
        label = str(state.get("name") or state.get("investor_name") or "grid row")
        self._dependent(session, ref, anchor=anchor, label=label, is_live=_live(state))
        if _live(state):
            graph.replace(session, ref, graph.from_grid_row(state, anchor))
        else:
            graph.remove(session, ref)

    def _evidence_only(
        self,
        event: CloudEvent,
        session: Session,
        kind: str,
        derive: Callable[[Mapping[str, Any]], list[Any]],
    ) -> None:
        ref = Ref(kind, event.subject)
        if event.action == "purged" or not _live(event.data):
            graph.remove(session, ref)
        else:
            graph.replace(session, ref, derive(event.data))

    def communication(self, event: CloudEvent, session: Session) -> None:
        self._evidence_only(event, session, "communication", graph.from_communication)

    def opportunity(self, event: CloudEvent, session: Session) -> None:
        self._evidence_only(event, session, "opportunity", graph.from_opportunity)

    def user(self, event: CloudEvent, session: Session) -> None:
        if event.action == "purged":
            return  # users are deactivated, never purged; the team member stays in history
        old, new = sources.store_team_member(session, event.data)
        if old == new:
            return
        # An address changed sides (a participant became the team's, or the other way).
        affected = [a for a in (old, new) if a]
        for message_id in sources.messages_of(session, affected):
            self._apply_message(session, Ref(sources.EMAIL_MESSAGE, message_id))
        for address in affected:
            self._refresh_participant(session, address)

    # -- gmail.message.* -------------------------------------------------------------------------

    def message(self, event: CloudEvent, session: Session) -> None:
        data = GmailMessageData.model_validate(event.data)
        ref = Ref(sources.EMAIL_MESSAGE, data.id)
        is_live = event.action != "deleted" and data.deleted_at is None
        sources.store(
            session,
            self.ctx,
            ref=ref,
            entity_kind=None,
            label=data.subject[:400],
            attrs=data.model_dump(mode="json", by_alias=True),
            is_live=is_live,
        )
        self._apply_message(session, ref)

    def _apply_message(self, session: Session, ref: Ref) -> None:
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
            self._refresh_participant(session, address)

    def _refresh_participant(self, session: Session, address: str) -> None:
        ref = Ref("email_participant", address)
        seen, name = sources.latest_name(session, address)
        if sources.team_by_email(session, [address]):
            if sources.get(session, ref) is not None:
                self._purge(session, ref)  # the fund's own address is a team member, not a person
            return
        if not seen:
            record = sources.get(session, ref)
            if record is not None and record.is_live:
                self._store_identity(
                    session,
                    ref,
                    entity_kind="person",
                    label=record.label,
                    attrs=record.attrs,
                    is_live=False,
                )
            return
        label, attrs = sources.participant_attrs(address, name)
        self._store_identity(
            session, ref, entity_kind="person", label=label, attrs=attrs, is_live=True
        )

    # -- wiring ----------------------------------------------------------------------------------

    def _wrap(self, handle: Handler) -> Handler:
        ctx = self.ctx

        def run(event: CloudEvent, session: Session) -> None:
            lock_for_write(session)
            entities.discard_dirty(session)  # what a failed event of the batch left behind
            handle(event, session)
            entities.publish_dirty(session, ctx)

        return run

    def crm_handlers(self) -> dict[str, Handler]:
        by_aggregate: dict[str, Handler] = {
            "contact": self.contact,
            "organization": self.organization,
            "lp_profile": self.lp_profile,
            "grid_row": self.grid_row,
            "communication": self.communication,
            "opportunity": self.opportunity,
            "user": self.user,
        }
        return {
            f"crm.{aggregate}.{action}": self._wrap(handle)
            for aggregate, handle in by_aggregate.items()
            for action in ACTIONS
        }

    def gmail_handlers(self) -> dict[str, Handler]:
        return {f"gmail.message.{action}": self._wrap(self.message) for action in GMAIL_ACTIONS}


def consumer_specs(ctx: Context) -> list[ConsumerSpec]:
    handlers = Handlers(ctx)
    return [
        ConsumerSpec(
            name=CRM_CONSUMER,
            stream="CRM",
            filter_subjects=[f"crm.{aggregate}.>" for aggregate in CRM_AGGREGATES],
            handlers=handlers.crm_handlers(),
        ),
        ConsumerSpec(
            name=GMAIL_CONSUMER,
            stream="GMAIL",
            filter_subjects=["gmail.message.>"],
            handlers=handlers.gmail_handlers(),
        ),
    ]

"""The automations' consumer: on-change rules run when a row, a cell (an opportunity) or an
outreach note (a communication) changes, and a new or changed rule runs over every row.

One durable consumer (`crm-api-automations`) shared by every crm-api replica, so each event is
handled once. The automations' own changes are skipped: their rules already ran to a fixpoint
when they made them. An opportunity whose investor has no row yet gets one (a deleted row stays
deleted), so the grid shows every investor with an opportunity, the demo data's too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.automations import engine, repository
from crm_api.automations.engine import AUTOMATIONS, is_automation
from crm_api.database import utcnow
from crm_api.grid.rows import service as grid_rows
from crm_common.bus.consumer import ConsumerSpec, Handler
from crm_common.bus.streams import CRM
from crm_common.errors import CRMError
from crm_common.events import CloudEvent

CONSUMER = "crm-api-automations"
SUBJECTS = ("crm.grid_row.>", "crm.opportunity.>", "crm.communication.>", "crm.grid_rule.>")


def on_grid_row(event: CloudEvent, session: Session) -> None:
    if is_automation(event.actor) or event.action in ("deleted", "purged", "snapshot"):
        return
    engine.on_change(session, row_ids=[event.subject], now=utcnow(), event_id=event.id)


def on_opportunity(event: CloudEvent, session: Session) -> None:
    if is_automation(event.actor) or event.action == "purged":
        return
    data = event.data
    organization_id = data.get("investor_organization_id")
    contact_id = data.get("investor_contact_id")
    if organization_id is None and contact_id is None:
        return
    row_id: str | None = None
    if data.get("deleted_at") is None:
        try:
            with session.begin_nested():
                row = grid_rows.ensure_row(
                    session, organization_id=organization_id, contact_id=contact_id, by=AUTOMATIONS
                )
                row_id = row.id if row is not None else None
        except CRMError:  # the investor is gone: nothing to show
            return
    else:
        rows = repository.rows_touching(
            session,
            organization_id=organization_id,
            contact_ids=set() if contact_id is None else {contact_id},
        )
        row_id = rows[0] if rows else None
    if row_id is not None:
        engine.on_change(session, row_ids=[row_id], now=utcnow(), event_id=event.id)


def on_communication(event: CloudEvent, session: Session) -> None:
    if is_automation(event.actor) or event.action in ("purged", "snapshot"):
        return
    data = event.data
    contacts = {c for c in [data.get("contact_id"), *(data.get("attendee_ids") or [])] if c}
    rows = repository.rows_touching(
        session, organization_id=data.get("organization_id"), contact_ids=contacts
    )
    engine.on_change(session, row_ids=rows, now=utcnow(), event_id=event.id)


def on_rule(event: CloudEvent, session: Session) -> None:
    if event.action not in ("created", "updated", "restored"):
        return
    rule = repository.get_rule(session, event.subject)
    if rule is None or rule.deleted_at is not None or not rule.is_active or not rule.on_change:
        return
    if rule.version != event.version:
        return  # a newer change of the rule follows; it runs then
    engine.run_rule(session, rule_id=rule.id, trigger="change", now=utcnow())


def _handlers() -> dict[str, Handler]:
    found: dict[str, Handler] = {}
    for aggregate, handler in (
        ("grid_row", on_grid_row),
        ("opportunity", on_opportunity),
        ("communication", on_communication),
        ("grid_rule", on_rule),
    ):
        for action in ("created", "updated", "deleted", "restored", "purged", "snapshot"):
            found[f"crm.{aggregate}.{action}"] = handler
    return found


def consumer_spec(**overrides: Any) -> ConsumerSpec:
    return ConsumerSpec(
        name=CONSUMER,
        stream=CRM.name,
        filter_subjects=SUBJECTS,
        handlers=_handlers(),
        **overrides,
    )

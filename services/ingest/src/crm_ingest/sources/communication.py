"""Communications (calls, meetings, emails, notes, texts; the grid's outreach notes too): one
document of subject, body, outcome and next action, chunked when long. The event time is when
it happened (`occurred_at`), not when it was logged."""

from __future__ import annotations

from typing import Any

from crm_common.bus.streams import CRM
from crm_ingest.sources.base import RecordView, Source, TextField, refs, text, timestamp


def view(state: dict[str, Any]) -> RecordView:
    kind = text(state.get("type")) or "communication"
    subject = text(state.get("subject"))
    return RecordView(
        event_at=timestamp(state["occurred_at"]),
        fields=(
            TextField("subject", subject),
            TextField("body", text(state.get("body"))),
            TextField("outcome", text(state.get("outcome")), "Outcome: "),
            TextField("next_action", text(state.get("next_action")), "Next action: "),
        ),
        title=subject or kind,
        type=kind,
        author_id=state.get("created_by"),
        refs=refs(
            ("contact", state.get("contact_id")),
            *(("contact", a) for a in state.get("attendee_ids") or ()),
            ("organization", state.get("organization_id")),
            ("opportunity", state.get("opportunity_id")),
            ("user", state.get("created_by")),
        ),
    )


SOURCE = Source(
    kind="communication",
    stream=CRM.name,
    events="crm.communication",
    view=view,
    path=lambda source_id: f"/api/communications/{source_id}",
)

"""An opportunity's next step and description; and its fund, by which its communications are
filtered."""

from __future__ import annotations

from typing import Any

from crm_common.bus.streams import CRM
from crm_ingest.sources.base import RecordView, Source, TextField, refs, text, timestamp


def view(state: dict[str, Any]) -> RecordView:
    return RecordView(
        event_at=timestamp(state["updated_at"]),
        fields=(
            TextField("next_step", text(state.get("next_step")), "Next step: "),
            TextField("description", text(state.get("description"))),
        ),
        title=f"Opportunity ({text(state.get('stage')) or 'open'})",
        type="opportunity",
        author_id=state.get("created_by"),
        refs=refs(
            ("organization", state.get("investor_organization_id")),
            ("contact", state.get("investor_contact_id")),
            ("fund", state.get("fund_id")),
            ("user", state.get("created_by")),
        ),
        fund_id=state.get("fund_id"),
    )


SOURCE = Source(
    kind="opportunity",
    stream=CRM.name,
    events="crm.opportunity",
    view=view,
    path=lambda source_id: f"/api/opportunities/{source_id}",
)

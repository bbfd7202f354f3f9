"""An LP profile's notes."""

from __future__ import annotations

from typing import Any

from crm_common.bus.streams import CRM
from crm_ingest.sources.base import RecordView, Source, TextField, refs, text, timestamp


def view(state: dict[str, Any]) -> RecordView:
    return RecordView(
        event_at=timestamp(state["updated_at"]),
        fields=(TextField("notes", text(state.get("notes"))),),
        title="LP profile notes",
        type="lp_profile_note",
        author_id=state.get("created_by"),
        refs=refs(
            ("lp_profile", state.get("id")),
            ("contact", state.get("contact_id")),
            ("organization", state.get("organization_id")),
            ("user", state.get("created_by")),
        ),
    )


SOURCE = Source(
    kind="lp_profile",
    stream=CRM.name,
    events="crm.lp_profile",
    view=view,
    path=lambda source_id: f"/api/lp-profiles/{source_id}",
)

"""An organization's description; and its name, which other records' hits show."""

from __future__ import annotations

from typing import Any

from crm_common.bus.streams import CRM
from crm_ingest.sources.base import RecordView, Source, TextField, refs, text, timestamp


def view(state: dict[str, Any]) -> RecordView:
    name = text(state.get("name"))
    return RecordView(
        event_at=timestamp(state["updated_at"]),
        fields=(TextField("description", text(state.get("description"))),),
        title=name or "Organization",
        type="organization_description",
        author_id=state.get("created_by"),
        refs=refs(("organization", state.get("id")), ("user", state.get("created_by"))),
        label=name or None,
    )


SOURCE = Source(
    kind="organization",
    stream=CRM.name,
    events="crm.organization",
    view=view,
    path=lambda source_id: f"/api/organizations/{source_id}",
)

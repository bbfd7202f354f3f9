"""A contact's notes; and the contact's name, which other records' hits show."""

from __future__ import annotations

from typing import Any

from crm_common.bus.streams import CRM
from crm_ingest.sources.base import RecordView, Source, TextField, refs, text, timestamp


def view(state: dict[str, Any]) -> RecordView:
    name = f"{text(state.get('first_name'))} {text(state.get('last_name'))}".strip()
    organizations = [a.get("organization_id") for a in state.get("affiliations") or ()]
    return RecordView(
        event_at=timestamp(state["updated_at"]),
        fields=(TextField("notes", text(state.get("notes"))),),
        title=f"Notes on {name}" if name else "Contact notes",
        type="contact_note",
        author_id=state.get("created_by"),
        refs=refs(
            ("contact", state.get("id")),
            *(("organization", o) for o in organizations),
            ("user", state.get("created_by")),
        ),
        label=name or None,
    )


SOURCE = Source(
    kind="contact",
    stream=CRM.name,
    events="crm.contact",
    view=view,
    path=lambda source_id: f"/api/contacts/{source_id}",
)

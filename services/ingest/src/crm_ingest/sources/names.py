"""Records with no prose whose names other records' hits show: funds and users (authors)."""

from __future__ import annotations

from typing import Any

from crm_common.bus.streams import CRM
from crm_ingest.sources.base import RecordView, Source, text, timestamp


def _fund(state: dict[str, Any]) -> RecordView:
    return RecordView(event_at=timestamp(state["updated_at"]), label=text(state.get("name")))


def _user(state: dict[str, Any]) -> RecordView:
    name = text(state.get("display_name")) or text(state.get("username"))
    return RecordView(event_at=timestamp(state["created_at"]), label=name or None)


FUND = Source(kind="fund", stream=CRM.name, events="crm.fund", view=_fund)
USER = Source(kind="user", stream=CRM.name, events="crm.user", view=_user)

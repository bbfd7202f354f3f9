"""The registered sources. Adding one is one new module here and one line in `SOURCES`; the
consumer reads its stream and subjects from it (docs/search.md). gmail-sync's messages
(`email_message`) are read from the GMAIL stream by their own consumer."""

from __future__ import annotations

from collections.abc import Iterable

from crm_ingest.sources import (
    communication,
    contact,
    email_message,
    lp_profile,
    names,
    opportunity,
    organization,
)
from crm_ingest.sources.base import Source

SOURCES: tuple[Source, ...] = (
    communication.SOURCE,
    contact.SOURCE,
    organization.SOURCE,
    opportunity.SOURCE,
    lp_profile.SOURCE,
    names.FUND,
    names.USER,
    email_message.SOURCE,
)


class Registry:
    def __init__(self, sources: Iterable[Source] = SOURCES) -> None:
        self.sources = tuple(sources)
        self._by_events = {source.events: source for source in self.sources}
        self._by_kind = {source.kind: source for source in self.sources}
        if len(self._by_kind) != len(self.sources):
            raise ValueError("two sources share a kind")

    def for_event(self, event_type: str) -> Source | None:
        return self._by_events.get(event_type.rsplit(".", 1)[0])

    def by_kind(self, kind: str) -> Source | None:
        return self._by_kind.get(kind)

    def streams(self) -> dict[str, list[Source]]:
        found: dict[str, list[Source]] = {}
        for source in self.sources:
            found.setdefault(source.stream, []).append(source)
        return found

    def crm_path(self, kind: str, source_id: str) -> str:
        source = self._by_kind.get(kind)
        return source.crm_path(source_id) if source is not None else ""

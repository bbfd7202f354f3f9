"""What a chunk source is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

Reply = TypeVar("Reply", bound=BaseModel)


class Caller(Protocol):
    """A blocking request-reply call to another service, from a consumer's worker thread.

    Raises (crm_common.bus.service): ServiceUnreachable when no service answered in time, and
    ServiceCallError when it answered with an error."""

    def __call__(self, subject: str, request: BaseModel, response: type[Reply]) -> Reply: ...


@dataclass(frozen=True)
class TextField:
    """A prose field of a record: its name in the record's state, its text, and how it is
    introduced in the document that is chunked ("Outcome: ...")."""

    name: str
    text: str
    label: str = ""


@dataclass(frozen=True)
class RecordView:
    """What one record's state means for the index."""

    event_at: datetime
    fields: tuple[TextField, ...] = ()
    title: str = ""
    type: str | None = None
    author_id: str | None = None
    # (kind, id) of the records it is about or links to: contacts, organizations, opportunities,
    # funds; itself too, for a record a canonical entity links to (a contact's notes).
    refs: tuple[tuple[str, str], ...] = ()
    # The name other records show for it (a contact's, an organization's, a fund's, a user's).
    label: str | None = None
    # An opportunity's fund, which its communications are filtered by.
    fund_id: str | None = None


@dataclass(frozen=True)
class Source:
    kind: str
    stream: str
    events: str  # the event types it reads: `<events>.<action>`, e.g. crm.communication
    view: Callable[[dict[str, Any]], RecordView]
    path: Callable[[str], str] | None = None  # the record in the CRM's API
    # For a source whose events carry no prose (gmail-sync's messages): the state to index, its
    # text asked of the service that holds it, or None when it has nothing to index (its chunks
    # are then retracted). Raises when that service cannot answer now: the event is retried.
    fetch: Callable[[dict[str, Any], Caller], dict[str, Any] | None] | None = None

    @property
    def subjects(self) -> tuple[str, ...]:
        return (f"{self.events}.>",)

    @property
    def has_text(self) -> bool:
        return self.path is not None

    def crm_path(self, source_id: str) -> str:
        return self.path(source_id) if self.path is not None else ""


def timestamp(value: Any) -> datetime:
    """An event's ISO 8601 time as an aware datetime (UTC when it carries no offset)."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def refs(*pairs: tuple[str, Any]) -> tuple[tuple[str, str], ...]:
    """The (kind, id) pairs whose id is set, in order, each once."""
    found: list[tuple[str, str]] = []
    for kind, value in pairs:
        if isinstance(value, str) and value and (kind, value) not in found:
            found.append((kind, value))
    return tuple(found)

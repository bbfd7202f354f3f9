"""One user's Google Calendar (the primary one): events, their changes, and sync tokens.

Each change takes the calendar's next sequence number. A sync token names the sequence number a
listing was complete up to, and the token generation it was issued in: `invalidate_sync_tokens`
starts a new generation, so every older token answers 410 (fullSyncRequired), as Google does when
it expires a token. A deleted event is kept as `status: cancelled`: an incremental listing reports
it; a full listing shows it only with showDeleted. Recurring events (an RRULE) are expanded into
instances with singleEvents, using python-dateutil's rrule.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil import rrule

from gmail_fake.errors import BadRequest, Gone
from gmail_fake.mailbox import decode_token, encode_token

# Google expands an open-ended recurrence lazily; the fake stops after this many instances.
MAX_INSTANCES = 500
_SYNC_FORBIDDEN = ("iCalUID", "orderBy", "q", "timeMin", "timeMax", "updatedMin")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"Bad time: {value}") from exc
    if moment.tzinfo is None:
        raise BadRequest(f"Bad time (no offset): {value}")
    return moment


def _when(moment: datetime | date) -> dict[str, str]:
    if isinstance(moment, datetime):
        return {"dateTime": rfc3339(moment), "timeZone": "UTC"}
    return {"date": moment.isoformat()}


def _as_datetime(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return moment
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


@dataclass
class StoredEvent:
    id: str
    ordinal: int  # creation order: the order of a full listing
    summary: str
    start: datetime | date
    end: datetime | date
    organizer: str
    attendees: list[dict[str, Any]]
    description: str = ""
    location: str = ""
    recurrence: list[str] = field(default_factory=list)
    status: str = "confirmed"
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))
    sequence: int = 0
    changed_at: int = 0  # the calendar's change number of the last change

    def resource(self, owner: str) -> dict[str, Any]:
        if self.status == "cancelled":
            # Google guarantees only the id of a cancelled event.
            return {
                "kind": "calendar#event",
                "etag": f'"{self.changed_at}"',
                "id": self.id,
                "status": "cancelled",
            }
        resource: dict[str, Any] = {
            "kind": "calendar#event",
            "etag": f'"{self.changed_at}"',
            "id": self.id,
            "status": self.status,
            "htmlLink": f"https://www.google.com/calendar/event?eid={self.id}",
            "created": rfc3339(self.created),
            "updated": rfc3339(self.updated),
            "summary": self.summary,
            "creator": {
                "email": self.organizer,
                **({"self": True} if self.organizer == owner else {}),
            },
            "organizer": {
                "email": self.organizer,
                **({"self": True} if self.organizer == owner else {}),
            },
            "start": _when(self.start),
            "end": _when(self.end),
            "iCalUID": f"{self.id}@google.com",
            "sequence": self.sequence,
            "reminders": {"useDefault": True},
            "eventType": "default",
        }
        if self.description:
            resource["description"] = self.description
        if self.location:
            resource["location"] = self.location
        if self.attendees:
            resource["attendees"] = [
                {**a, **({"self": True} if a["email"] == owner else {})} for a in self.attendees
            ]
        if self.recurrence:
            resource["recurrence"] = list(self.recurrence)
        return resource

    def instances(self, owner: str) -> list[dict[str, Any]]:
        """The instances of a recurring event (or the event itself when it does not recur)."""
        master = self.resource(owner)
        if not self.recurrence:
            return [master]
        start = _as_datetime(self.start)
        duration = _as_datetime(self.end) - start
        rules = rrule.rruleset()
        for line in self.recurrence:
            name, _, value = line.partition(":")
            if name == "RRULE":
                rules.rrule(rrule.rrulestr(value, dtstart=start))
            elif name.startswith("EXDATE"):
                for stamp in value.split(","):
                    rules.exdate(datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
            else:
                raise BadRequest(f"The fake does not support the recurrence line {line}")
        found = []
        for moment in itertools.islice(rules, MAX_INSTANCES):
            stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            original = moment if isinstance(self.start, datetime) else moment.date()
            instance = {
                k: v for k, v in master.items() if k not in ("recurrence", "start", "end", "id")
            }
            instance["id"] = f"{self.id}_{stamp}"
            instance["recurringEventId"] = self.id
            instance["originalStartTime"] = _when(original)
            if self.status == "cancelled":
                instance = {**master, "id": f"{self.id}_{stamp}", "recurringEventId": self.id}
            else:
                instance["start"] = _when(original)
                end = moment + duration
                instance["end"] = _when(end if isinstance(self.start, datetime) else end.date())
            found.append(instance)
        return found


class Calendar:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.events: dict[str, StoredEvent] = {}
        self.change = 0
        self.generation = 1
        self._ordinals = itertools.count(1)

    def _touch(self, event: StoredEvent) -> StoredEvent:
        self.change += 1
        event.changed_at = self.change
        event.updated = datetime.now(UTC)
        return event

    def add_event(
        self,
        *,
        summary: str,
        start: datetime | date,
        end: datetime | date | None = None,
        attendees: Iterable[str | dict[str, Any]] = (),
        organizer: str | None = None,
        description: str = "",
        location: str = "",
        recurrence: Sequence[str] = (),
        event_id: str | None = None,
    ) -> StoredEvent:
        ordinal = next(self._ordinals)
        people = [
            a if isinstance(a, dict) else {"email": a, "responseStatus": "needsAction"}
            for a in attendees
        ]
        event = StoredEvent(
            id=event_id or hashlib.sha256(f"{self.owner}/{ordinal}".encode()).hexdigest()[:26],
            ordinal=ordinal,
            summary=summary,
            start=start,
            end=end or (start + timedelta(hours=1) if isinstance(start, datetime) else start),
            organizer=organizer or self.owner,
            attendees=people,
            description=description,
            location=location,
            recurrence=list(recurrence),
        )
        self.events[event.id] = event
        return self._touch(event)

    def update_event(self, event_id: str, **changes: Any) -> StoredEvent:
        event = self.events[event_id]
        for name, value in changes.items():
            if name == "attendees":
                value = [
                    a if isinstance(a, dict) else {"email": a, "responseStatus": "needsAction"}
                    for a in value
                ]
            setattr(event, name, value)
        event.sequence += 1
        return self._touch(event)

    def cancel_event(self, event_id: str) -> StoredEvent:
        event = self.events[event_id]
        event.status = "cancelled"
        return self._touch(event)

    def invalidate_sync_tokens(self) -> None:
        self.generation += 1

    def list_events(self, params: dict[str, str], *, page_size: int) -> dict[str, Any]:
        sync_token = params.get("syncToken")
        page_token = params.get("pageToken")
        single = params.get("singleEvents", "false") == "true"
        show_deleted = params.get("showDeleted", "false") == "true"
        if sync_token:
            for name in _SYNC_FORBIDDEN:
                if name in params:
                    raise BadRequest(f"{name} is not allowed with syncToken")
            if params.get("showDeleted") == "false":
                raise BadRequest("showDeleted=false is not allowed with syncToken")
        if page_token:
            state = decode_token(page_token)
        elif sync_token:
            token = decode_token(sync_token)
            if token.get("g") != self.generation:
                raise Gone("Sync token is no longer valid, a full sync is required.")
            state = {"since": int(token["c"]), "upto": self.change, "after": None}
        else:
            state = {"since": None, "upto": self.change, "after": None}
        if state.get("g", self.generation) != self.generation:
            raise Gone("Sync token is no longer valid, a full sync is required.")
        since, upto = state["since"], state["upto"]
        time_min = _parse_time(params["timeMin"]) if "timeMin" in params else None
        time_max = _parse_time(params["timeMax"]) if "timeMax" in params else None
        updated_min = _parse_time(params["updatedMin"]) if "updatedMin" in params else None

        rows: list[tuple[tuple[int, int], dict[str, Any]]] = []
        events = sorted(
            self.events.values(),
            key=(lambda e: e.changed_at) if since is not None else (lambda e: e.ordinal),
        )
        for event in events:
            if event.changed_at > upto:
                continue  # changed after this listing began: the next sync token reports it
            if since is not None and event.changed_at <= since:
                continue
            if since is None and event.status == "cancelled" and not show_deleted:
                continue
            if updated_min and event.updated < updated_min:
                continue
            primary = event.changed_at if since is not None else event.ordinal
            items = event.instances(self.owner) if single else [event.resource(self.owner)]
            for index, item in enumerate(items):
                if not self._within(item, time_min, time_max):
                    continue
                rows.append(((primary, index), item))
        after = tuple(state["after"]) if state["after"] else None
        remaining = [(key, item) for key, item in rows if after is None or key > after]
        page = remaining[:page_size]
        result: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": f'"{self.change}"',
            "summary": self.owner,
            "updated": rfc3339(datetime.now(UTC)),
            "timeZone": "UTC",
            "accessRole": "owner",
            "defaultReminders": [],
            "items": [item for _, item in page],
        }
        if len(remaining) > page_size:
            next_state = {**state, "after": list(page[-1][0]), "g": self.generation}
            result["nextPageToken"] = encode_token(next_state)
        else:
            result["nextSyncToken"] = encode_token({"g": self.generation, "c": upto})
        return result

    @staticmethod
    def _within(item: dict[str, Any], time_min: datetime | None, time_max: datetime | None) -> bool:
        if "start" not in item or (time_min is None and time_max is None):
            return True

        def moment(when: dict[str, str]) -> datetime:
            if "dateTime" in when:
                return _parse_time(when["dateTime"])
            return _as_datetime(date.fromisoformat(when["date"]))

        if time_min is not None and moment(item["end"]) <= time_min:
            return False
        return not (time_max is not None and moment(item["start"]) >= time_max)

"""Calendar v3 events.list through the real client: full sync in pages, sync tokens,
cancellations, 410 when a token is invalidated, recurring events expanded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gmail_fake import GoogleFake
from gmail_fake.testing import CALENDAR_READONLY, GoogleClients

ANN = "ann@fund.example"
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def sync(events: Any, **params: Any) -> tuple[list[dict[str, Any]], str]:
    """Every page of one listing; its items and the nextSyncToken of the last page."""
    request = events.list(calendarId="primary", **params)
    items: list[dict[str, Any]] = []
    while True:
        page = request.execute()
        items += page["items"]
        if "nextSyncToken" in page:
            assert "nextPageToken" not in page
            return items, page["nextSyncToken"]
        request = events.list_next(request, page)


@pytest.fixture
def events(impersonate: Callable[..., Any], google_clients: GoogleClients) -> Any:
    return google_clients.calendar(impersonate(ANN, (CALENDAR_READONLY,))).events()


def add_meetings(fake: GoogleFake, count: int) -> list[str]:
    return [
        fake.add_event(
            ANN,
            summary=f"LP meeting {i}",
            start=MONDAY + timedelta(days=i),
            attendees=[ANN, f"lp{i}@northpeak-capital.example"],
        ).id
        for i in range(count)
    ]


def test_a_full_sync_pages_then_an_incremental_sync_reports_only_the_changes(
    google_fake: GoogleFake, events: Any
) -> None:
    first, second, *_ = add_meetings(google_fake, 7)
    full, token = sync(events, maxResults=3)

    (added,) = add_meetings(google_fake, 1)
    google_fake.update_event(ANN, first, summary="LP meeting (moved)")
    google_fake.cancel_event(ANN, second)
    changes, next_token = sync(events, syncToken=token)
    quiet, _ = sync(events, syncToken=next_token)

    assert len(full) == 7
    assert full[0]["attendees"][1]["email"] == "lp0@northpeak-capital.example"
    assert full[0]["organizer"] == {"email": ANN, "self": True}
    assert {e["id"]: e["status"] for e in changes} == {
        added: "confirmed",
        first: "confirmed",
        second: "cancelled",
    }
    assert next(e for e in changes if e["id"] == first)["summary"] == "LP meeting (moved)"
    assert quiet == []


def test_a_cancelled_event_shows_in_a_full_listing_only_with_show_deleted(
    google_fake: GoogleFake, events: Any
) -> None:
    kept, cancelled = add_meetings(google_fake, 2)
    google_fake.cancel_event(ANN, cancelled)

    plain, _ = sync(events)
    with_deleted, _ = sync(events, showDeleted=True)

    assert [e["id"] for e in plain] == [kept]
    assert {e["id"]: e["status"] for e in with_deleted} == {
        kept: "confirmed",
        cancelled: "cancelled",
    }


def test_an_invalidated_sync_token_answers_410(google_fake: GoogleFake, events: Any) -> None:
    add_meetings(google_fake, 2)
    _, token = sync(events)

    google_fake.invalidate_sync_tokens(ANN)
    with pytest.raises(HttpError) as gone:
        events.list(calendarId="primary", syncToken=token).execute()
    again, _ = sync(events)

    assert gone.value.status_code == 410
    assert gone.value.error_details[0]["reason"] == "fullSyncRequired"
    assert len(again) == 2


def test_a_sync_token_refuses_time_bounds(google_fake: GoogleFake, events: Any) -> None:
    _, token = sync(events)

    with pytest.raises(HttpError) as refused:
        events.list(calendarId="primary", syncToken=token, timeMin="2025-01-01T00:00:00Z").execute()

    assert refused.value.status_code == 400


def test_single_events_expands_a_recurring_meeting(google_fake: GoogleFake, events: Any) -> None:
    weekly = google_fake.add_event(
        ANN,
        summary="Weekly IC",
        start=MONDAY,
        end=MONDAY + timedelta(hours=1),
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
    )

    masters, _ = sync(events)
    instances, _ = sync(events, singleEvents=True)

    assert [e["recurrence"] for e in masters] == [["RRULE:FREQ=WEEKLY;COUNT=4"]]
    assert [e["start"]["dateTime"] for e in instances] == [
        "2025-03-03T09:00:00.000Z",
        "2025-03-10T09:00:00.000Z",
        "2025-03-17T09:00:00.000Z",
        "2025-03-24T09:00:00.000Z",
    ]
    assert {e["recurringEventId"] for e in instances} == {weekly.id}
    assert len({e["id"] for e in instances}) == 4


def test_the_time_window_bounds_a_full_listing(google_fake: GoogleFake, events: Any) -> None:
    ids = add_meetings(google_fake, 5)

    window, _ = sync(
        events,
        timeMin=(MONDAY + timedelta(days=1)).isoformat(),
        timeMax=(MONDAY + timedelta(days=3)).isoformat(),
    )

    assert [e["id"] for e in window] == ids[1:3]


def test_another_users_calendar_is_not_reachable(google_fake: GoogleFake, events: Any) -> None:
    with pytest.raises(HttpError) as denied:
        events.list(calendarId="ben@fund.example").execute()

    assert denied.value.status_code == 404

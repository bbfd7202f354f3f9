"""Calendar API v3 routes: events.list on a user's primary calendar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from gmail_fake.api import CALENDAR_SCOPES, Call, api_route
from gmail_fake.errors import NotFound
from gmail_fake.mailbox import page_size

if TYPE_CHECKING:
    from gmail_fake.fake import GoogleFake


def list_events(call: Call) -> dict[str, Any]:
    calendar = call.fake.calendars.get(call.user)
    if calendar is None:
        raise NotFound()
    params = dict(call.request.query_params)
    params.pop("alt", None)
    for name in ("showDeleted", "singleEvents"):
        if name in params:
            call.flag(name)  # 400 on anything but true/false
    size = page_size(params.pop("maxResults", None), default=250, maximum=2500)
    return calendar.list_events(params, page_size=size)


def routes(fake: GoogleFake) -> list[Route]:
    return [
        api_route(
            "/calendar/v3/calendars/{calendarId}/events",
            "calendar.events.list",
            list_events,
            fake,
            scopes=CALENDAR_SCOPES,
            is_paged=True,
        )
    ]

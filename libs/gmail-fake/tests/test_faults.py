"""Faults a test arms, seen through the real client: 429 and 500 then success, duplicate pages,
and the count of requests per route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gmail_fake import GoogleFake
from gmail_fake.testing import GoogleClients, make_message

ANN = "ann@fund.example"
BEN = "ben@fund.example"


def test_a_429_with_retry_after_fails_a_call_without_retries(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    google_fake.fail("gmail.users.messages.list", status=429, times=1, retry_after=7)
    messages = google_clients.gmail(impersonate(ANN)).users().messages()

    with pytest.raises(HttpError) as limited:
        messages.list(userId="me").execute()
    after = messages.list(userId="me").execute()

    assert limited.value.status_code == 429
    assert limited.value.resp["retry-after"] == "7"
    assert limited.value.error_details[0]["reason"] == "rateLimitExceeded"
    assert after == {"resultSizeEstimate": 0}


@pytest.mark.parametrize("status", [429, 500])
def test_the_clients_num_retries_rides_out_one_failure(
    google_fake: GoogleFake,
    impersonate: Callable[..., Any],
    google_clients: GoogleClients,
    status: int,
) -> None:
    stored = google_fake.add_message(ANN, make_message())
    google_fake.fail("gmail.users.messages.get", status=status, times=1, retry_after=1)
    messages = google_clients.gmail(impersonate(ANN)).users().messages()

    got = messages.get(userId="me", id=stored.id).execute(num_retries=3)

    assert got["id"] == stored.id
    assert google_fake.request_count("gmail.users.messages.get") == 2


def test_a_fault_for_one_user_leaves_the_others_alone(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    google_fake.fail("gmail.users.getProfile", status=500, times=5, user=BEN)

    ann = google_clients.gmail(impersonate(ANN)).users().getProfile(userId="me").execute()
    with pytest.raises(HttpError) as failed:
        google_clients.gmail(impersonate(BEN)).users().getProfile(userId="me").execute()

    assert ann["emailAddress"] == ANN
    assert failed.value.status_code == 500


def test_a_duplicated_page_is_served_twice_then_listing_goes_on(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    for i in range(9):
        google_fake.add_message(ANN, make_message(subject=f"Dup {i}"), internal_date=1000 + i)
    google_fake.duplicate_pages("gmail.users.messages.list", times=1)
    messages = google_clients.gmail(impersonate(ANN)).users().messages()

    request = messages.list(userId="me", maxResults=4)
    pages = []
    while request is not None:
        page = request.execute()
        pages.append([m["id"] for m in page["messages"]])
        request = messages.list_next(request, page)

    assert len(pages) == 4
    assert pages[0] == pages[1]
    assert [len(p) for p in pages] == [4, 4, 4, 1]
    assert len({i for p in pages for i in p}) == 9
    assert google_fake.request_count("gmail.users.messages.list") == 4


def test_requests_are_counted_per_route_and_per_user(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    ann = google_clients.gmail(impersonate(ANN)).users()
    ben = google_clients.gmail(impersonate(BEN)).users()

    ann.getProfile(userId="me").execute()
    ann.getProfile(userId="me").execute()
    ann.labels().list(userId="me").execute()
    ben.getProfile(userId="me").execute()

    assert google_fake.request_count("gmail.users.getProfile") == 3
    assert google_fake.request_count("gmail.users.getProfile", user=ANN) == 2
    assert google_fake.request_count("gmail.users.labels.list", user=BEN) == 0
    assert google_fake.request_counts() == {
        "gmail.users.getProfile": 3,
        "gmail.users.labels.list": 1,
        "oauth2.token": 2,
    }

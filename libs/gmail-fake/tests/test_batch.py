"""The batch endpoint, as BatchHttpRequest of the real client uses it.

Each test makes one plain call before its batch: a batch that has to refresh the credentials
itself does it on an httplib2.Http it never closes (googleapiclient._auth.refresh_credentials),
which leaves a socket to the garbage collector and fails the test on its ResourceWarning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from googleapiclient.errors import HttpError

from gmail_fake import GoogleFake
from gmail_fake.testing import GoogleClients, gmail_batch, make_message

ANN = "ann@fund.example"


def test_a_batch_gets_fifty_messages_in_one_request(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    ids = [google_fake.add_message(ANN, make_message(subject=f"Batch {i}")).id for i in range(50)]
    users = google_clients.gmail(impersonate(ANN)).users()
    users.getProfile(userId="me").execute()
    messages = users.messages()
    answers: dict[str, tuple[Any, Any]] = {}
    batch = gmail_batch(google_fake, lambda rid, got, error: answers.__setitem__(rid, (got, error)))
    for message_id in ids:
        batch.add(messages.get(userId="me", id=message_id, format="full"), request_id=message_id)

    batch.execute()

    assert set(answers) == set(ids)
    assert all(error is None for _, error in answers.values())
    assert all(got["id"] == rid for rid, (got, _) in answers.items())
    subjects = {
        h["value"]
        for got, _ in answers.values()
        for h in got["payload"]["headers"]
        if h["name"] == "Subject"
    }
    assert subjects == {f"Batch {i}" for i in range(50)}
    assert google_fake.request_count("batch") == 1
    assert google_fake.request_count("gmail.users.messages.get", user=ANN) == 50


def test_each_request_of_a_batch_fails_on_its_own(
    google_fake: GoogleFake, impersonate: Callable[..., Any], google_clients: GoogleClients
) -> None:
    ids = [google_fake.add_message(ANN, make_message()).id for _ in range(3)]
    google_fake.fail("gmail.users.messages.get", status=429, times=1, retry_after=2)
    users = google_clients.gmail(impersonate(ANN)).users()
    users.getProfile(userId="me").execute()
    messages = users.messages()
    answers: dict[str, tuple[Any, Any]] = {}
    batch = gmail_batch(google_fake, lambda rid, got, error: answers.__setitem__(rid, (got, error)))
    for message_id in [*ids, "0000000000000000"]:
        batch.add(messages.get(userId="me", id=message_id, format="minimal"), request_id=message_id)

    batch.execute()

    errors = {rid: error for rid, (_, error) in answers.items() if error is not None}
    assert set(errors) == {ids[0], "0000000000000000"}
    assert isinstance(errors[ids[0]], HttpError)
    assert errors[ids[0]].status_code == 429
    assert errors[ids[0]].resp["retry-after"] == "2"
    assert isinstance(errors["0000000000000000"], HttpError)
    assert errors["0000000000000000"].status_code == 404
    assert [answers[rid][0]["id"] for rid in ids[1:]] == ids[1:]

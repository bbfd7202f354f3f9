"""The CloudEvents envelope."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crm_common.events import Actor, CloudEvent


def test_an_event_round_trips_through_json_with_every_attribute() -> None:
    event = CloudEvent(
        source="/crm-api",
        type="crm.contact.created",
        subject="0193-abc",
        actor=Actor(kind="user", id="u-1", name="ada"),
        version=1,
        data={"first_name": "Ada"},
    )
    parsed = CloudEvent.from_bytes(event.to_bytes())
    assert parsed == event
    assert parsed.specversion == "1.0"
    assert parsed.datacontenttype == "application/json"
    assert parsed.time.tzinfo is not None
    assert parsed.aggregate == "crm.contact"
    assert parsed.action == "created"


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "crm.contact"},
        {"type": "crm..created"},
        {"version": 0},
        {"specversion": "0.3"},
        {"actor": {"kind": "robot", "id": "x"}},
        {"surprise": True},
    ],
)
def test_an_invalid_envelope_is_refused(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "source": "/crm-api",
        "type": "crm.contact.created",
        "subject": "id",
        "actor": {"kind": "user", "id": "u"},
        "version": 1,
    }
    fields.update(changes)
    with pytest.raises(ValidationError):
        CloudEvent.model_validate(fields)

"""The streams: created and updated idempotently, capturing only event subjects."""

from __future__ import annotations

import pytest
from nats.errors import NoRespondersError
from nats.js.api import StorageType, StreamConfig

from crm_common.bus.connection import Bus
from crm_common.bus.streams import DUPLICATE_WINDOW_S, STREAMS, ensure_streams

pytestmark = pytest.mark.anyio


async def test_ensure_streams_creates_every_stream_on_file_storage_with_a_duplicate_window(
    bus: Bus,
) -> None:
    await ensure_streams(bus.js)
    for spec in STREAMS:
        info = await bus.js.stream_info(spec.name)
        assert info.config.storage == StorageType.FILE
        assert info.config.duplicate_window == DUPLICATE_WINDOW_S
        assert sorted(info.config.subjects or []) == sorted(spec.subjects)
    assert {s.name for s in STREAMS} == {"CRM", "GMAIL", "RESOLVER", "DLQ"}


async def test_ensure_streams_twice_keeps_the_streams_and_their_messages(bus: Bus) -> None:
    await ensure_streams(bus.js)
    await bus.js.publish("crm.contact.created", b"{}")
    await ensure_streams(bus.js)
    info = await bus.js.stream_info("CRM")
    assert info.state.messages == 1


async def test_ensure_streams_puts_back_a_changed_configuration(bus: Bus) -> None:
    await ensure_streams(bus.js)
    await bus.js.update_stream(
        StreamConfig(name="CRM", subjects=["crm.contact.>"], storage=StorageType.FILE)
    )
    await ensure_streams(bus.js)
    info = await bus.js.stream_info("CRM")
    assert info.config.subjects == ["crm.>"]
    assert info.config.duplicate_window == DUPLICATE_WINDOW_S


async def test_request_reply_subjects_are_not_captured_by_any_stream(bus: Bus) -> None:
    await ensure_streams(bus.js)
    for subject in ("resolver.resolve", "gmail.thread", "search.query"):
        with pytest.raises(NoRespondersError):
            await bus.nc.request(subject, b"{}", timeout=2)

"""JSON logs with context ids, and no secrets in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from crm_common import logging as crm_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    crm_logging.configure_logging("test-svc", "DEBUG", stream=out)
    yield out
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_the_service_and_request_id(
    stream: io.StringIO,
) -> None:
    token = crm_logging.request_id.set("req-42")
    try:
        logging.getLogger("x").info("hello %s", "world", extra={"contact_id": "c-1"})
    finally:
        crm_logging.request_id.reset(token)
    (record,) = lines(stream)
    assert record["message"] == "hello world"
    assert record["service"] == "test-svc"
    assert record["request_id"] == "req-42"
    assert record["contact_id"] == "c-1"
    assert record["level"] == "INFO"
    assert "time" in record


def test_secrets_are_masked_in_messages_arguments_and_extra_fields(stream: io.StringIO) -> None:
    log = logging.getLogger("x")
    log.warning("login with password=hunter2hunter2 failed")
    log.warning("header %s", "Authorization: Bearer eyJhbGciOiJIUzI1.eyJzdWIiOiIx.c2lnbmF0dXJl")
    log.warning("key used", extra={"api_key": "lpcrm_abcdef123456", "note": "lpcrm_zzzzzzzzzzzz"})
    text = stream.getvalue()
    for secret in (
        "hunter2hunter2",
        "eyJhbGciOiJIUzI1",
        "lpcrm_abcdef123456",
        "lpcrm_zzzzzzzzzzzz",
    ):
        assert secret not in text
    assert text.count(crm_logging.MASK) >= 4


def test_secrets_in_exception_tracebacks_are_masked(stream: io.StringIO) -> None:
    try:
        raise ValueError("token=abcdef0123456789 rejected")
    except ValueError:
        logging.getLogger("x").exception("failed")
    assert "abcdef0123456789" not in stream.getvalue()

"""The pieces of a tool call the log and crm-api rely on: the key and the idempotency key (the
digest both compute is crm_common.contracts.interactions', tested in libs/common)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_gateway.app import build_gateway
from mcp_gateway.calls import Call, key_from_headers
from mcp_gateway.errors import Denied
from mcp_gateway.identity import Caller, KeyInfo
from mcp_gateway.settings import Settings


@pytest.mark.parametrize(
    ("headers", "key"),
    [
        ({"x-api-key": "lpcrm_a"}, "lpcrm_a"),
        ({"authorization": "Bearer lpcrm_b"}, "lpcrm_b"),
        ({"authorization": "Basic abc"}, None),
        ({}, None),
    ],
)
def test_the_key_comes_from_x_api_key_or_a_bearer_token(
    headers: dict[str, str], key: str | None
) -> None:
    assert key_from_headers(headers) == key


def _call(tmp_path: Path, session: str, **arguments: object) -> Call:
    gateway = build_gateway(Settings(DATA_DIR=tmp_path))
    caller = Caller(key="lpcrm_x", session_id=session, info=KeyInfo(None, None, frozenset()))
    return Call(gateway=gateway, caller=caller, tool="add_note", arguments=arguments)


def test_the_derived_idempotency_key_follows_the_session_and_the_arguments(
    tmp_path: Path,
) -> None:
    same = _call(tmp_path, "s1", body="hi", dry_run=False).idempotency_key(None)
    assert same == _call(tmp_path, "s1", body="hi", dry_run=False).idempotency_key(None)
    assert same != _call(tmp_path, "s2", body="hi", dry_run=False).idempotency_key(None)
    assert same != _call(tmp_path, "s1", body="hi", dry_run=True).idempotency_key(None)
    assert _call(tmp_path, "s1", body="hi").idempotency_key("mine-12345") == "mine-12345"


def test_an_http_message_without_a_key_is_refused_even_when_stdio_has_one(
    tmp_path: Path,
) -> None:
    gateway = build_gateway(Settings(DATA_DIR=tmp_path, api_key="lpcrm_stdio"), stdio=True)
    assert gateway.credentials(None) == ("lpcrm_stdio", gateway.stdio_session_id)
    with pytest.raises(Denied):
        gateway.credentials({"content-type": "application/json"})

"""The interaction log's payload digest: the canonical JSON crm-api and the MCP gateway agree on."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from pydantic import BaseModel

from crm_common.contracts.interactions import digest


class _Ref(BaseModel):
    type: str
    id: str


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_digest_is_of_the_json_with_sorted_keys_and_no_spaces() -> None:
    payload = {"query": "side letter", "limit": 10, "since": None, "ids": ["b", "a"]}
    expected = '{"ids":["b","a"],"limit":10,"query":"side letter","since":null}'
    assert digest(payload) == _sha256(expected)


def test_datetimes_and_models_are_rendered_as_pydantic_renders_them() -> None:
    payload = {
        "since": datetime(2026, 11, 5, tzinfo=UTC),
        "due": date(2026, 11, 6),
        "evidence": [_Ref(type="contact", id="c-1")],
    }
    expected = (
        '{"due":"2026-11-06","evidence":[{"id":"c-1","type":"contact"}],'
        '"since":"2026-11-05T00:00:00Z"}'
    )
    assert digest(payload) == _sha256(expected)


def test_text_outside_ascii_is_escaped_as_json_escapes_it() -> None:
    assert digest({"name": "Zoë"}) == _sha256('{"name":"Zo\\u00eb"}')

"""Snippets and cursors: the pure parts of a search."""

from __future__ import annotations

import pytest

from crm_common.contracts.search import SearchFilters, SearchRequest
from crm_ingest.search.errors import InvalidCursor
from crm_ingest.search.service import decode_cursor, encode_cursor
from crm_ingest.search.snippets import snippet


def test_a_short_text_is_its_own_snippet() -> None:
    assert snippet("Capital call  timing.\n", "call", 100) == "Capital call timing."


def test_the_snippet_shows_the_first_query_term_on_word_boundaries() -> None:
    text = " ".join(f"word{n}" for n in range(200)) + " the Zyxwell secondary sale " + "tail " * 50
    shown = snippet(text, "zyxwell sale", 120)
    assert "Zyxwell secondary sale" in shown
    assert shown.startswith("…")
    assert shown.endswith("…")
    assert len(shown) <= 122
    assert not shown[1:].startswith(" ")


def test_a_placeholder_is_never_cut() -> None:
    text = "x " * 60 + "account [ACCOUNT_NUMBER_12] wired " + "y " * 60
    for size in range(80, 140, 3):
        shown = snippet(text, "wired", size)
        assert ("[ACCOUNT_NUMBER_12]" in shown) or ("ACCOUNT" not in shown and "_12]" not in shown)


def test_a_cursor_belongs_to_its_search() -> None:
    request = SearchRequest(query="capital call", top_k=5)
    cursor = encode_cursor(5, request)
    assert decode_cursor(request.model_copy(update={"cursor": cursor})) == 5
    other = SearchRequest(
        query="capital call", top_k=5, cursor=cursor, filters=SearchFilters(types=["call"])
    )
    with pytest.raises(InvalidCursor):
        decode_cursor(other)
    with pytest.raises(InvalidCursor):
        decode_cursor(request.model_copy(update={"cursor": "bm90LWpzb24"}))
    with pytest.raises(InvalidCursor):
        decode_cursor(request.model_copy(update={"cursor": encode_cursor(10_000, request)}))

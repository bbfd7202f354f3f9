"""Chunks stay within the token limit, break on paragraphs and sentences, and overlap."""

from __future__ import annotations

import pytest

from crm_ingest.chunking.splitter import split_sentences, split_text


def words(text: str) -> int:
    return len(text.split())


def test_a_short_text_is_one_chunk() -> None:
    assert split_text("  Met the CIO.  ", count_tokens=words, max_tokens=50) == ["Met the CIO."]


def test_an_empty_text_has_no_chunks() -> None:
    assert split_text(" \n ", count_tokens=words, max_tokens=50) == []


def test_sentences_end_at_punctuation_but_not_after_abbreviations_or_initials() -> None:
    text = (
        "Met Dr. Lovelace and J. Smith at 9 a.m. today. She asked about Fund IV! Next step?\nDeck"
    )
    assert split_sentences(text) == [
        "Met Dr. Lovelace and J. Smith at 9 a.m. today.",
        "She asked about Fund IV!",
        "Next step?",
        "Deck",
    ]


def test_long_text_splits_on_paragraphs_first() -> None:
    paragraphs = [" ".join(f"p{p}w{i}" for i in range(12)) + "." for p in range(4)]
    chunks = split_text("\n\n".join(paragraphs), count_tokens=words, max_tokens=25)
    assert chunks == ["\n\n".join(paragraphs[0:2]), "\n\n".join(paragraphs[2:4])]


def test_chunks_stay_within_the_limit_and_overlap_by_whole_sentences() -> None:
    sentences = [f"Sentence {i} has exactly seven words here." for i in range(20)]
    chunks = split_text(" ".join(sentences), count_tokens=words, max_tokens=30, overlap_tokens=8)
    assert len(chunks) > 3
    assert all(words(chunk) <= 30 for chunk in chunks)
    for before, after in zip(chunks, chunks[1:], strict=False):
        last_sentence = before.rsplit(".", 2)[-2].strip() + "."
        assert after.startswith(last_sentence)
    joined = " ".join(chunks)
    assert all(sentence in joined for sentence in sentences)


def test_a_run_on_sentence_is_cut_into_word_windows() -> None:
    text = " ".join(f"w{i}" for i in range(95))
    chunks = split_text(text, count_tokens=words, max_tokens=20)
    assert [words(c) for c in chunks] == [20, 20, 20, 20, 15]


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        split_text("x", count_tokens=words, max_tokens=0)


def test_chunks_fit_the_real_model_tokenizer(minilm: object) -> None:
    from crm_ingest.embeddings.minilm import MiniLMEmbedder

    assert isinstance(minilm, MiniLMEmbedder)
    body = " ".join(
        f"On call {i} the endowment's CIO asked about capital call timing and K-1 delivery."
        for i in range(80)
    )
    chunks = split_text(
        body, count_tokens=minilm.count_tokens, max_tokens=minilm.spec.max_tokens, overlap_tokens=32
    )
    assert len(chunks) > 3
    assert all(minilm.count_tokens(c) <= minilm.spec.max_tokens for c in chunks)

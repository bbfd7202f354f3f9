"""Chunks within a token limit, split on paragraph, then sentence, then word boundaries.

A text that fits is one chunk. A longer one is cut into units: paragraphs that fit, else their
sentences, else (a run-on sentence) windows of words. Units are packed greedily into chunks of at
most `max_tokens`; each chunk after the first starts with the last units of the one before, up to
`overlap_tokens`, so a fact that straddles a boundary is whole in at least one chunk. Tokens are
counted with the embedding model's own tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

TokenCounter = Callable[[str], int]

_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")
# A sentence ends at . ! ? or … (and any closing quotes or brackets), before whitespace and a
# capital, a digit or an opening quote; a single line break inside a paragraph ends one too.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "llc",
        "lp",
        "no",
        "approx",
        "dept",
        "est",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "a.m",
        "p.m",
    ]
)


@dataclass(frozen=True)
class _Unit:
    text: str
    tokens: int
    ends_paragraph: bool


def split_sentences(paragraph: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.start()].rstrip()
        last_word = candidate.rsplit(None, 1)[-1].rstrip(".").lower() if candidate else ""
        if match.group(0) != "\n" and (
            last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word)
        ):
            continue  # "Dr. Lovelace", "J. Smith": not the end of a sentence
        if candidate.strip():
            sentences.append(candidate.strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _word_windows(sentence: str, count: TokenCounter, max_tokens: int) -> list[str]:
    windows: list[str] = []
    current: list[str] = []
    for word in sentence.split():
        trial = " ".join([*current, word])
        if current and count(trial) > max_tokens:
            windows.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        windows.append(" ".join(current))
    return windows


def _units(text: str, count: TokenCounter, max_tokens: int) -> list[_Unit]:
    units: list[_Unit] = []
    for paragraph in _PARAGRAPHS.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        tokens = count(paragraph)
        if tokens <= max_tokens:
            units.append(_Unit(paragraph, tokens, True))
            continue
        parts: list[str] = []
        for sentence in split_sentences(paragraph):
            if count(sentence) <= max_tokens:
                parts.append(sentence)
            else:
                parts += _word_windows(sentence, count, max_tokens)
        for i, part in enumerate(parts):
            units.append(_Unit(part, count(part), i == len(parts) - 1))
    return units


def _join(units: list[_Unit]) -> str:
    out = ""
    for i, unit in enumerate(units):
        if i:
            out += "\n\n" if units[i - 1].ends_paragraph else " "
        out += unit.text
    return out


def split_text(
    text: str, *, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int = 0
) -> list[str]:
    """The chunks of `text`, in order; none longer than `max_tokens` (by `count_tokens`)."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    text = text.strip()
    if not text:
        return []
    if count_tokens(text) <= max_tokens:
        return [text]
    overlap_tokens = min(overlap_tokens, max_tokens // 2)
    chunks: list[str] = []
    current: list[_Unit] = []
    fresh = 0  # units in `current` that no earlier chunk holds
    for unit in _units(text, count_tokens, max_tokens):
        if current and count_tokens(_join([*current, unit])) > max_tokens:
            if fresh:
                chunks.append(_join(current))
            current = _overlap(current, overlap_tokens)
            while current and count_tokens(_join([*current, unit])) > max_tokens:
                current = current[1:]
            fresh = 0
        current.append(unit)
        fresh += 1
    if current and fresh:
        chunks.append(_join(current))
    return chunks


def _overlap(units: list[_Unit], overlap_tokens: int) -> list[_Unit]:
    kept: list[_Unit] = []
    total = 0
    for unit in reversed(units):
        if total + unit.tokens > overlap_tokens:
            break
        kept.insert(0, unit)
        total += unit.tokens
    return kept

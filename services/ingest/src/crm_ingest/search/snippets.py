"""The snippet of a hit: a window of its chunk around the first query term found, cut on word
boundaries and never through a redaction placeholder."""

from __future__ import annotations

import re

_WORD = re.compile(r"[\w'-]{3,}", re.UNICODE)
_PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


def _stems(query: str) -> list[str]:
    return sorted({w.lower()[:5] for w in _WORD.findall(query)}, key=len, reverse=True)


def snippet(text: str, query: str, max_chars: int) -> str:
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    lowered = text.lower()
    positions = [p for p in (lowered.find(stem) for stem in _stems(query)) if p >= 0]
    first = min(positions) if positions else 0
    start = max(0, first - max_chars // 4)
    end = min(len(text), start + max_chars)
    start = max(0, end - max_chars)
    for match in _PLACEHOLDER.finditer(text):  # widen to keep placeholders whole
        if match.start() < start < match.end():
            start = match.start()
        if match.start() < end < match.end():
            end = match.end()
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")

"""Text as the quick `q` match compares it (accents folded, case folded, spaces squeezed), and
text as a spreadsheet must never run it (formula guard)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """ "Müller  O'Brien" → "muller o'brien": what a partner types matches what was stored."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


# A text a spreadsheet would run as a formula (CSV injection, OWASP): written with a leading
# apostrophe, which spreadsheets show as text and `unguard` takes off again on import.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text

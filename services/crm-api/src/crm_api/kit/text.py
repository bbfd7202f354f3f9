"""Text as the quick `q` match compares it: accents folded, case folded, spaces squeezed."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """ "Müller  O'Brien" → "muller o'brien": what a partner types matches what was stored."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())

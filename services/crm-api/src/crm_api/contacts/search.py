"""What a contact's quick `q` match runs over, and how a query becomes a match on it.

The document is the folded full name, the addresses and the organization names, a line each. A
query of three characters or more is answered by the index (PostgreSQL pg_trgm, SQLite FTS5
trigram); a shorter one by a scan of the documents, which are small.
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_api.kit.text import fold

INDEXED_LENGTH = 3  # trigrams: shorter queries cannot use the index


def compose_document(
    first_name: str, last_name: str, emails: Iterable[str], organizations: Iterable[str]
) -> str:
    lines = [f"{first_name} {last_name}", *sorted(emails), *sorted(organizations)]
    return "\n".join(fold(line) for line in lines)


def fts_phrase(query: str) -> str:
    """An FTS5 phrase matching `query` as a substring (the trigram tokenizer)."""
    return '"' + fold(query).replace('"', '""') + '"'

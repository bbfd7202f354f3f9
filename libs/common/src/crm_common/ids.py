"""Identifiers: UUIDv7 for records and events, so ids sort by creation time."""

from __future__ import annotations

import uuid

from uuid_utils.compat import uuid7


def new_id() -> uuid.UUID:
    """A new UUIDv7."""
    return uuid7()


def new_id_str() -> str:
    """A new UUIDv7 as its canonical string."""
    return str(uuid7())

"""A source record's reference: (source kind, source id)."""

from __future__ import annotations

from typing import NamedTuple

# The kinds that say who someone is; dependents (lp_profile, grid_row) follow their investor.
IDENTITY_KINDS = frozenset({"contact", "organization", "email_participant"})
DEPENDENT_KINDS = frozenset({"lp_profile", "grid_row"})


class Ref(NamedTuple):
    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

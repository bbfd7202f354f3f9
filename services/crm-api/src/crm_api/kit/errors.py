"""Errors every aggregate can raise.

CRMError
├── NotFound
│   └── RecordNotFound          no live record with that id
├── Conflict
│   ├── VersionConflict         If-Match names an older version; carries the current record
│   ├── DuplicateRecord         a unique rule (an email, a name) is already taken
│   └── IdempotencyConflict     the Idempotency-Key was used for another request
├── PreconditionRequired        428: a change without If-Match
└── UnprocessableEntity
    └── InvalidValue            a value the rules refuse (a stage, a type, a link)
"""

from __future__ import annotations

from typing import Any

from crm_common.errors import Conflict, CRMError, NotFound, UnprocessableEntity


class RecordNotFound(NotFound):
    title = "No such record"
    slug = "record-not-found"


class VersionConflict(Conflict):
    title = "The record changed since you read it"
    slug = "version-conflict"

    def __init__(self, *, current_version: int, current: dict[str, Any]) -> None:
        super().__init__(
            f"the record is at version {current_version}; reload it and apply your change again",
            current_version=current_version,
            current=current,
        )


class DuplicateRecord(Conflict):
    title = "Already exists"
    slug = "duplicate"


class StillReferenced(Conflict):
    title = "Still referenced"
    slug = "still-referenced"


class IdempotencyConflict(Conflict):
    title = "Idempotency-Key reused for a different request"
    slug = "idempotency-key-reused"


class PreconditionRequired(CRMError):
    status = 428
    title = "If-Match required"
    slug = "precondition-required"


class InvalidValue(UnprocessableEntity):
    title = "Invalid value"
    slug = "invalid-value"

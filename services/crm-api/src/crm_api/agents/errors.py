"""Agent action errors.

CRMError
└── UnprocessableEntity
    ├── IdempotencyKeyRequired   an API key's action without an Idempotency-Key
    └── BadEvidence              no evidence from an API key, or evidence naming no live record
"""

from __future__ import annotations

from crm_common.errors import UnprocessableEntity


class IdempotencyKeyRequired(UnprocessableEntity):
    title = "Idempotency-Key required"
    slug = "idempotency-key-required"


class BadEvidence(UnprocessableEntity):
    title = "Evidence refused"
    slug = "bad-evidence"

"""Agent action and proposal errors.

CRMError
├── Forbidden
│   └── NotADecider              only a signed-in person decides a proposal (an agent key never)
├── Conflict
│   ├── ProposalDecided          it was approved, rejected or failed already
│   └── ProposalStale            its target changed or went away: it stays pending
└── UnprocessableEntity
    ├── IdempotencyKeyRequired   an API key's action without an Idempotency-Key
    └── BadEvidence              no evidence from an API key, or evidence naming no live record
"""

from __future__ import annotations

from crm_common.errors import Conflict, Forbidden, UnprocessableEntity


class IdempotencyKeyRequired(UnprocessableEntity):
    title = "Idempotency-Key required"
    slug = "idempotency-key-required"


class BadEvidence(UnprocessableEntity):
    title = "Evidence refused"
    slug = "bad-evidence"


class NotADecider(Forbidden):
    title = "Only a person decides a proposal"
    slug = "not-a-decider"


class ProposalDecided(Conflict):
    title = "The proposal was already decided"
    slug = "proposal-decided"


class ProposalStale(Conflict):
    title = "The proposal no longer applies"
    slug = "proposal-stale"

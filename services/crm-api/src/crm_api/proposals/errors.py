"""Proposal errors.

CRMError
├── Forbidden
│   └── NotADecider           only a signed-in person decides a proposal (an agent key never)
└── Conflict
    ├── ProposalDecided       it was approved, rejected or failed already
    └── ProposalStale         its target changed or went away: it stays pending
"""

from __future__ import annotations

from crm_common.errors import Conflict, Forbidden


class NotADecider(Forbidden):
    title = "Only a person decides a proposal"
    slug = "not-a-decider"


class ProposalDecided(Conflict):
    title = "The proposal was already decided"
    slug = "proposal-decided"


class ProposalStale(Conflict):
    title = "The proposal no longer applies"
    slug = "proposal-stale"

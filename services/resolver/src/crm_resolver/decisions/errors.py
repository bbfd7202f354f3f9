"""Failures of merges, splits, rejections and undos.

CRMError
├── NotFound
│   └── DecisionNotFound     no decision has that id
├── Conflict
│   └── DecisionConflict     the entities are not as the decision needs them (already one,
│                            changed by a later decision, already undone)
└── UnprocessableEntity
    └── InvalidDecision      the request cannot be a decision (a person and an organization,
                             records not in the entity, a split that would empty it)
"""

from __future__ import annotations

from crm_common.errors import Conflict, NotFound, UnprocessableEntity


class DecisionNotFound(NotFound):
    title = "No such decision"
    slug = "decision-not-found"


class DecisionConflict(Conflict):
    title = "The entities are not as this decision needs them"
    slug = "decision-conflict"


class InvalidDecision(UnprocessableEntity):
    title = "Not a valid decision"
    slug = "invalid-decision"

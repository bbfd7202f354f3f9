"""Failures of the review queue.

CRMError
├── NotFound
│   └── ReviewItemNotFound    no item has that id
└── Conflict
    └── ReviewItemClosed      the item was decided already (or its pair merged otherwise)
"""

from __future__ import annotations

from crm_common.errors import Conflict, NotFound


class ReviewItemNotFound(NotFound):
    title = "No such review item"
    slug = "review-item-not-found"


class ReviewItemClosed(Conflict):
    title = "The review item is no longer open"
    slug = "review-item-closed"

"""Why a search is refused.

UnprocessableEntity (422)
├── InvalidCursor       the cursor is not one this search gave, or is too deep
└── ModeUnavailable     `lexical` needs a collection built by bge-m3
ServiceUnavailable (503)
└── IndexNotReady       the model is still loading, or the collection is another model's
"""

from __future__ import annotations

from crm_common.errors import ServiceUnavailable, UnprocessableEntity


class InvalidCursor(UnprocessableEntity):
    title = "Invalid cursor"
    slug = "invalid-cursor"


class ModeUnavailable(UnprocessableEntity):
    title = "Search mode not available"
    slug = "mode-unavailable"


class IndexNotReady(ServiceUnavailable):
    title = "The search index is not ready"
    slug = "index-not-ready"

"""The mail domain's expected failures.

CRMError
└── NotFound
    └── MessageNotFound   404: no such message, or one that is not served (unmatched,
                          private, deleted)
"""

from __future__ import annotations

from crm_common.errors import NotFound


class MessageNotFound(NotFound):
    title = "Message not found"
    slug = "message-not-found"

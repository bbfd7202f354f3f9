"""The attachment store's expected failures.

CRMError
├── PayloadTooLarge
│   └── AttachmentTooLarge   413: over the store's size cap
└── NotFound
    └── AttachmentNotFound   404: no file for that SHA-256 (or not a SHA-256 at all)
"""

from __future__ import annotations

from crm_common.errors import NotFound, PayloadTooLarge


class AttachmentTooLarge(PayloadTooLarge):
    title = "Attachment too large"
    slug = "attachment-too-large"


class AttachmentNotFound(NotFound):
    title = "Attachment not found"
    slug = "attachment-not-found"

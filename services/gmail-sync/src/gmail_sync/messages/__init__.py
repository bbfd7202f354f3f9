"""Messages: raw Gmail messages parsed, their files stored, their threads keyed.

A pure library (no database, no bus): the sync calls it.

- `parse` (parser.py): bytes → `ParsedMessage` (schemas.py); header rules in headers.py, charset
  rules in charsets.py, HTML and searchable text in bodies.py, forwards in forwards.py.
- `synthetic_message_id` (headers.py): the stand-in for a missing Message-ID.
- `AttachmentStore` (store.py): files once per SHA-256 under `DATA_DIR/attachments`.
- `assign_thread_keys` (threads.py): canonical thread keys from RFC ids, then Gmail threads.
"""

from gmail_sync.messages.errors import AttachmentNotFound, AttachmentTooLarge
from gmail_sync.messages.headers import synthetic_message_id
from gmail_sync.messages.parser import parse
from gmail_sync.messages.schemas import Address, Attachment, Forwarded, ParsedMessage
from gmail_sync.messages.store import AttachmentStore
from gmail_sync.messages.threads import ThreadRef, assign_thread_keys, thread_key, thread_ref

__all__ = [
    "Address",
    "Attachment",
    "AttachmentNotFound",
    "AttachmentStore",
    "AttachmentTooLarge",
    "Forwarded",
    "ParsedMessage",
    "ThreadRef",
    "assign_thread_keys",
    "parse",
    "synthetic_message_id",
    "thread_key",
    "thread_ref",
]

"""Every table of gmail-sync, imported so that `Base.metadata` knows them all (for Alembic)."""

from gmail_sync.accounts.models import Account, OAuthState, OAuthToken
from gmail_sync.database import Base
from gmail_sync.mail.models import (
    EmailAttachment,
    EmailLink,
    EmailMessage,
    EmailParticipant,
    EmailSighting,
)
from gmail_sync.sync.models import SyncRun, SyncState

metadata = Base.metadata

__all__ = [
    "Account",
    "EmailAttachment",
    "EmailLink",
    "EmailMessage",
    "EmailParticipant",
    "EmailSighting",
    "OAuthState",
    "OAuthToken",
    "SyncRun",
    "SyncState",
    "metadata",
]

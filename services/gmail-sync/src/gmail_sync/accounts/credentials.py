"""Google credentials for an account: the service account impersonating the mailbox's owner
(domain-wide delegation), or the user's own OAuth grant. Token exchanges go to the settings'
`TOKEN_URI` (Google's, or the fake's)."""

from __future__ import annotations

import json
from typing import Any

from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from gmail_sync.accounts.errors import CredentialsNotConfigured
from gmail_sync.settings import GMAIL_READONLY, Settings

SCOPES = [GMAIL_READONLY]


def delegated(settings: Settings, *, subject: str) -> Any:
    """Service-account credentials acting as `subject`.

    Raises:
        CredentialsNotConfigured: no GMAIL_SYNC_SERVICE_ACCOUNT_FILE.
    """
    if settings.service_account_file is None:
        raise CredentialsNotConfigured("GMAIL_SYNC_SERVICE_ACCOUNT_FILE is not set")
    info = json.loads(settings.service_account_file.read_text())
    info["token_uri"] = settings.token_uri
    # google-auth leaves this classmethod unannotated.
    base = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        info, scopes=SCOPES
    )
    return base.with_subject(subject)


def user_grant(settings: Settings, *, refresh_token: str) -> Any:
    """The user's OAuth credentials from their refresh token (an access token is fetched on the
    first call).

    Raises:
        CredentialsNotConfigured: no OAuth client in the settings.
    """
    if not settings.oauth_client_id or settings.oauth_client_secret is None:
        raise CredentialsNotConfigured("GMAIL_SYNC_OAUTH_CLIENT_ID/SECRET are not set")
    return user_credentials.Credentials(  # type: ignore[no-untyped-call]
        None,
        refresh_token=refresh_token,
        token_uri=settings.token_uri,
        client_id=settings.oauth_client_id,
        client_secret=settings.oauth_client_secret.get_secret_value(),
        scopes=SCOPES,
    )

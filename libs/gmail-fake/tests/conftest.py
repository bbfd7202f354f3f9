"""Credentials of the real google-auth against the fake: a service account impersonating a user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gmail_fake import GoogleFake
from gmail_fake.testing import CALENDAR_READONLY, GMAIL_READONLY, delegated_credentials

SERVICE_ACCOUNT = "gmail-sync@crm-test.iam.example"


@pytest.fixture
def impersonate(google_fake: GoogleFake) -> Callable[..., Any]:
    """`impersonate(user)`: service-account credentials with domain-wide delegation for `user`."""
    key = google_fake.add_service_account(
        SERVICE_ACCOUNT, scopes=[GMAIL_READONLY, CALENDAR_READONLY]
    )

    def credentials(user: str, scopes: tuple[str, ...] = (GMAIL_READONLY,)) -> Any:
        return delegated_credentials(key, user, list(scopes))

    return credentials

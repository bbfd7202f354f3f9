"""Credentials of the real google-auth against the fake: a service account impersonating a user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gmail_fake import GoogleFake
from gmail_fake.testing import CALENDAR_READONLY, GMAIL_READONLY, delegated_credentials

SERVICE_ACCOUNT = "gmail-sync@crm-test.iam.example"


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def impersonate(google_fake: GoogleFake, signing_key: rsa.RSAPrivateKey) -> Callable[..., Any]:
    """`impersonate(user)`: service-account credentials with domain-wide delegation for `user`."""
    key = google_fake.add_service_account(
        SERVICE_ACCOUNT, scopes=[GMAIL_READONLY, CALENDAR_READONLY], private_key=signing_key
    )

    def credentials(user: str, scopes: tuple[str, ...] = (GMAIL_READONLY,)) -> Any:
        return delegated_credentials(key, user, list(scopes))

    return credentials

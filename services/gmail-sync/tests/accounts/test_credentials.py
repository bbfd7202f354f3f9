"""Per-user OAuth (authorization code + PKCE + state) against the fake's consent page and token
endpoint; refresh tokens encrypted at rest under a key that can rotate; the settings' secrets."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gmail_sync_helpers import (
    KNOWN,
    TOKEN_KEY,
    RunningResolver,
    known_contact,
    make_engine,
    sync,
)
from pydantic import SecretStr, ValidationError

from crm_common.bus.connection import Bus
from crm_common.db import Database
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.accounts import oauth
from gmail_sync.accounts import service as accounts
from gmail_sync.accounts.crypto import TokenCipher
from gmail_sync.accounts.errors import OAuthStateInvalid, TokenUndecryptable
from gmail_sync.accounts.models import Account, OAuthToken
from gmail_sync.settings import Settings

ANN = "ann@fund.example"
CLIENT_ID = "crm-client.apps.example"
CLIENT_SECRET = "client-secret-value"
NEW_KEY = base64.b64encode(bytes(range(100, 132))).decode()


@pytest.fixture
def oauth_settings(settings: Settings, google_fake: GoogleFake) -> Settings:
    google_fake.add_oauth_client(CLIENT_ID, CLIENT_SECRET, [settings.oauth_redirect_uri])
    return settings.model_copy(
        update={
            "oauth_client_id": CLIENT_ID,
            "oauth_client_secret": SecretStr(CLIENT_SECRET),
            "service_account_file": None,
        }
    )


def consent(url: str) -> dict[str, str]:
    """Follow the consent URL as the user's browser would; the redirect's query."""
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def authorize(db: Database, settings: Settings) -> str:
    cipher = TokenCipher.from_settings(settings)
    with db.transaction() as session:
        started = oauth.start(session, settings, cipher, user_id="u-ann", email=ANN)
    redirect = consent(started.url)
    assert redirect["state"] == started.state
    with db.transaction() as session:
        return oauth.finish(
            session, settings, cipher, state=redirect["state"], code=redirect["code"]
        ).id


@pytest.mark.anyio
async def test_a_user_authorizes_with_pkce_and_their_mailbox_syncs(
    gmail_db: Database,
    oauth_settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, make_message(sender=KNOWN, to=ANN, message_id="<o@x.example>"))

    account_id = authorize(gmail_db, oauth_settings)
    result = await sync(make_engine(gmail_db, oauth_settings, bus), account_id)

    assert result.error is None
    assert result.counts["created"] == 1
    with gmail_db.session() as session:
        account = session.get(Account, account_id)
        token = session.get(OAuthToken, account_id)
        assert account is not None
        assert token is not None
        assert (account.auth_kind, account.status) == ("oauth", "active")
        assert token.key_id == "k1"
        assert b"1//fake-" not in token.ciphertext  # encrypted at rest


def test_a_state_token_is_good_once(gmail_db: Database, oauth_settings: Settings) -> None:
    cipher = TokenCipher.from_settings(oauth_settings)
    with gmail_db.transaction() as session:
        started = oauth.start(session, oauth_settings, cipher, user_id="u-ann", email=ANN)
    redirect = consent(started.url)
    with gmail_db.transaction() as session:
        oauth.finish(session, oauth_settings, cipher, state=started.state, code=redirect["code"])
    with pytest.raises(OAuthStateInvalid), gmail_db.transaction() as session:
        oauth.finish(session, oauth_settings, cipher, state=started.state, code=redirect["code"])
    with pytest.raises(OAuthStateInvalid), gmail_db.transaction() as session:
        oauth.finish(session, oauth_settings, cipher, state="forged", code=redirect["code"])


@pytest.mark.anyio
async def test_a_revoked_user_grant_sets_the_account_in_error(
    gmail_db: Database,
    oauth_settings: Settings,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
) -> None:
    account_id = authorize(gmail_db, oauth_settings)
    google_fake.revoke(ANN)

    result = await sync(make_engine(gmail_db, oauth_settings, bus), account_id)

    assert result.error is not None
    with gmail_db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        assert account.status == "error"
        assert "authorize the account again" in account.status_detail


def test_a_token_under_a_retired_key_is_read_and_re_encrypted_under_the_current_one(
    gmail_db: Database, settings: Settings
) -> None:
    with gmail_db.transaction() as session:
        account = accounts.enroll(session, user_id="u-ann", email=ANN, auth_kind="oauth")
        accounts.store_refresh_token(
            session,
            TokenCipher.from_settings(settings),
            account_id=account.id,
            refresh_token="1//secret",
            scopes="",
        )
    rotated = settings.model_copy(
        update={
            "token_key": SecretStr(NEW_KEY),
            "token_key_id": "k2",
            "previous_token_keys": SecretStr(f"k1:{TOKEN_KEY}"),
        }
    )
    rotated_cipher = TokenCipher(rotated.token_keys(), "k2")
    with gmail_db.transaction() as session:
        assert (
            accounts.load_refresh_token(session, rotated_cipher, account_id=account.id)
            == "1//secret"
        )
    with gmail_db.session() as session:
        token = session.get(OAuthToken, account.id)
        assert token is not None
        assert token.key_id == "k2"
    with pytest.raises(TokenUndecryptable), gmail_db.transaction() as session:
        accounts.load_refresh_token(
            session, TokenCipher.from_settings(settings), account_id=account.id
        )


def test_startup_refuses_a_key_file_others_can_read(tmp_path: Path, key_file: Path) -> None:
    os.chmod(key_file, 0o644)
    with pytest.raises(ValidationError, match="readable by group or others"):
        Settings(DATA_DIR=tmp_path, service_account_file=key_file)


def test_config_masks_the_secrets(tmp_path: Path, key_file: Path) -> None:
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "GMAIL_SYNC_SERVICE_ACCOUNT_FILE": str(key_file),
        "GMAIL_SYNC_TOKEN_KEY": TOKEN_KEY,
        "GMAIL_SYNC_OAUTH_CLIENT_ID": CLIENT_ID,
        "GMAIL_SYNC_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "GMAIL_SYNC_EXCLUDED_LABELS": "Personal,Medical",
    }
    result = subprocess.run(
        [sys.executable, "-m", "gmail_sync", "config"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    shown = json.loads(result.stdout)
    assert TOKEN_KEY not in result.stdout
    assert CLIENT_SECRET not in result.stdout
    assert shown["token_key"] == "[set]"
    assert shown["oauth_client_secret"] == "[set]"
    assert shown["excluded_labels"] == ["Personal", "Medical"]

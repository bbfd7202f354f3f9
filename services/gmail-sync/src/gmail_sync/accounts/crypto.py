"""Secrets at rest: AES-256-GCM under a key named by its id, so keys can rotate.

A ciphertext is `nonce (12 bytes) || ciphertext+tag`, stored beside the id of the key that made
it; the associated data binds it to its owner (the account id, or the OAuth state), so a value
copied to another row does not decrypt. `encrypt` always uses the current key; `decrypt` any key
the settings still hold. Plaintexts never reach a log or an exception message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gmail_sync.accounts.errors import CredentialsNotConfigured, TokenUndecryptable
from gmail_sync.settings import Settings

NONCE_BYTES = 12


@dataclass(frozen=True)
class Sealed:
    key_id: str
    ciphertext: bytes


class TokenCipher:
    def __init__(self, keys: dict[str, bytes], current: str | None) -> None:
        self._keys = dict(keys)
        self._current = current if current in self._keys else None

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        return cls(settings.token_keys(), settings.token_key_id if settings.token_key else None)

    @property
    def current_key_id(self) -> str | None:
        return self._current

    def encrypt(self, plaintext: str, *, owner: str) -> Sealed:
        """Raises:
        CredentialsNotConfigured: no GMAIL_SYNC_TOKEN_KEY.
        """
        if self._current is None:
            raise CredentialsNotConfigured("GMAIL_SYNC_TOKEN_KEY is not set")
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._keys[self._current]).encrypt(
            nonce, plaintext.encode(), owner.encode()
        )
        return Sealed(self._current, nonce + sealed)

    def decrypt(self, sealed: Sealed, *, owner: str) -> str:
        """Raises:
        TokenUndecryptable: the key id is unknown, or the ciphertext or owner do not match.
        """
        key = self._keys.get(sealed.key_id)
        if key is None:
            raise TokenUndecryptable(f"no key with id {sealed.key_id!r} is configured")
        nonce, body = sealed.ciphertext[:NONCE_BYTES], sealed.ciphertext[NONCE_BYTES:]
        try:
            return AESGCM(key).decrypt(nonce, body, owner.encode()).decode()
        except InvalidTag:
            raise TokenUndecryptable("the ciphertext does not verify") from None

    def needs_rotation(self, sealed: Sealed) -> bool:
        return self._current is not None and sealed.key_id != self._current

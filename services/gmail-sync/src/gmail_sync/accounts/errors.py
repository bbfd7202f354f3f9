"""The accounts' expected failures.

CRMError
├── NotFound
│   └── AccountNotFound        404: no such account
├── Conflict
│   └── AccountConflict        409: the address or the user already has another account
├── BadRequest
│   ├── OAuthStateInvalid      400: unknown, used or expired state token
│   ├── OAuthExchangeFailed    400: Google refused the code (or gave no refresh token)
│   └── TokenUndecryptable     400: no key for the ciphertext's key id, or it was tampered with
└── ServiceUnavailable
    └── CredentialsNotConfigured  503: no service-account key / OAuth client in the settings
"""

from __future__ import annotations

from crm_common.errors import BadRequest, Conflict, NotFound, ServiceUnavailable


class AccountNotFound(NotFound):
    title = "Account not found"
    slug = "account-not-found"


class AccountConflict(Conflict):
    title = "Account already enrolled"
    slug = "account-conflict"


class OAuthStateInvalid(BadRequest):
    title = "Invalid OAuth state"
    slug = "oauth-state-invalid"


class OAuthExchangeFailed(BadRequest):
    title = "OAuth exchange failed"
    slug = "oauth-exchange-failed"


class TokenUndecryptable(BadRequest):
    title = "Token cannot be decrypted"
    slug = "token-undecryptable"


class CredentialsNotConfigured(ServiceUnavailable):
    title = "Google credentials not configured"
    slug = "credentials-not-configured"

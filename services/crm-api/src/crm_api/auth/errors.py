"""Identity errors.

CRMError
├── Unauthorized
│   ├── NotAuthenticated     no or unusable credentials
│   └── BadCredentials       wrong username or password
├── Forbidden
│   ├── NotAllowed           the principal may not do this
│   ├── SetupDone            registration is closed: the first admin exists
│   └── CsrfRefused          a cookie-authenticated write without its CSRF token, or from
│                            another origin
├── NotFound
│   └── UnknownUser, UnknownSession, UnknownApiKey
├── Conflict
│   └── UsernameTaken
└── UnprocessableEntity
    └── WeakPassword
"""

from __future__ import annotations

from crm_common.errors import Conflict, Forbidden, NotFound, Unauthorized, UnprocessableEntity


class NotAuthenticated(Unauthorized):
    slug = "not-authenticated"


class BadCredentials(Unauthorized):
    title = "Invalid username or password"
    slug = "bad-credentials"


class NotAllowed(Forbidden):
    slug = "forbidden"


class SetupDone(Forbidden):
    title = "Setup is complete"
    slug = "setup-done"


class CsrfRefused(Forbidden):
    title = "CSRF check failed"
    slug = "csrf"


class UnknownUser(NotFound):
    title = "No such user"
    slug = "unknown-user"


class UnknownSession(NotFound):
    title = "No such session"
    slug = "unknown-session"


class UnknownApiKey(NotFound):
    title = "No such API key"
    slug = "unknown-api-key"


class UsernameTaken(Conflict):
    title = "Username or email already in use"
    slug = "username-taken"


class WeakPassword(UnprocessableEntity):
    title = "Password refused"
    slug = "weak-password"

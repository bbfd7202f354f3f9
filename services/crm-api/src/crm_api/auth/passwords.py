"""Password hashing (argon2id) and the password policy.

The policy follows NIST SP 800-63B and OWASP ASVS 5: 12 to 128 characters, any characters, no
composition rules, refused when it is a known common or breached password (the 30,000-entry list
bundled with zxcvbn, checked offline) or too guessable for its length (zxcvbn score below 3,
taking the username and email into account).
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from crm_api.auth.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 128


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_policy(password: str, *, user_inputs: list[str]) -> None:
    """Raises WeakPassword naming the rule a password breaks."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"password must be at most {MAX_LENGTH} characters")
    if password.lower() in _common_passwords():
        raise WeakPassword("password is on the list of common or breached passwords")
    inputs = [i for i in user_inputs if i]
    if any(i.lower() in password.lower() for i in inputs if len(i) >= 4):
        raise WeakPassword("password must not contain your username or email")
    result = zxcvbn(password[:100], user_inputs=inputs)
    if result["score"] < 3:
        hint = result["feedback"].get("warning") or "add more unrelated words"
        raise WeakPassword(f"password is too easy to guess: {hint}".rstrip(": "))


class Hasher:
    """argon2id with the configured cost."""

    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism
        )
        # Verifying against a dummy hash when the user does not exist keeps login time the same.
        self._dummy = self._hasher.hash("not a real password, only for timing")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

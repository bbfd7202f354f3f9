"""Faults a test arms on a route, and the count of requests per route.

Routes are named by Google's method ids (`gmail.users.messages.list`, `calendar.events.list`) and
`oauth2.token`, `oauth2.auth`, `oauth2.revoke`, `batch`. A request inside a batch counts under its
own method, and the batch once more under `batch`, as Google charges quota per inner request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Failure:
    status: int
    remaining: int
    retry_after: int | None
    user: str | None  # None: any user


@dataclass
class Faults:
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    duplicates: Counter[str] = field(default_factory=Counter)
    # (route, user) -> the page to serve once more
    replays: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    requests: Counter[tuple[str, str | None]] = field(default_factory=Counter)

    def fail(
        self,
        route: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = None,
        user: str | None = None,
    ) -> None:
        self.failures.setdefault(route, []).append(Failure(status, times, retry_after, user))

    def duplicate_pages(self, route: str, *, times: int = 1) -> None:
        """Serve each of the next `times` pages of `route` twice in a row: the request after it
        gets the same page again, with the same nextPageToken."""
        self.duplicates[route] += times

    def count(self, route: str, user: str | None) -> None:
        self.requests[(route, user)] += 1

    def total(self, route: str, user: str | None = None) -> int:
        """How many requests reached `route` (for `user`, when given)."""
        return sum(n for (r, u), n in self.requests.items() if r == route and user in (None, u))

    def take_failure(self, route: str, user: str | None) -> Failure | None:
        for failure in self.failures.get(route, []):
            if failure.remaining > 0 and failure.user in (None, user):
                failure.remaining -= 1
                return failure
        return None

    def take_replay(self, route: str, user: str) -> tuple[int, dict[str, Any]] | None:
        return self.replays.pop((route, user), None)

    def after_page(self, route: str, user: str, status: int, body: dict[str, Any]) -> None:
        if status == 200 and self.duplicates[route] > 0:
            self.duplicates[route] -= 1
            self.replays[(route, user)] = (status, body)

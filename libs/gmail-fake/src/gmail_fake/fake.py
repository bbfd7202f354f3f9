"""`GoogleFake`: the fake's state, its ASGI app and the server that runs it on a free port.

Tests drive the state through the methods here (each takes the lock the server's handlers take);
clients reach it only over HTTP, through `url`, `gmail_endpoint`, `calendar_endpoint`,
`token_uri` and `batch_uri`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import TracebackType
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette

from gmail_fake import admin_api, batch, calendar_api, gmail_api, oauth_api
from gmail_fake.auth import Auth
from gmail_fake.calendar import Calendar, StoredEvent
from gmail_fake.faults import Faults
from gmail_fake.mailbox import DEFAULT_INLINE_LIMIT, Label, Mailbox, StoredMessage


class GoogleFake:
    """Gmail v1, Calendar v3 and Google's OAuth endpoints, in memory, over HTTP."""

    def __init__(self, *, inline_limit: int = DEFAULT_INLINE_LIMIT) -> None:
        self.lock = threading.RLock()
        self.inline_limit = inline_limit
        self.mailboxes: dict[str, Mailbox] = {}
        self.calendars: dict[str, Calendar] = {}
        self.auth = Auth()
        self.faults = Faults()
        self.app = Starlette(
            routes=[
                *gmail_api.routes(self),
                *calendar_api.routes(self),
                *oauth_api.routes(self),
                *batch.routes(self),
                *admin_api.routes(self),
            ]
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- the server ---------------------------------------------------------------------------

    def start(self, *, host: str = "127.0.0.1", port: int = 0) -> GoogleFake:
        """Serve on `host:port` (a free port when 0) from a thread; returns when it listens."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without, Nagle's algorithm and the client's delayed
        # ACK hold each response about 40 ms (21 requests/s instead of hundreds, measured here).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        self.url = f"http://{host}:{sock.getsockname()[1]}"
        self.auth.token_url = self.token_uri
        config = uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="gmail-fake", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Gmail fake did not start")
            time.sleep(0.01)
        return self

    def serve(self, *, host: str = "127.0.0.1", port: int) -> None:
        """Serve in the foreground until SIGINT or SIGTERM (`python -m gmail_fake`)."""
        self.url = f"http://{host}:{port}"
        self.auth.token_url = self.token_uri
        config = uvicorn.Config(
            self.app, host=host, port=port, lifespan="off", log_level="warning", access_log=False
        )
        uvicorn.Server(config).run()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> GoogleFake:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def gmail_endpoint(self) -> str:
        """`client_options={"api_endpoint": ...}` for build("gmail", "v1")."""
        return f"{self.url}/"

    @property
    def calendar_endpoint(self) -> str:
        """`client_options={"api_endpoint": ...}` for build("calendar", "v3")."""
        return f"{self.url}/calendar/v3/"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    @property
    def auth_uri(self) -> str:
        return f"{self.url}/o/oauth2/auth"

    @property
    def revoke_uri(self) -> str:
        return f"{self.url}/revoke"

    @property
    def batch_uri(self) -> str:
        return f"{self.url}/batch/gmail/v1"

    # -- users, mail and calendars ------------------------------------------------------------

    def add_user(self, user: str) -> Mailbox:
        with self.lock:
            if user not in self.mailboxes:
                self.mailboxes[user] = Mailbox(user, inline_limit=self.inline_limit)
                self.calendars[user] = Calendar(user)
            return self.mailboxes[user]

    def mailbox(self, user: str) -> Mailbox:
        """The mailbox itself, for reads; change it through the methods below."""
        return self.mailboxes[user]

    def add_message(
        self,
        user: str,
        raw: bytes,
        *,
        label_ids: Iterable[str] = ("INBOX", "UNREAD"),
        thread_id: str | None = None,
        internal_date: datetime | int | None = None,
    ) -> StoredMessage:
        with self.lock:
            return self.add_user(user).add_message(
                raw, label_ids=label_ids, thread_id=thread_id, internal_date=internal_date
            )

    def modify_message(
        self, user: str, message_id: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> StoredMessage:
        with self.lock:
            return self.mailboxes[user].modify(message_id, add=add, remove=remove)

    def delete_message(self, user: str, message_id: str) -> None:
        with self.lock:
            self.mailboxes[user].delete(message_id)

    def create_label(self, user: str, name: str) -> Label:
        with self.lock:
            return self.add_user(user).create_label(name)

    def forget_history(self, user: str, *, before: int) -> None:
        """Expire the history older than `before`: a history.list from before it answers 404."""
        with self.lock:
            self.mailboxes[user].forget_history(before=before)

    def add_event(
        self,
        user: str,
        *,
        summary: str,
        start: datetime | date,
        end: datetime | date | None = None,
        attendees: Iterable[str | dict[str, Any]] = (),
        organizer: str | None = None,
        description: str = "",
        location: str = "",
        recurrence: Sequence[str] = (),
        event_id: str | None = None,
    ) -> StoredEvent:
        with self.lock:
            self.add_user(user)
            return self.calendars[user].add_event(
                summary=summary,
                start=start,
                end=end,
                attendees=attendees,
                organizer=organizer,
                description=description,
                location=location,
                recurrence=recurrence,
                event_id=event_id,
            )

    def update_event(self, user: str, event_id: str, **changes: Any) -> StoredEvent:
        with self.lock:
            return self.calendars[user].update_event(event_id, **changes)

    def cancel_event(self, user: str, event_id: str) -> StoredEvent:
        with self.lock:
            return self.calendars[user].cancel_event(event_id)

    def invalidate_sync_tokens(self, user: str) -> None:
        """Every Calendar sync token issued so far answers 410 from now on."""
        with self.lock:
            self.calendars[user].invalidate_sync_tokens()

    # -- credentials --------------------------------------------------------------------------

    def add_oauth_client(
        self, client_id: str, client_secret: str, redirect_uris: Iterable[str]
    ) -> None:
        with self.lock:
            self.auth.add_client(client_id, client_secret, redirect_uris)

    def add_service_account(
        self,
        email: str,
        *,
        scopes: Iterable[str] | None = None,
        private_key: rsa.RSAPrivateKey | None = None,
    ) -> dict[str, str]:
        """A service account with domain-wide delegation of `scopes` (any, when None); returns
        its key file's content, with `token_uri` pointing at the fake. Tests that make many
        pass one `private_key`: generating a 2048-bit key costs about 0.1 s."""
        with self.lock:
            return self.auth.add_service_account(email, scopes=scopes, private_key=private_key)

    def revoke(self, user: str) -> None:
        """Every grant of `user` stops working: refresh answers invalid_grant, calls 401."""
        with self.lock:
            self.auth.revoke(user)

    def restore(self, user: str) -> None:
        with self.lock:
            self.auth.restore(user)

    def expire_access_tokens(self, user: str) -> None:
        """The next call with any of `user`'s access tokens answers 401 (a refresh mends it)."""
        with self.lock:
            self.auth.expire_access_tokens(user)

    # -- faults and counts --------------------------------------------------------------------

    def fail(
        self,
        route: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = None,
        user: str | None = None,
    ) -> None:
        """The next `times` requests to `route` (by `user`, when given) answer `status`."""
        with self.lock:
            self.faults.fail(route, status=status, times=times, retry_after=retry_after, user=user)

    def duplicate_pages(self, route: str, *, times: int = 1) -> None:
        with self.lock:
            self.faults.duplicate_pages(route, times=times)

    def request_count(self, route: str, *, user: str | None = None) -> int:
        with self.lock:
            return self.faults.total(route, user)

    def request_counts(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for (route, _), n in self.faults.requests.items():
                counts[route] = counts.get(route, 0) + n
            return counts

    def reset_counts(self) -> None:
        with self.lock:
            self.faults.requests.clear()


@contextmanager
def running(**kwargs: Any) -> Iterator[GoogleFake]:
    fake = GoogleFake(**kwargs).start()
    try:
        yield fake
    finally:
        fake.stop()

"""The Gmail API as the sync uses it, through the real google-api-python-client, with Google's
rate limits honoured.

- Every call spends from a per-account quota budget (Gmail's units: get and list 5, history 2,
  labels and profile 1; `QUOTA_UNITS_PER_SECOND`, Google's per-user limit being 250) and waits
  when it is spent.
- 429 and 5xx (and a dropped connection) are retried with exponential backoff and jitter, never
  sooner than the answer's Retry-After: the client's own `num_retries` ignores Retry-After.
- Gets go in batches of `BATCH_SIZE` (`BatchHttpRequest(batch_uri=...)`: the client's
  `new_batch_http_request()` ignores the api endpoint); each inner request that failed with a
  retryable status is retried in the next batch, after the backoff.
- A refused credential (a revoked or invalid grant: google-auth's RefreshError, or 401/403 after
  a refresh) raises `AccountAuthError`; an expired historyId (404) raises `HistoryExpired`.
"""

from __future__ import annotations

import base64
import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.auth.exceptions import RefreshError, TransportError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from gmail_sync.settings import Settings

logger = logging.getLogger(__name__)

UNITS = {"get": 5, "list": 5, "history": 2, "labels": 1, "profile": 1}
RETRYABLE = frozenset({429, 500, 502, 503, 504})


class AccountAuthError(Exception):
    """Google refused the account's credentials; `detail` says how, for a person to read."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class HistoryExpired(Exception):
    """history.list answered 404: the start historyId is older than what Google keeps."""


class RetriesExhausted(Exception):
    """Google kept answering 429/5xx past `MAX_RETRIES`."""


@dataclass
class QuotaBudget:
    """A token bucket of quota units, refilled at `rate` per second, holding at most one
    second's worth."""

    rate: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _level: float = field(default=-1.0)
    _at: float = field(default=0.0)
    spent: int = 0

    def spend(self, units: int) -> None:
        now = self.clock()
        if self._level < 0:
            self._level, self._at = self.rate, now
        self._level = min(self.rate, self._level + (now - self._at) * self.rate)
        self._at = now
        if self._level < units:
            wait = (units - self._level) / self.rate
            self.sleep(wait)
            self._level += wait * self.rate
            self._at = self.clock()
        self._level -= units
        self.spent += units


def _is_retryable(exc: HttpError) -> bool:
    """429 and 5xx; and Gmail's 403 for a spent rate limit (userRateLimitExceeded)."""
    status = exc.resp.status
    if status in RETRYABLE:
        return True
    return status == 403 and b"ateLimitExceeded" in (exc.content or b"")


def _retry_after(resp: Any) -> float:
    value = resp.get("retry-after") if resp is not None else None
    try:
        return max(0.0, float(value)) if value is not None else 0.0
    except (TypeError, ValueError):
        return 0.0  # an HTTP date: rare from Google; the backoff covers it


def _auth_detail(exc: Exception) -> str:
    text = str(exc)
    if "invalid_grant" in text:
        return (
            "Google refused the account's grant (invalid_grant: revoked, expired or the user is "
            "gone); authorize the account again"
        )
    if "unauthorized_client" in text:
        return (
            "the service account is not authorized for this user's mailbox (domain-wide "
            "delegation of the gmail.readonly scope is missing)"
        )
    return f"Google refused the account's credentials ({type(exc).__name__})"


@dataclass(frozen=True)
class RawMessage:
    gmail_id: str
    thread_id: str | None
    label_ids: tuple[str, ...]
    internal_date_ms: int | None
    raw: bytes | None  # None for format=minimal


class GmailApi:
    """One account's Gmail, from one thread."""

    def __init__(
        self,
        settings: Settings,
        credentials: Any,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        quota: QuotaBudget | None = None,
    ) -> None:
        self._settings = settings
        self.credentials = credentials
        self._sleep = sleep
        self._rng = rng
        self.quota = quota or QuotaBudget(settings.quota_units_per_second, sleep=sleep)
        self.retries = 0
        options = {"api_endpoint": settings.api_endpoint} if settings.api_endpoint else None
        self.service = build(
            "gmail",
            "v1",
            credentials=credentials,
            static_discovery=True,
            cache_discovery=False,
            client_options=options,
        )

    def close(self) -> None:
        self.service.close()

    # -- retries --------------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float) -> float:
        ceiling = min(
            self._settings.backoff_max_seconds,
            self._settings.backoff_base_seconds * float(2**attempt),
        )
        jittered = ceiling / 2 + self._rng() * ceiling / 2
        return max(retry_after, jittered)

    def _backoff(self, attempt: int, retry_after: float, what: str) -> None:
        if attempt >= self._settings.max_retries:
            raise RetriesExhausted(f"{what}: Google still refused after {attempt} retries")
        delay = self._delay(attempt, retry_after)
        self.retries += 1
        logger.info("%s: retrying in %.2fs (attempt %d)", what, delay, attempt + 1)
        self._sleep(delay)

    def _execute(self, request: Any, units: int, what: str) -> Any:
        attempt = 0
        while True:
            self.quota.spend(units)
            try:
                return request.execute()
            except RefreshError as exc:
                raise AccountAuthError(_auth_detail(exc)) from None
            except HttpError as exc:
                status = exc.resp.status
                if _is_retryable(exc):
                    self._backoff(attempt, _retry_after(exc.resp), f"{what} answered {status}")
                    attempt += 1
                    continue
                if status in (401, 403):
                    raise AccountAuthError(
                        f"Google answered {status} to {what} with fresh credentials; "
                        "authorize the account again"
                    ) from None
                raise
            except (TransportError, OSError) as exc:  # a dropped or timed-out connection
                self._backoff(attempt, 0.0, f"{what} failed ({type(exc).__name__})")
                attempt += 1

    # -- calls ----------------------------------------------------------------------------------

    def profile_history_id(self) -> int:
        """The mailbox's current historyId (a plain call: it also refreshes the credentials, so
        no refresh happens inside a batch)."""
        answer = self._execute(
            self.service.users().getProfile(userId="me"), UNITS["profile"], "profile"
        )
        return int(answer["historyId"])

    def labels(self) -> dict[str, str]:
        answer = self._execute(
            self.service.users().labels().list(userId="me"), UNITS["labels"], "labels"
        )
        return {label["id"]: label.get("name", label["id"]) for label in answer.get("labels", [])}

    def list_page(self, page_token: str | None, page_size: int) -> tuple[list[str], str | None]:
        answer = self._execute(
            self.service.users()
            .messages()
            .list(userId="me", pageToken=page_token, maxResults=page_size, includeSpamTrash=False),
            UNITS["list"],
            "list",
        )
        return [m["id"] for m in answer.get("messages", [])], answer.get("nextPageToken")

    def history(self, start_history_id: int) -> tuple[list[dict[str, Any]], int]:
        """Every history record after `start_history_id`, and the mailbox's historyId now.

        Raises:
            HistoryExpired: Google no longer keeps history that old.
        """
        records: list[dict[str, Any]] = []
        token: str | None = None
        latest = start_history_id
        while True:
            request = (
                self.service.users()
                .history()
                .list(
                    userId="me",
                    startHistoryId=str(start_history_id),
                    pageToken=token,
                    maxResults=500,
                    historyTypes=["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"],
                )
            )
            try:
                answer = self._execute(request, UNITS["history"], "history")
            except HttpError as exc:
                if exc.resp.status == 404:
                    raise HistoryExpired(str(start_history_id)) from None
                raise
            records.extend(answer.get("history", []))
            latest = max(latest, int(answer.get("historyId", latest)))
            token = answer.get("nextPageToken")
            if not token:
                return records, latest

    def get_many(self, ids: Sequence[str], *, fmt: str = "raw") -> dict[str, RawMessage | None]:
        """Each message by Gmail id, None for one that is gone (404); in batches, retrying the
        inner requests Google refused for rate or load."""
        found: dict[str, RawMessage | None] = {}
        size = self._settings.batch_size
        for start in range(0, len(ids), size):
            found.update(self._batch(list(ids[start : start + size]), fmt))
        return found

    def _batch(self, ids: list[str], fmt: str) -> dict[str, RawMessage | None]:
        found: dict[str, RawMessage | None] = {}
        pending = list(dict.fromkeys(ids))
        attempt = 0
        refreshed = False
        while pending:
            failures: dict[str, HttpError] = {}

            def collect(
                request_id: str,
                response: Any,
                exception: Exception | None,
                failures: dict[str, HttpError] = failures,
            ) -> None:
                if exception is None:
                    found[request_id] = _raw_message(response)
                elif isinstance(exception, HttpError):
                    failures[request_id] = exception
                else:
                    raise exception

            batch = BatchHttpRequest(callback=collect, batch_uri=self._settings.gmail_batch_uri)
            messages = self.service.users().messages()
            for gmail_id in pending:
                batch.add(messages.get(userId="me", id=gmail_id, format=fmt), request_id=gmail_id)
            self.quota.spend(UNITS["get"] * len(pending))
            try:
                batch.execute()
            except RefreshError as exc:
                raise AccountAuthError(_auth_detail(exc)) from None
            except HttpError as exc:  # the batch itself
                if not _is_retryable(exc):
                    raise
                self._backoff(attempt, _retry_after(exc.resp), f"batch answered {exc.resp.status}")
                attempt += 1
                continue
            retry: list[str] = []
            wait = 0.0
            for gmail_id, error in failures.items():
                status = error.resp.status
                if status == 404:
                    found[gmail_id] = None
                elif _is_retryable(error):
                    retry.append(gmail_id)
                    wait = max(wait, _retry_after(error.resp))
                elif status == 401 and not refreshed:
                    retry.append(gmail_id)  # the access token expired mid-run: refresh, retry
                else:
                    raise error
            if any(failures[i].resp.status == 401 for i in retry):
                refreshed = True
                self.profile_history_id()
            elif retry:
                self._backoff(attempt, wait, f"{len(retry)} gets refused")
                attempt += 1
            pending = retry
        return found


def _raw_message(resource: dict[str, Any]) -> RawMessage:
    raw = resource.get("raw")
    date = resource.get("internalDate")
    return RawMessage(
        gmail_id=resource["id"],
        thread_id=resource.get("threadId"),
        label_ids=tuple(resource.get("labelIds", [])),
        internal_date_ms=int(date) if date is not None else None,
        raw=base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)) if raw is not None else None,
    )


def history_changes(records: Iterable[dict[str, Any]]) -> tuple[set[str], set[str], set[str]]:
    """(added, relabelled, deleted) Gmail ids from history records, in their order: a message
    added then deleted in the same span is only deleted."""
    added: set[str] = set()
    relabelled: set[str] = set()
    deleted: set[str] = set()
    for record in records:
        for change in record.get("messagesAdded", []):
            gmail_id = change["message"]["id"]
            added.add(gmail_id)
            deleted.discard(gmail_id)
        for key in ("labelsAdded", "labelsRemoved"):
            for change in record.get(key, []):
                relabelled.add(change["message"]["id"])
        for change in record.get("messagesDeleted", []):
            gmail_id = change["message"]["id"]
            deleted.add(gmail_id)
            added.discard(gmail_id)
            relabelled.discard(gmail_id)
    return added, relabelled - added, deleted

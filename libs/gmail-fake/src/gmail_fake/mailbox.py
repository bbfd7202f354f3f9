"""One user's Gmail mailbox: messages with labels and threads, labels, and the history of changes.

Every change (a message added or deleted, a label added or removed) takes the next history id, as
Gmail's do; a message's `historyId` is that of its last change. `forget_history` drops the oldest
records, after which a `history.list` from before them answers 404, as Gmail does when a start id
is older than the history it keeps (about a week).
"""

from __future__ import annotations

import base64
import email.message
import email.parser
import hashlib
import itertools
import json
import re
import shlex
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from gmail_fake import mime
from gmail_fake.errors import BadRequest, NotFound

SYSTEM_LABELS = (
    "INBOX",
    "SENT",
    "DRAFT",
    "SPAM",
    "TRASH",
    "UNREAD",
    "STARRED",
    "IMPORTANT",
    "CHAT",
    "CATEGORY_PERSONAL",
    "CATEGORY_SOCIAL",
    "CATEGORY_PROMOTIONS",
    "CATEGORY_UPDATES",
    "CATEGORY_FORUMS",
)
HISTORY_TYPES = ("messageAdded", "messageDeleted", "labelAdded", "labelRemoved")
# The body part size above which `full` answers an attachmentId instead of inline data.
DEFAULT_INLINE_LIMIT = 256 * 1024
FIRST_HISTORY_ID = 1000


def encode_token(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Invalid pageToken") from exc
    if not isinstance(value, dict):
        raise BadRequest("Invalid pageToken")
    return value


def page_size(value: str | None, *, default: int, maximum: int) -> int:
    if value is None:
        return default
    try:
        size = int(value)
    except ValueError as exc:
        raise BadRequest(f"Invalid value for maxResults: {value}") from exc
    if size < 1:
        raise BadRequest(f"Invalid value for maxResults: {value}")
    return min(size, maximum)


@dataclass
class Label:
    id: str
    name: str
    type: str  # "system" or "user"

    def resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "messageListVisibility": "show",
            "labelListVisibility": "labelShow",
        }


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    label_ids: set[str]
    internal_date: int  # milliseconds since the epoch, as Gmail's internalDate
    raw: bytes = field(repr=False)
    history_id: int
    inline_limit: int = DEFAULT_INLINE_LIMIT

    @cached_property
    def parsed(self) -> mime.ParsedMessage:
        return mime.parse(self.raw, message_id=self.id, inline_limit=self.inline_limit)

    def reference(self) -> dict[str, Any]:
        return {"id": self.id, "threadId": self.thread_id}

    def with_labels(self) -> dict[str, Any]:
        return {**self.reference(), "labelIds": sorted(self.label_ids)}

    def resource(self, fmt: str, metadata_headers: Sequence[str] = ()) -> dict[str, Any]:
        resource: dict[str, Any] = {
            **self.with_labels(),
            "snippet": self.parsed.snippet,
            "sizeEstimate": len(self.raw),
            "historyId": str(self.history_id),
            "internalDate": str(self.internal_date),
        }
        if fmt == "raw":
            resource["raw"] = mime.b64url(self.raw)
        elif fmt == "full":
            resource["payload"] = self.parsed.payload
        elif fmt == "metadata":
            resource["payload"] = mime.metadata_payload(self.parsed, list(metadata_headers))
        return resource


@dataclass(frozen=True)
class HistoryRecord:
    id: int
    type: str  # one of HISTORY_TYPES
    message: dict[str, Any]  # id, threadId, labelIds after the change
    label_ids: tuple[str, ...] = ()  # the labels added or removed

    def resource(self) -> dict[str, Any]:
        key = {
            "messageAdded": "messagesAdded",
            "messageDeleted": "messagesDeleted",
            "labelAdded": "labelsAdded",
            "labelRemoved": "labelsRemoved",
        }[self.type]
        change: dict[str, Any] = {"message": self.message}
        if self.type in ("labelAdded", "labelRemoved"):
            change["labelIds"] = list(self.label_ids)
        return {"id": str(self.id), "messages": [self.message], key: [change]}


class Mailbox:
    def __init__(self, email_address: str, *, inline_limit: int = DEFAULT_INLINE_LIMIT) -> None:
        self.email = email_address
        self.inline_limit = inline_limit
        self.history_id = FIRST_HISTORY_ID
        self.messages: dict[str, StoredMessage] = {}
        self.labels: dict[str, Label] = {
            name: Label(name, name, "system") for name in SYSTEM_LABELS
        }
        self.history: list[HistoryRecord] = []
        # The oldest startHistoryId that history.list still answers.
        self.oldest_start = FIRST_HISTORY_ID
        self._ids = itertools.count(1)
        self._label_ids = itertools.count(1)
        self._threads_by_message_id: dict[str, str] = {}
        self._order: list[StoredMessage] | None = None

    # -- changes ------------------------------------------------------------------------------

    def _next_history_id(self) -> int:
        self.history_id += 1
        return self.history_id

    def _record(self, message: StoredMessage, kind: str, label_ids: Iterable[str] = ()) -> None:
        self.history.append(
            HistoryRecord(message.history_id, kind, message.with_labels(), tuple(sorted(label_ids)))
        )

    def _new_message_id(self) -> str:
        # Gmail's ids are 16 hex digits; these are stable for a mailbox and a sequence number.
        return hashlib.sha256(f"{self.email}/{next(self._ids)}".encode()).hexdigest()[:16]

    def _thread_of(self, headers: email.message.Message) -> str | None:
        refs = " ".join(str(headers.get(name, "")) for name in ("References", "In-Reply-To"))
        for ref in reversed(re.findall(r"<[^<>]+>", refs)):
            if ref in self._threads_by_message_id:
                return self._threads_by_message_id[ref]
        return None

    def add_message(
        self,
        raw: bytes,
        *,
        label_ids: Iterable[str] = ("INBOX", "UNREAD"),
        thread_id: str | None = None,
        internal_date: datetime | int | None = None,
    ) -> StoredMessage:
        """Add `raw` to the mailbox. Without a `thread_id` it joins the thread of a message it
        references (In-Reply-To / References), else starts its own, as Gmail threads."""
        labels = set(label_ids)
        self._check_labels(labels)
        message_id = self._new_message_id()
        if isinstance(internal_date, datetime):
            millis = int(internal_date.timestamp() * 1000)
        elif internal_date is None:
            millis = int(time.time() * 1000)
        else:
            millis = internal_date
        headers = email.parser.BytesHeaderParser().parsebytes(raw)
        thread = thread_id or self._thread_of(headers) or message_id
        message = StoredMessage(
            id=message_id,
            thread_id=thread,
            label_ids=labels,
            internal_date=millis,
            raw=raw,
            history_id=self._next_history_id(),
            inline_limit=self.inline_limit,
        )
        header = headers.get("Message-ID")
        if header:
            self._threads_by_message_id.setdefault(str(header).strip(), thread)
        self.messages[message_id] = message
        self._order = None
        self._record(message, "messageAdded")
        return message

    def modify(
        self, message_id: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> StoredMessage:
        """Add and remove labels; each effective change is its own history record."""
        message = self.get(message_id)
        added = set(add) - message.label_ids
        removed = set(remove) & message.label_ids
        self._check_labels(added)
        if added:
            message.label_ids |= added
            message.history_id = self._next_history_id()
            self._record(message, "labelAdded", added)
        if removed:
            message.label_ids -= removed
            message.history_id = self._next_history_id()
            self._record(message, "labelRemoved", removed)
        return message

    def delete(self, message_id: str) -> None:
        """Delete for good (users.messages.delete), not to the trash."""
        message = self.get(message_id)
        del self.messages[message_id]
        self._order = None
        message.history_id = self._next_history_id()
        self._record(message, "messageDeleted")

    def create_label(self, name: str) -> Label:
        for label in self.labels.values():
            if label.name.lower() == name.lower():
                return label
        label = Label(f"Label_{next(self._label_ids)}", name, "user")
        self.labels[label.id] = label
        return label

    def forget_history(self, *, before: int) -> None:
        """Drop the records older than history id `before`: a history.list whose start id
        precedes them answers 404 from now on."""
        self.history = [record for record in self.history if record.id >= before]
        self.oldest_start = max(self.oldest_start, before - 1)

    def _check_labels(self, label_ids: Iterable[str]) -> None:
        for label_id in label_ids:
            if label_id not in self.labels:
                raise BadRequest(f"Invalid label: {label_id}")

    # -- reads --------------------------------------------------------------------------------

    def get(self, message_id: str) -> StoredMessage:
        try:
            return self.messages[message_id]
        except KeyError:
            raise NotFound() from None

    def label(self, label_id: str) -> dict[str, Any]:
        try:
            label = self.labels[label_id]
        except KeyError:
            raise NotFound() from None
        inside = [m for m in self.messages.values() if label_id in m.label_ids]
        unread = [m for m in inside if "UNREAD" in m.label_ids]
        return {
            **label.resource(),
            "messagesTotal": len(inside),
            "messagesUnread": len(unread),
            "threadsTotal": len({m.thread_id for m in inside}),
            "threadsUnread": len({m.thread_id for m in unread}),
        }

    def profile(self) -> dict[str, Any]:
        return {
            "emailAddress": self.email,
            "messagesTotal": len(self.messages),
            "threadsTotal": len({m.thread_id for m in self.messages.values()}),
            "historyId": str(self.history_id),
        }

    def _ordered(self) -> list[StoredMessage]:
        # Newest first, as Gmail lists; the key also orders the page tokens.
        if self._order is None:
            self._order = sorted(
                self.messages.values(), key=lambda m: (m.internal_date, m.id), reverse=True
            )
        return self._order

    def list_messages(
        self,
        *,
        q: str | None,
        label_ids: Sequence[str],
        include_spam_trash: bool,
        page_token: str | None,
        max_results: int,
        now: datetime,
    ) -> dict[str, Any]:
        query = Query.parse(q or "", self, now=now)
        include_spam_trash = include_spam_trash or query.anywhere
        matching = [
            m
            for m in self._ordered()
            if set(label_ids) <= m.label_ids
            and (include_spam_trash or not m.label_ids & {"SPAM", "TRASH"})
            and query.matches(m)
        ]
        start = 0
        if page_token:
            after = decode_token(page_token)
            key = (after.get("d"), after.get("i"))
            start = next(
                (i for i, m in enumerate(matching) if (m.internal_date, m.id) < key), len(matching)
            )
        page = matching[start : start + max_results]
        result: dict[str, Any] = {"resultSizeEstimate": len(matching)}
        if page:
            result["messages"] = [m.reference() for m in page]
        if start + max_results < len(matching):
            last = page[-1]
            result["nextPageToken"] = encode_token({"d": last.internal_date, "i": last.id})
        return result

    def list_history(
        self,
        *,
        start_history_id: int,
        history_types: Sequence[str],
        label_id: str | None,
        page_token: str | None,
        max_results: int,
    ) -> dict[str, Any]:
        if start_history_id < self.oldest_start:
            raise NotFound()
        for kind in history_types:
            if kind not in HISTORY_TYPES:
                raise BadRequest(f"Invalid value for historyTypes: {kind}")
        after = start_history_id
        if page_token:
            after = max(after, int(decode_token(page_token).get("h", after)))
        records = [
            r
            for r in self.history
            if r.id > after
            and (not history_types or r.type in history_types)
            and (label_id is None or label_id in r.message["labelIds"] or label_id in r.label_ids)
        ]
        page = records[:max_results]
        result: dict[str, Any] = {"historyId": str(self.history_id)}
        if page:
            result["history"] = [r.resource() for r in page]
        if len(records) > max_results:
            result["nextPageToken"] = encode_token({"h": page[-1].id})
        return result


_DATE = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")
_AGE = re.compile(r"^(\d+)([dmy])$")
_HEADER_OPERATORS = {"from": "from", "to": "to", "cc": "cc", "bcc": "bcc", "subject": "subject"}


def _instant(value: str) -> int:
    """after:/before: take a date (YYYY/MM/DD, read as UTC midnight) or epoch seconds."""
    if value.isdigit():
        return int(value) * 1000
    match = _DATE.match(value)
    if not match:
        raise BadRequest(f"Invalid date in query: {value}")
    year, month, day = (int(g) for g in match.groups())
    return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


def _age(value: str, now: datetime) -> int:
    match = _AGE.match(value)
    if not match:
        raise BadRequest(f"Invalid age in query: {value}")
    days = int(match.group(1)) * {"d": 1, "m": 30, "y": 365}[match.group(2)]
    return int((now - timedelta(days=days)).timestamp() * 1000)


@dataclass
class Query:
    """The part of Gmail's search syntax the fake understands: after:, before:, newer_than:,
    older_than:, label:, in:, is:, has:attachment, from:, to:, cc:, bcc:, subject:, rfc822msgid:,
    a leading `-` to negate, and bare words (matched in the headers and body text). Any other
    operator is refused with 400, so a test never passes on a query the fake silently ignored."""

    terms: list[tuple[bool, str, str]]
    mailbox: Mailbox
    anywhere: bool
    now_ms: int

    @classmethod
    def parse(cls, q: str, mailbox: Mailbox, *, now: datetime) -> Query:
        try:
            words = shlex.split(q)
        except ValueError as exc:
            raise BadRequest(f"Invalid query: {q}") from exc
        terms: list[tuple[bool, str, str]] = []
        anywhere = False
        for word in words:
            negated = word.startswith("-") and len(word) > 1
            word = word[1:] if negated else word
            operator, sep, value = word.partition(":")
            if not sep:
                terms.append((negated, "text", word.lower()))
                continue
            operator = operator.lower()
            if operator in ("after", "before"):
                value = str(_instant(value))
            elif operator in ("newer_than", "older_than"):
                value = str(_age(value, now))
            elif operator == "in" and value.lower() == "anywhere":
                anywhere = True
                continue
            elif operator not in (
                *_HEADER_OPERATORS,
                "label",
                "in",
                "is",
                "has",
                "rfc822msgid",
            ):
                raise BadRequest(f"The fake does not support the query operator {operator}:")
            if operator in ("in", "label") and value.lower() in ("spam", "trash"):
                anywhere = True
            terms.append((negated, operator, value))
        return cls(terms, mailbox, anywhere, int(now.timestamp() * 1000))

    def _label_id(self, name: str) -> str | None:
        wanted = name.lower().replace("-", " ")
        for label in self.mailbox.labels.values():
            if wanted in (
                label.id.lower(),
                label.name.lower(),
                label.name.lower().replace("-", " "),
            ):
                return label.id
        return None

    def _holds(self, message: StoredMessage, operator: str, value: str) -> bool:
        headers = message.parsed.headers
        if operator == "after":
            return message.internal_date >= int(value)
        if operator in ("before", "older_than"):
            return message.internal_date < int(value)
        if operator == "newer_than":
            return message.internal_date >= int(value)
        if operator in ("label", "in"):
            return self._label_id(value) in message.label_ids
        if operator == "is":
            flag = value.lower()
            if flag == "read":
                return "UNREAD" not in message.label_ids
            return flag.upper() in message.label_ids
        if operator == "has":
            if value.lower() != "attachment":
                raise BadRequest(f"The fake does not support has:{value}")
            return message.parsed.has_attachment
        if operator == "rfc822msgid":
            return headers.get("message-id", "").strip("<> ").lower() == value.strip("<>").lower()
        if operator in _HEADER_OPERATORS:
            return value.lower() in headers.get(operator, "").lower()
        haystack = " ".join((*headers.values(), message.parsed.body_text)).lower()
        return value in haystack

    def matches(self, message: StoredMessage) -> bool:
        return all(self._holds(message, op, value) != negated for negated, op, value in self.terms)

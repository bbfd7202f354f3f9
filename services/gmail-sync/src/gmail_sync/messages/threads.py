"""Canonical thread keys for messages, from their RFC ids and their Gmail threads.

The rule:
1. Every message joins the ids it names: its Message-ID, In-Reply-To and References, and its
   Gmail thread (which is per mailbox, so it is qualified by the mailbox). Messages that share
   any of these are one thread (union-find over the ids; joins are transitive).
2. The thread's root is the id, among the RFC ids of the thread, that has no known parent: the
   first entry of References (RFC 5322 keeps it when it shortens the list), or the parent a reply
   names when that parent is not known to have parents itself, or a message that names none.
   Several roots (threads joined only by Gmail, or by a message citing two): a root that some
   message names as an ancestor beats one that none names (a message without a Message-ID, or
   one Gmail grouped in by subject); then the smallest string. A thread whose ids all have
   parents (a reference cycle) → its smallest RFC id, named ones first.
3. The key is `sha256(root)` in hex, 32 characters: short enough for the event's `thread_id`,
   and the same wherever the thread's messages are seen.

The key is a function of the set of messages, not of their order: a reply that arrives before
its parent already carries the root in References, so it gets the key the parent will get. Where
a reply names only its direct parent (no References), the key can change when an older ancestor
arrives; the caller re-keys the thread then (`assign_thread_keys` over the thread's messages).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from gmail_sync.messages.headers import synthetic_message_id
from gmail_sync.messages.schemas import ParsedMessage


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """What threading needs of one message. `message_id` is required: use
    `synthetic_message_id` for a message without one."""

    message_id: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    gmail_thread_id: str | None = None
    mailbox: str = ""


def thread_ref(
    parsed: ParsedMessage, *, gmail_id: str, gmail_thread_id: str | None, mailbox: str
) -> ThreadRef:
    """The `ThreadRef` of a parsed message as `mailbox` holds it (the synthetic Message-ID when
    the message has none)."""
    return ThreadRef(
        message_id=parsed.message_id or synthetic_message_id(gmail_id=gmail_id, mailbox=mailbox),
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        gmail_thread_id=gmail_thread_id,
        mailbox=mailbox,
    )


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: str, second: str) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def assign_thread_keys(refs: Iterable[ThreadRef]) -> dict[str, str]:
    """Each message id of `refs` → its thread key (see the module's rule)."""
    refs = list(refs)
    groups = _UnionFind()
    has_parent: set[str] = set()
    rfc_ids: set[str] = set()
    named: set[str] = set()
    for ref in refs:
        ancestors = list(ref.references)
        if ref.in_reply_to and ref.in_reply_to not in ancestors:
            ancestors.append(ref.in_reply_to)
        lineage = [*ancestors, ref.message_id]
        named.update(ancestors)
        rfc_ids.update(lineage)
        has_parent.update(lineage[1:])
        for linked in lineage:
            groups.union(ref.message_id, linked)
        if ref.gmail_thread_id:
            groups.union(ref.message_id, f"gmail\0{ref.mailbox}\0{ref.gmail_thread_id}")
    roots: dict[str, str] = {}
    members: dict[str, str] = {}
    # Ids some message names as an ancestor come first, then the rest, each group in order.
    for rfc_id in sorted(rfc_ids, key=lambda item: (item not in named, item)):
        group = groups.find(rfc_id)
        members.setdefault(group, rfc_id)
        if rfc_id not in has_parent:
            roots.setdefault(group, rfc_id)
    return {
        ref.message_id: thread_key(
            roots.get(groups.find(ref.message_id)) or members[groups.find(ref.message_id)]
        )
        for ref in refs
    }


def thread_key(root: str) -> str:
    """The key of the thread whose root message id is `root`."""
    return hashlib.sha256(root.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]

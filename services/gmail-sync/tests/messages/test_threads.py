"""Thread keys: RFC ids first (the root of References), then the Gmail thread; the same keys
whatever order the messages arrive in."""

from __future__ import annotations

from itertools import permutations

from gmail_sync.messages import ThreadRef, assign_thread_keys, thread_key

ROOT = ThreadRef("<root@lp.example>", gmail_thread_id="t1", mailbox="ann@fund.example")
REPLY = ThreadRef(
    "<reply@fund.example>",
    in_reply_to="<root@lp.example>",
    references=("<root@lp.example>",),
    gmail_thread_id="t1",
    mailbox="ann@fund.example",
)
REPLY_TO_REPLY = ThreadRef(
    "<reply-2@lp.example>",
    in_reply_to="<reply@fund.example>",
    references=("<root@lp.example>", "<reply@fund.example>"),
)


def test_a_thread_is_keyed_by_the_root_of_its_references() -> None:
    keys = assign_thread_keys([ROOT, REPLY, REPLY_TO_REPLY])

    assert set(keys.values()) == {thread_key("<root@lp.example>")}


def test_the_keys_do_not_depend_on_the_order_of_arrival() -> None:
    expected = assign_thread_keys([ROOT, REPLY, REPLY_TO_REPLY])

    for order in permutations([ROOT, REPLY, REPLY_TO_REPLY]):
        assert assign_thread_keys(order) == expected


def test_a_reply_that_arrives_before_its_parent_already_has_the_threads_key() -> None:
    alone = assign_thread_keys([REPLY_TO_REPLY])

    assert alone[REPLY_TO_REPLY.message_id] == thread_key("<root@lp.example>")


def test_a_reply_naming_only_its_parent_joins_the_thread_through_it() -> None:
    terse = ThreadRef("<terse@lp.example>", in_reply_to="<reply@fund.example>")

    keys = assign_thread_keys([terse, REPLY, ROOT])

    assert keys[terse.message_id] == thread_key("<root@lp.example>")


def test_a_message_without_rfc_links_joins_its_gmail_thread() -> None:
    unlinked = ThreadRef("<no-refs@lp.example>", gmail_thread_id="t1", mailbox="ann@fund.example")

    keys = assign_thread_keys([unlinked, REPLY])

    assert keys[unlinked.message_id] == keys[REPLY.message_id]


def test_the_same_gmail_thread_id_in_another_mailbox_is_another_thread() -> None:
    mine = ThreadRef("<a@lp.example>", gmail_thread_id="t9", mailbox="ann@fund.example")
    theirs = ThreadRef("<b@lp.example>", gmail_thread_id="t9", mailbox="bob@fund.example")

    keys = assign_thread_keys([mine, theirs])

    assert keys[mine.message_id] != keys[theirs.message_id]


def test_copies_in_several_mailboxes_share_one_key() -> None:
    in_bobs = ThreadRef(
        "<reply@fund.example>",
        references=("<root@lp.example>",),
        gmail_thread_id="zz",
        mailbox="bob@fund.example",
    )

    keys = assign_thread_keys([ROOT, REPLY, in_bobs])

    assert set(keys.values()) == {thread_key("<root@lp.example>")}


def test_unrelated_messages_have_different_keys() -> None:
    other = ThreadRef("<other@lp.example>", gmail_thread_id="t2", mailbox="ann@fund.example")

    keys = assign_thread_keys([ROOT, other])

    assert keys[ROOT.message_id] != keys[other.message_id]


def test_a_reference_cycle_still_gets_one_key() -> None:
    first = ThreadRef("<a@x.example>", references=("<b@x.example>",))
    second = ThreadRef("<b@x.example>", references=("<a@x.example>",))

    keys = assign_thread_keys([first, second])

    assert set(keys.values()) == {thread_key("<a@x.example>")}

"""Thread keys: RFC ids first (the root of References), then the Gmail thread; the same keys
whatever order the messages arrive in."""

from __future__ import annotations

from itertools import permutations

from mail_samples import message, raw

from gmail_sync.messages import (
    ThreadRef,
    assign_thread_keys,
    parse,
    synthetic_message_id,
    thread_key,
    thread_ref,
)

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


def test_parsed_messages_thread_by_their_headers_and_missing_ids_get_synthetic_ones() -> None:
    root = parse(raw(message(message_id=None)), max_attachment_bytes=0)
    reply = parse(
        raw(
            message(
                message_id="<r@fund.example>",
                extra={"In-Reply-To": "<a@lp.example>", "References": "<a@lp.example>"},
            )
        ),
        max_attachment_bytes=0,
    )

    root_ref = thread_ref(root, gmail_id="g1", gmail_thread_id="t1", mailbox="ann@fund.example")
    reply_ref = thread_ref(reply, gmail_id="g2", gmail_thread_id="t1", mailbox="ann@fund.example")
    keys = assign_thread_keys([reply_ref, root_ref])

    assert root_ref.message_id == synthetic_message_id(gmail_id="g1", mailbox="ann@fund.example")
    assert reply_ref.references == ("<a@lp.example>",)
    assert keys[root_ref.message_id] == keys[reply_ref.message_id] == thread_key("<a@lp.example>")


def test_a_root_that_replies_name_beats_a_message_gmail_grouped_in() -> None:
    reply = ThreadRef("<r@x.example>", references=("<zzz@x.example>",), gmail_thread_id="t")
    grouped = ThreadRef("<aaa@x.example>", gmail_thread_id="t")

    keys = assign_thread_keys([grouped, reply])

    assert set(keys.values()) == {thread_key("<zzz@x.example>")}

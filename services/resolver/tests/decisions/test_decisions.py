"""Merges, splits, review verdicts and undos, asked for over request-reply like crm-api does."""

from __future__ import annotations

import pytest
from resolver_helpers import ALICE, Resolver, contact, event, lp_profile, organization

from crm_common.bus.service import ServiceCallError
from crm_common.contracts import resolver as contract

pytestmark = pytest.mark.anyio

RECORDS = [
    ("contact", "c-1"),
    ("lp_profile", "lp-1"),
    ("contact", "c-2"),
    ("contact", "c-3"),
    ("organization", "o-1"),
]


async def two_people_and_an_organization(resolver: Resolver) -> None:
    await resolver.publish(
        event(
            "organization", "created", organization("o-1", "Oak Partners", website="oak.example")
        ),
        event(
            "contact", "created", contact("c-1", "Grace", "Hopper", emails=["grace@navy.example"])
        ),
        event("lp_profile", "created", lp_profile("lp-1", contact_id="c-1")),
        event("contact", "created", contact("c-2", "G.", "Murray", emails=["gm@oak.example"])),
        event("contact", "created", contact("c-3", "Amazing", "Grace", emails=["ag@mail.example"])),
    )
    await resolver.settle()


async def placement(resolver: Resolver) -> dict[tuple[str, str], tuple[str, str, float, str]]:
    """Where every record is and how it got there."""
    found: dict[tuple[str, str], tuple[str, str, float, str]] = {}
    for kind, record_id in RECORDS:
        answer = await resolver.entity(kind, record_id)
        link = next(link for link in answer.entity.links if link.source_id == record_id)
        found[(kind, record_id)] = (
            answer.entity.id,
            link.match_kind,
            link.confidence,
            link.decided_by,
        )
    return found


async def merge(
    resolver: Resolver, *entity_ids: str, reason: str = "same person"
) -> contract.DecisionResult:
    return await resolver.ask(
        contract.SUBJECT_MERGE,
        contract.MergeRequest(entity_ids=list(entity_ids), reason=reason, actor=ALICE),
        contract.DecisionResult,
    )


async def undo(resolver: Resolver, decision_id: str) -> contract.DecisionResult:
    return await resolver.ask(
        contract.SUBJECT_UNDO,
        contract.UndoRequest(decision_id=decision_id, reason="my mistake", actor=ALICE),
        contract.DecisionResult,
    )


async def test_a_merge_and_its_undo_leave_every_link_where_it_was(resolver: Resolver) -> None:
    await two_people_and_an_organization(resolver)
    before = await placement(resolver)
    grace = before[("contact", "c-1")][0]
    murray = before[("contact", "c-2")][0]

    merged = await merge(resolver, grace, murray)
    await resolver.settle()
    survivor, loser = merged.entities
    assert (survivor.id, loser.id) == (grace, murray)  # the older entity survives
    assert (loser.status, loser.merged_into, loser.links) == ("merged", grace, [])
    assert {link.source_id for link in survivor.links} == {"c-1", "lp-1", "c-2"}
    assert merged.decision.decided_by == "user:u-alice"
    assert merged.decision.reason == "same person"
    assert [m.source.source_id for m in merged.decision.moves] == ["c-2"]
    redirected = await resolver.ask(
        contract.SUBJECT_ENTITY, contract.EntityRequest(entity_id=murray), contract.EntityResponse
    )
    assert (redirected.entity.id, redirected.redirected_from) == (grace, murray)

    undone = await undo(resolver, merged.decision.id)
    await resolver.settle()
    assert await placement(resolver) == before
    assert [e.status for e in undone.entities] == ["active", "active"]

    events = [e for e in await resolver.entity_events() if e.data.get("decision_id")]
    assert [(e.type, e.subject) for e in events] == [
        ("resolver.entity.merged", grace),
        ("resolver.entity.split", grace),
    ]
    versions = [e.version for e in await resolver.entity_events() if e.subject == grace]
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions)


async def test_a_split_takes_the_records_and_their_profiles_and_its_undo_returns_them(
    resolver: Resolver,
) -> None:
    await two_people_and_an_organization(resolver)
    grace = await resolver.entity_id("contact", "c-1")
    murray = await resolver.entity_id("contact", "c-2")
    await merge(resolver, grace, murray)
    await resolver.settle()
    before = await placement(resolver)

    split = await resolver.ask(
        contract.SUBJECT_SPLIT,
        contract.SplitRequest(
            entity_id=grace,
            sources=[contract.SourceRef(source_kind="contact", source_id="c-1")],
            reason="two people",
            actor=ALICE,
        ),
        contract.DecisionResult,
    )
    await resolver.settle()
    original, new = split.entities
    assert {link.source_id for link in original.links} == {"c-2"}
    assert {link.source_id for link in new.links} == {"c-1", "lp-1"}  # the profile follows
    assert new.is_lp
    assert not original.is_lp

    # A later update of c-2 must not join them again by a rule: a person decided.
    await resolver.publish(
        event(
            "contact",
            "updated",
            contact(
                "c-2", "G.", "Murray", emails=["gm@oak.example", "grace@navy.example"], version=2
            ),
        )
    )
    await resolver.settle()
    assert await resolver.entity_id("contact", "c-2") != await resolver.entity_id("contact", "c-1")

    await undo(resolver, split.decision.id)
    await resolver.settle()
    after = await placement(resolver)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    gone = await resolver.ask(
        contract.SUBJECT_ENTITY, contract.EntityRequest(entity_id=new.id), contract.EntityResponse
    )
    assert gone.redirected_from == new.id


async def test_an_undo_is_refused_once_a_later_decision_moved_its_records(
    resolver: Resolver,
) -> None:
    await two_people_and_an_organization(resolver)
    grace = await resolver.entity_id("contact", "c-1")
    murray = await resolver.entity_id("contact", "c-2")
    amazing = await resolver.entity_id("contact", "c-3")
    first = await merge(resolver, grace, murray)
    second = await merge(resolver, amazing, grace)  # grace's entity survives: it is older
    await resolver.ask(
        contract.SUBJECT_SPLIT,
        contract.SplitRequest(
            entity_id=grace,
            sources=[contract.SourceRef(source_kind="contact", source_id="c-2")],
            actor=ALICE,
        ),
        contract.DecisionResult,
    )

    with pytest.raises(ServiceCallError) as refused:
        await undo(resolver, first.decision.id)
    assert refused.value.status == 409
    assert "moved since" in (refused.value.problem.detail or "")
    await undo(resolver, second.decision.id)
    with pytest.raises(ServiceCallError) as twice:
        await undo(resolver, second.decision.id)
    assert twice.value.status == 409


async def test_bad_decisions_are_refused_with_their_reason(resolver: Resolver) -> None:
    await two_people_and_an_organization(resolver)
    grace = await resolver.entity_id("contact", "c-1")
    oak = await resolver.entity_id("organization", "o-1")

    cases = [
        (contract.SUBJECT_MERGE, contract.MergeRequest(entity_ids=[grace, oak], actor=ALICE), 422),
        (
            contract.SUBJECT_MERGE,
            contract.MergeRequest(entity_ids=[grace, grace], actor=ALICE),
            409,
        ),
        (
            contract.SUBJECT_MERGE,
            contract.MergeRequest(entity_ids=[grace, "nope"], actor=ALICE),
            404,
        ),
        (
            contract.SUBJECT_SPLIT,
            contract.SplitRequest(
                entity_id=grace,
                sources=[contract.SourceRef(source_kind="contact", source_id="c-1")],
                actor=ALICE,
            ),
            422,  # the profile follows its contact: nothing would be left
        ),
        (contract.SUBJECT_UNDO, contract.UndoRequest(decision_id="nope", actor=ALICE), 404),
    ]
    for subject, request, status in cases:
        with pytest.raises(ServiceCallError) as refused:
            await resolver.ask(subject, request, contract.DecisionResult)
        assert refused.value.status == status, (subject, request)
    decisions = await resolver.ask(
        contract.SUBJECT_DECISIONS, contract.DecisionsRequest(), contract.DecisionPage
    )
    assert decisions.total == 0


async def test_a_review_item_accepted_merges_and_rejected_never_comes_back(
    resolver: Resolver,
) -> None:
    await resolver.publish(
        event(
            "organization",
            "created",
            organization("o-1", "Birch Endowment", website="birch.example"),
        ),
        event(
            "contact",
            "created",
            contact("c-1", "William", "Chen", emails=["wchen@birch.example"], org_ids=["o-1"]),
        ),
        event("contact", "created", contact("c-2", "Bill", "Chen", emails=["billchen@gmail.com"])),
        event(
            "contact", "created", contact("c-3", "Will", "Chen", emails=["will.c@other.example"])
        ),
    )
    await resolver.settle()
    queue = await resolver.ask(
        contract.SUBJECT_REVIEW_LIST, contract.ReviewListRequest(), contract.ReviewPage
    )
    assert queue.total == 2
    first, second = queue.items

    accepted = await resolver.ask(
        contract.SUBJECT_REVIEW_DECIDE,
        contract.ReviewDecideRequest(
            item_id=first.id, verdict="accept", reason="same", actor=ALICE
        ),
        contract.DecisionResult,
    )
    assert accepted.decision.kind == "merge"
    assert accepted.decision.evidence["review_item"] == first.id
    await resolver.settle()

    remaining = await resolver.ask(
        contract.SUBJECT_REVIEW_LIST, contract.ReviewListRequest(), contract.ReviewPage
    )
    assert [item.id for item in remaining.items] == [second.id]
    rejected = await resolver.ask(
        contract.SUBJECT_REVIEW_DECIDE,
        contract.ReviewDecideRequest(item_id=second.id, verdict="reject", actor=ALICE),
        contract.DecisionResult,
    )
    assert rejected.decision.kind == "reject"
    with pytest.raises(ServiceCallError) as closed:
        await resolver.ask(
            contract.SUBJECT_REVIEW_DECIDE,
            contract.ReviewDecideRequest(item_id=second.id, verdict="accept", actor=ALICE),
            contract.DecisionResult,
        )
    assert closed.value.status == 409

    # The rejected contact changes; the pair is not proposed again.
    await resolver.publish(
        event(
            "contact",
            "updated",
            contact(
                "c-3", "Will", "Chen", emails=["will.c@other.example"], city="Austin", version=2
            ),
        )
    )
    await resolver.settle()
    still = await resolver.ask(
        contract.SUBJECT_REVIEW_LIST, contract.ReviewListRequest(), contract.ReviewPage
    )
    assert still.total == 0
    history = await resolver.ask(
        contract.SUBJECT_DECISIONS,
        contract.DecisionsRequest(entity_id=accepted.entities[0].id),
        contract.DecisionPage,
    )
    assert [d.kind for d in history.items] == ["reject", "merge"]
    assert all(d.actor == ALICE for d in history.items)


async def test_undoing_an_accepted_review_puts_the_item_back(resolver: Resolver) -> None:
    await resolver.publish(
        event(
            "organization",
            "created",
            organization("o-1", "Birch Endowment", website="birch.example"),
        ),
        event(
            "contact",
            "created",
            contact("c-1", "William", "Chen", emails=["wchen@birch.example"], org_ids=["o-1"]),
        ),
        event("contact", "created", contact("c-2", "Bill", "Chen", emails=["billchen@gmail.com"])),
    )
    await resolver.settle()
    (item,) = (
        await resolver.ask(
            contract.SUBJECT_REVIEW_LIST, contract.ReviewListRequest(), contract.ReviewPage
        )
    ).items
    accepted = await resolver.ask(
        contract.SUBJECT_REVIEW_DECIDE,
        contract.ReviewDecideRequest(item_id=item.id, verdict="accept", actor=ALICE),
        contract.DecisionResult,
    )
    await undo(resolver, accepted.decision.id)

    again = await resolver.ask(
        contract.SUBJECT_REVIEW_LIST, contract.ReviewListRequest(), contract.ReviewPage
    )
    assert [i.id for i in again.items] == [item.id]
    assert await resolver.entity_id("contact", "c-1") != await resolver.entity_id("contact", "c-2")

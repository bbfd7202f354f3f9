"""Who knows whom: edges from communications, affiliations, ownership and mail, ranked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from resolver_helpers import (
    NOW,
    Resolver,
    communication,
    contact,
    event,
    message,
    organization,
    user,
)

from crm_common.contracts import resolver as contract
from crm_resolver.database import utcnow

pytestmark = pytest.mark.anyio


async def neighbors(
    resolver: Resolver, entity_id: str, **options: object
) -> contract.NeighborsResponse:
    return await resolver.ask(
        contract.SUBJECT_NEIGHBORS,
        contract.NeighborsRequest(entity_id=entity_id, **options),
        contract.NeighborsResponse,
    )


async def test_who_knows_someone_is_ranked_by_frequency_and_recency(resolver: Resolver) -> None:
    now = utcnow()
    await resolver.publish(
        event("user", "created", user("u-alice", "alice", email="alice@fund.example")),
        event("user", "created", user("u-bob", "bob")),
        event("contact", "created", contact("c-lp", "Linda", "Park")),
        event("contact", "created", contact("c-often", "Omar", "Shah")),
        event("contact", "created", contact("c-once", "Ines", "Moreau")),
        *(
            event(
                "communication",
                "created",
                communication(
                    f"m-{i}",
                    kind="meeting",
                    contact_id="c-lp",
                    attendee_ids=["c-often"],
                    created_by="u-alice",
                    occurred_at=now - timedelta(days=10 * i),
                ),
            )
            for i in range(3)
        ),
        event(
            "communication",
            "created",
            communication(
                "m-old",
                kind="meeting",
                contact_id="c-once",
                attendee_ids=["c-lp"],
                created_by="agent-key-1",  # an agent logged it: not one of the team
                occurred_at=now - timedelta(days=720),
            ),
        ),
        event(
            "communication",
            "created",
            communication(
                "c-call",
                kind="call",
                contact_id="c-often",
                attendee_ids=["c-lp"],
                created_by="agent-key-1",
                occurred_at=now - timedelta(days=1),
            ),
        ),
        event(
            "communication",
            "created",
            communication(
                "n-1",
                kind="note",
                contact_id="c-lp",
                created_by="u-bob",
                occurred_at=now - timedelta(days=720),
            ),
        ),
    )
    await resolver.settle()
    lp = await resolver.entity_id("contact", "c-lp")

    answer = await neighbors(resolver, lp)
    ranked = [(n.node.kind, n.node.display_name) for n in answer.neighbors]
    assert ranked == [
        ("entity", "Omar Shah"),
        ("team_member", "Alice"),
        ("entity", "Ines Moreau"),
        ("team_member", "Bob"),
    ]
    often, alice, once, _bob = answer.neighbors
    assert often.edge_kinds == ["met"]
    assert often.evidence_count == 4
    assert alice.edge_kinds == ["team"]
    assert alice.evidence_count == 3
    assert [e.origin_id for e in often.evidence] == ["m-0", "c-call", "m-1", "m-2"]  # newest first
    # One meeting two years ago weighs 3 x 2^(-720/180) = 3/16.
    assert once.strength == pytest.approx(3 / 16, rel=0.01)
    assert once.last_at is not None
    assert once.last_at < NOW

    team_only = await neighbors(resolver, lp, node_kind="team_member", evidence_per_neighbor=1)
    assert [n.node.id for n in team_only.neighbors] == ["u-alice", "u-bob"]
    assert all(len(n.evidence) == 1 for n in team_only.neighbors)
    met_only = await neighbors(resolver, lp, edge_kinds=["team"], limit=1)
    assert [n.node.id for n in met_only.neighbors] == ["u-alice"]


async def test_members_and_owners_know_an_organization(resolver: Resolver) -> None:
    await resolver.publish(
        event("user", "created", user("u-alice", "alice")),
        event(
            "organization",
            "created",
            organization("o-1", "Summit Pension", website="summit.example"),
        ),
        event(
            "contact",
            "created",
            contact("c-1", "Ken", "Thompson", org_ids=["o-1"], owner_id="u-alice"),
        ),
        event(
            "contact", "created", contact("c-2", "Dennis", "Ritchie", emails=["dmr@summit.example"])
        ),
        event(
            "opportunity",
            "created",
            {
                "id": "op-1",
                "version": 1,
                "deleted_at": None,
                "investor_organization_id": "o-1",
                "investor_contact_id": None,
                "fund_id": "f-3",
                "stage": "due_diligence",
                "owner_id": "u-alice",
            },
        ),
    )
    await resolver.settle()
    summit = await resolver.entity_id("organization", "o-1")

    answer = await neighbors(resolver, summit)
    found = {
        n.node.display_name: (n.edge_kinds, [e.detail for e in n.evidence])
        for n in answer.neighbors
    }
    assert found == {
        "Ken Thompson": (["membership"], ["Partner"]),
        "Dennis Ritchie": (["membership"], ["email at summit.example"]),
        "Alice": (["team"], ["owns the opportunity (due_diligence)"]),
    }


async def test_mail_makes_people_known_and_links_participants(resolver: Resolver) -> None:
    await resolver.publish(
        event("user", "created", user("u-alice", "alice", email="Alice@Fund.example")),
        event(
            "organization", "created", organization("o-1", "Cedar Capital", website="cedar.example")
        ),
        event("contact", "created", contact("c-1", "Jane", "Doe", emails=["jane@cedar.example"])),
        event(
            "message",
            "created",
            message(
                "g-1",
                sender=("ann.lee@cedar.example", "Ann Lee"),
                to=[("alice@fund.example", "Alice")],
                cc=[("jane@cedar.example", "Jane Doe"), ("newsletter@gmail.com", None)],
                mailbox_user_id="u-alice",
            ),
            source="gmail",
        ),
    )
    await resolver.settle()

    jane = await resolver.entity("contact", "c-1")
    # Mail and CRM events come on two streams, in either order: whichever arrived second joined
    # the first by its address.
    assert {(link.source_kind, link.source_id) for link in jane.entity.links} == {
        ("contact", "c-1"),
        ("email_participant", "jane@cedar.example"),
    }
    assert sorted(link.match_kind for link in jane.entity.links) == ["exact_email", "origin"]
    ann = await resolver.entity("email_participant", "ann.lee@cedar.example")
    assert (ann.entity.kind, ann.entity.display_name) == ("person", "Ann Lee")
    # The fund's own address is a team member, never a person.
    with pytest.raises(Exception, match="No entity for that record"):
        await resolver.entity("email_participant", "alice@fund.example")

    who = await neighbors(resolver, ann.entity.id)
    edges = {n.node.display_name: n.edge_kinds for n in who.neighbors}
    assert edges == {
        "Jane Doe": ["corresponded"],
        "Alice": ["team"],
        "Cedar Capital": ["membership"],
        "newsletter@gmail.com": ["corresponded"],
    }

    await resolver.publish(
        event(
            "message",
            "deleted",
            message(
                "g-1",
                sender=("ann.lee@cedar.example", "Ann Lee"),
                to=[("alice@fund.example", "Alice")],
                mailbox_user_id="u-alice",
            ),
            source="gmail",
            version=2,
        )
    )
    await resolver.settle()
    gone = await resolver.entity("email_participant", "ann.lee@cedar.example")
    assert gone.entity.status == "inactive"
    jane_after = await resolver.entity("contact", "c-1")
    assert [link.source_id for link in jane_after.entity.links] == ["c-1"]


async def test_an_address_that_becomes_a_team_members_leaves_the_people(
    resolver: Resolver,
) -> None:
    await resolver.publish(
        event(
            "message",
            "created",
            message(
                "g-1",
                sender=("bob@fund.example", "Bob"),
                to=[("lp@cedar.example", "Linda")],
                mailbox_user_id="u-alice",
            ),
            source="gmail",
        ),
    )
    await resolver.settle()
    assert (
        await resolver.entity("email_participant", "bob@fund.example")
    ).entity.status == "active"

    await resolver.publish(event("user", "created", user("u-bob", "bob", email="bob@fund.example")))
    await resolver.settle()
    with pytest.raises(Exception, match="No entity for that record"):
        await resolver.entity("email_participant", "bob@fund.example")
    linda = await resolver.entity_id("email_participant", "lp@cedar.example")
    who = await neighbors(resolver, linda)
    assert {n.node.id for n in who.neighbors} == {"u-bob"}

"""Resolution end to end: CRM events in on a real nats-server, entities out."""

from __future__ import annotations

import pytest
from resolver_helpers import (
    CRM_ACTOR,
    Resolver,
    communication,
    contact,
    event,
    grid_row,
    lp_profile,
    organization,
)

from crm_common.contracts import resolver as contract
from crm_common.events import CloudEvent

pytestmark = pytest.mark.anyio


def seed_duplicates() -> list[CloudEvent]:
    """One investor as the seed CRM held it: an organization, its LP profile, its grid row, and
    the same partner twice (the grid's write-through made a second contact row with her
    personal address)."""
    return [
        event(
            "organization",
            "created",
            organization(
                "o-harbor", "Harbor Family Office, LLC", website="https://www.harborfo.com"
            ),
        ),
        event(
            "contact",
            "created",
            contact("c-jane", "Jane", "Doe", emails=["jane@harborfo.com"], org_ids=["o-harbor"]),
        ),
        event(
            "contact",
            "created",
            contact("c-jane-2", "Jane", "Doe", emails=["Jane.Doe@gmail.com"], org_ids=["o-harbor"]),
        ),
        event("lp_profile", "created", lp_profile("lp-harbor", organization_id="o-harbor")),
        event(
            "grid_row",
            "created",
            grid_row(
                "g-harbor",
                organization_id="o-harbor",
                contact_ids=["c-jane", "c-jane-2"],
                name="Harbor FO",
            ),
        ),
    ]


SEED_PARTITION = {
    frozenset({"organization:o-harbor", "lp_profile:lp-harbor", "grid_row:g-harbor"}),
    frozenset({"contact:c-jane", "contact:c-jane-2"}),
}


async def test_the_seeds_duplicates_collapse_to_one_investor_and_one_partner(
    resolver: Resolver,
) -> None:
    await resolver.publish(*seed_duplicates())
    await resolver.settle()

    investor = await resolver.entity("grid_row", "g-harbor")
    assert investor.entity.kind == "organization"
    assert investor.entity.is_lp is True
    assert investor.entity.display_name == "Harbor Family Office, LLC"
    assert investor.entity.domains == ["harborfo.com"]
    kinds = {(link.source_kind, link.source_id, link.match_kind) for link in investor.entity.links}
    assert kinds == {
        ("organization", "o-harbor", "origin"),
        ("lp_profile", "lp-harbor", "foreign_key"),
        ("grid_row", "g-harbor", "foreign_key"),
    }

    partner = await resolver.entity("contact", "c-jane-2")
    assert partner.entity.kind == "person"
    assert partner.entity.emails == ["jane@harborfo.com", "janedoe@gmail.com"]
    second = next(link for link in partner.entity.links if link.source_id == "c-jane-2")
    assert second.match_kind == "probabilistic"
    assert second.confidence >= resolver.ctx.auto_link
    assert second.decided_by == "rule:probabilistic"
    assert resolver.partition() == SEED_PARTITION

    who = await resolver.ask(
        contract.SUBJECT_NEIGHBORS,
        contract.NeighborsRequest(entity_id=partner.entity.id),
        contract.NeighborsResponse,
    )
    assert [(n.node.id, n.edge_kinds) for n in who.neighbors] == [
        (investor.entity.id, ["membership"])
    ]
    origins = {e.origin_kind for e in who.neighbors[0].evidence}
    assert origins == {"contact", "grid_row", "domain"}


@pytest.mark.parametrize(
    "order",
    [
        pytest.param([4, 3, 2, 1, 0], id="reversed"),
        pytest.param([3, 2, 4, 0, 1], id="profile-and-row-before-their-investor"),
        pytest.param([2, 4, 1, 3, 0], id="shuffled"),
    ],
)
async def test_reordered_events_give_the_same_entities(
    resolver: Resolver, order: list[int]
) -> None:
    events = seed_duplicates()
    await resolver.publish(*(events[i] for i in order))
    await resolver.settle()

    assert resolver.partition() == SEED_PARTITION
    assert (await resolver.entity("lp_profile", "lp-harbor")).entity.is_lp is True


async def test_redelivered_and_stale_events_change_nothing(resolver: Resolver) -> None:
    events = seed_duplicates()
    await resolver.publish(*events)
    await resolver.settle()
    published = await resolver.entity_events()
    partition = resolver.partition()

    for cloud_event in events:
        await resolver.redeliver(cloud_event)
    stale = event(
        "contact",
        "updated",
        contact("c-jane", "Janet", "Smith", emails=["jane@harborfo.com"], org_ids=["o-harbor"]),
        version=1,
    )
    await resolver.publish(stale)
    await resolver.settle()

    assert await resolver.entity_events() == published
    assert resolver.partition() == partition
    assert (await resolver.entity("contact", "c-jane")).entity.display_name == "Jane Doe"


async def test_an_update_that_changes_nothing_resolution_sees_publishes_nothing(
    resolver: Resolver,
) -> None:
    await resolver.publish(*seed_duplicates())
    await resolver.settle()
    before = await resolver.entity_events()
    # A new tag or a note: a new version of the contact, the same identity.
    touched = contact("c-jane", "Jane", "Doe", emails=["jane@harborfo.com"], org_ids=["o-harbor"])
    touched["notes"] = "Met at the annual meeting."
    await resolver.publish(event("contact", "updated", touched, version=2))
    await resolver.settle()

    assert await resolver.entity_events() == before


async def test_a_free_mail_domain_never_joins_two_strangers(resolver: Resolver) -> None:
    await resolver.publish(
        # Someone typed gmail.com as an organization's website.
        event("organization", "created", organization("o-odd", "Gmail Fans", website="gmail.com")),
        event(
            "contact", "created", contact("c-1", "John", "Smith", emails=["john.smith@gmail.com"])
        ),
        event("contact", "created", contact("c-2", "John", "Smith", emails=["jsmith77@gmail.com"])),
        event("contact", "created", contact("c-3", "Mary", "Jones", emails=["mary.j@gmail.com"])),
    )
    await resolver.settle()

    ids = {await resolver.entity_id("contact", c) for c in ("c-1", "c-2", "c-3")}
    assert len(ids) == 3
    odd = await resolver.entity("organization", "o-odd")
    assert odd.entity.domains == []
    for person in ids:
        who = await resolver.ask(
            contract.SUBJECT_NEIGHBORS,
            contract.NeighborsRequest(entity_id=person),
            contract.NeighborsResponse,
        )
        assert who.neighbors == []

    why = await resolver.ask(
        contract.SUBJECT_EXPLAIN,
        contract.ExplainRequest(
            left=contract.EntityOrRecord(
                source=contract.SourceRef(source_kind="contact", source_id="c-1")
            ),
            right=contract.EntityOrRecord(
                source=contract.SourceRef(source_kind="contact", source_id="c-2")
            ),
        ),
        contract.ExplainResponse,
    )
    assert why.same_entity is False
    free = next(rule for rule in why.rules if rule.rule == "free_mail")
    assert free.applies
    assert "gmail.com" in free.detail
    (pair,) = why.pairs
    levels = {f.feature: f.level for f in pair.features}
    assert levels["email_domain"] == "missing"
    assert levels["first_name"] == levels["last_name"] == "exact"
    assert pair.verdict != "auto_link"


async def test_the_same_address_is_one_person_whatever_arrives_first(resolver: Resolver) -> None:
    await resolver.publish(
        event("contact", "created", contact("c-1", "Ann", "Lee", emails=["ann@cedar.example"])),
        event(
            "contact",
            "created",
            contact("c-2", "A.", "Lee-Wong", emails=["Ann+crm@Cedar.example"], version=1),
        ),
    )
    await resolver.settle()

    person = await resolver.entity("contact", "c-2")
    assert {link.source_id for link in person.entity.links} == {"c-1", "c-2"}
    joined = next(link for link in person.entity.links if link.source_id == "c-2")
    assert (joined.match_kind, joined.confidence) == ("exact_email", 1.0)


async def test_organizations_sharing_a_domain_are_one(resolver: Resolver) -> None:
    await resolver.publish(
        event(
            "organization",
            "created",
            organization("o-1", "Cedar Capital", domains=["cedar.example"]),
        ),
        event(
            "organization",
            "created",
            organization(
                "o-2", "Cedar Capital Partners", website="https://www.cedar.example/about"
            ),
        ),
        event(
            "organization",
            "created",
            organization("o-3", "Cedar Capital", website="https://other.example"),
        ),
    )
    await resolver.settle()

    cedar = await resolver.entity("organization", "o-2")
    assert {(link.source_id, link.match_kind) for link in cedar.entity.links} == {
        ("o-1", "origin"),
        ("o-2", "domain"),
    }
    # The same name on another domain is only a candidate, for a person to decide.
    assert await resolver.entity_id("organization", "o-3") != cedar.entity.id


async def test_a_likely_pair_waits_in_the_review_queue(resolver: Resolver) -> None:
    await resolver.publish(
        event(
            "organization",
            "created",
            organization("o-1", "Birch Endowment", website="https://birch.example"),
        ),
        event(
            "contact",
            "created",
            contact("c-1", "William", "Chen", emails=["wchen@birch.example"], org_ids=["o-1"]),
        ),
        event("contact", "created", contact("c-2", "Bill", "Chen", emails=["billchen@gmail.com"])),
    )
    await resolver.settle()

    page = await resolver.ask(
        contract.SUBJECT_REVIEW_LIST, contract.ReviewListRequest(), contract.ReviewPage
    )
    assert page.total == 1
    (item,) = page.items
    assert {item.left.id, item.right.id} == {
        await resolver.entity_id("contact", "c-1"),
        await resolver.entity_id("contact", "c-2"),
    }
    assert resolver.ctx.review <= item.best_pair.probability < resolver.ctx.auto_link
    levels = {f.feature: f.level for f in item.best_pair.features}
    assert levels["first_name"] == "nickname"


async def test_strangers_with_one_name_stay_apart(resolver: Resolver) -> None:
    await resolver.publish(
        event(
            "organization", "created", organization("o-1", "Oak Partners", website="oak.example")
        ),
        event("organization", "created", organization("o-2", "Elm Trust", website="elm.example")),
        event(
            "contact",
            "created",
            contact("c-1", "Ada", "Lovelace", emails=["ada@oak.example"], org_ids=["o-1"]),
        ),
        event(
            "contact",
            "created",
            contact("c-2", "Ada", "Lovelace", emails=["ada@elm.example"], org_ids=["o-2"]),
        ),
    )
    await resolver.settle()

    assert await resolver.entity_id("contact", "c-1") != await resolver.entity_id("contact", "c-2")
    page = await resolver.ask(
        contract.SUBJECT_REVIEW_LIST, contract.ReviewListRequest(), contract.ReviewPage
    )
    assert page.total == 0


async def test_resolve_finds_a_person_by_address_and_by_name(resolver: Resolver) -> None:
    await resolver.publish(*seed_duplicates())
    await resolver.settle()
    jane = await resolver.entity_id("contact", "c-jane")

    by_email = await resolver.ask(
        contract.SUBJECT_RESOLVE,
        contract.ResolveRequest(email="JaneDoe@googlemail.com"),
        contract.ResolveResponse,
    )
    assert [(m.entity.id, m.match_kind, m.probability) for m in by_email.matches] == [
        (jane, "exact_email", 1.0)
    ]
    by_name = await resolver.ask(
        contract.SUBJECT_RESOLVE,
        contract.ResolveRequest(name="Dr. Jane Doe", kind="person"),
        contract.ResolveResponse,
    )
    assert by_name.matches[0].entity.id == jane


async def test_resolve_by_domain_finds_the_organization_but_never_a_free_mail_one(
    resolver: Resolver,
) -> None:
    await resolver.publish(
        event(
            "organization",
            "created",
            organization("o-1", "Oak Partners", website="oak.example", domains=["oak.example"]),
        ),
        event(
            "organization",
            "created",
            organization("o-2", "Gmail fans", domains=["gmail.com"]),
        ),
    )
    await resolver.settle()
    oak = await resolver.entity_id("organization", "o-1")

    async def resolve(address: str, *, include_domain: bool) -> list[tuple[str, str, float]]:
        answer = await resolver.ask(
            contract.SUBJECT_RESOLVE,
            contract.ResolveRequest(email=address, include_domain=include_domain),
            contract.ResolveResponse,
        )
        return [(m.entity.id, m.match_kind, m.probability) for m in answer.matches]

    assert await resolve("someone@oak.example", include_domain=True) == [(oak, "domain", 0.6)]
    assert await resolve("someone@oak.example", include_domain=False) == []
    assert await resolve("someone@gmail.com", include_domain=True) == []


async def test_a_deleted_record_leaves_the_graph_and_a_restore_brings_it_back(
    resolver: Resolver,
) -> None:
    await resolver.publish(
        event(
            "organization", "created", organization("o-1", "Oak Partners", website="oak.example")
        ),
        event("contact", "created", contact("c-1", "Ada", "King", org_ids=["o-1"])),
        event("contact", "created", contact("c-2", "Alan", "Byron")),
        event(
            "communication",
            "created",
            communication("m-1", kind="meeting", contact_id="c-1", attendee_ids=["c-2"]),
        ),
    )
    await resolver.settle()
    ada = await resolver.entity_id("contact", "c-1")

    async def neighbours_of_alan() -> list[str]:
        alan = await resolver.entity_id("contact", "c-2")
        answer = await resolver.ask(
            contract.SUBJECT_NEIGHBORS,
            contract.NeighborsRequest(entity_id=alan),
            contract.NeighborsResponse,
        )
        return [n.node.id for n in answer.neighbors]

    assert await neighbours_of_alan() == [ada]
    await resolver.publish(
        event(
            "contact",
            "deleted",
            contact("c-1", "Ada", "King", org_ids=["o-1"], version=2, deleted=True),
        )
    )
    await resolver.settle()
    hidden = await resolver.entity("contact", "c-1")
    assert (hidden.entity.status, hidden.entity.links) == ("inactive", [])
    assert await neighbours_of_alan() == []

    await resolver.publish(
        event("contact", "restored", contact("c-1", "Ada", "King", org_ids=["o-1"], version=3))
    )
    await resolver.settle()
    back = await resolver.entity("contact", "c-1")
    assert (back.entity.id, back.entity.status) == (ada, "active")
    assert await neighbours_of_alan() == [ada]

    await resolver.publish(
        event(
            "communication",
            "deleted",
            communication(
                "m-1",
                kind="meeting",
                contact_id="c-1",
                attendee_ids=["c-2"],
                version=2,
                deleted=True,
            ),
        )
    )
    await resolver.settle()
    assert await neighbours_of_alan() == []


async def test_a_purged_record_loses_its_link(resolver: Resolver) -> None:
    await resolver.publish(
        event("contact", "created", contact("c-1", "Ada", "King")),
        event("contact", "deleted", contact("c-1", "Ada", "King", version=2, deleted=True)),
        CloudEvent(
            source="/crm",
            type="crm.contact.purged",
            subject="c-1",
            actor=CRM_ACTOR,
            version=3,
            data={"id": "c-1", "purged": True},
        ),
    )
    await resolver.settle()

    with pytest.raises(Exception, match="No entity for that record"):
        await resolver.entity("contact", "c-1")


async def test_a_wiped_resolver_rebuilds_the_same_entities_from_a_snapshot(
    resolver: Resolver,
) -> None:
    snapshot = [
        event(e.type.split(".")[1], "snapshot", e.data) for e in reversed(seed_duplicates())
    ]
    await resolver.publish(*snapshot)
    await resolver.settle()

    assert resolver.partition() == SEED_PARTITION


async def test_a_grid_row_follows_its_investor_and_leaves_with_its_delete(
    resolver: Resolver,
) -> None:
    await resolver.publish(
        event(
            "organization", "created", organization("o-1", "Cedar Capital", website="cedar.example")
        ),
        event("contact", "created", contact("c-1", "Ann", "Lee")),
        event("contact", "created", contact("c-2", "Bo", "Chan")),
        event("grid_row", "created", grid_row("g-1", contact_id="c-1", contact_ids=["c-2"])),
    )
    await resolver.settle()
    ann = await resolver.entity("contact", "c-1")
    assert {link.source_id for link in ann.entity.links} == {"c-1", "g-1"}

    # The row's investor changes from Ann to Cedar Capital: the row moves with its foreign key.
    moved = grid_row("g-1", organization_id="o-1", contact_ids=["c-1", "c-2"], version=2)
    await resolver.publish(event("grid_row", "updated", moved))
    await resolver.settle()
    cedar = await resolver.entity("organization", "o-1")
    assert {link.source_id for link in cedar.entity.links} == {"o-1", "g-1"}
    who = await resolver.ask(
        contract.SUBJECT_NEIGHBORS,
        contract.NeighborsRequest(entity_id=cedar.entity.id),
        contract.NeighborsResponse,
    )
    assert {n.node.display_name for n in who.neighbors} == {"Ann Lee", "Bo Chan"}

    deleted = grid_row(
        "g-1", organization_id="o-1", contact_ids=["c-1", "c-2"], version=3, deleted=True
    )
    await resolver.publish(event("grid_row", "deleted", deleted))
    await resolver.settle()
    cedar = await resolver.entity("organization", "o-1")
    assert [link.source_id for link in cedar.entity.links] == ["o-1"]
    who = await resolver.ask(
        contract.SUBJECT_NEIGHBORS,
        contract.NeighborsRequest(entity_id=cedar.entity.id),
        contract.NeighborsResponse,
    )
    assert who.neighbors == []

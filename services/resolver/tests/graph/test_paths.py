"""Intro paths from the fund's team to an entity: direct, through a colleague at the LP's
organization, three hops out, without cycles, ranked with decay, and bounded per hop."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from resolver_helpers import (
    ALICE,
    Resolver,
    communication,
    contact,
    event,
    lp_profile,
    organization,
    resolver_settings,
    start_resolver,
    user,
)

from crm_common.bus.connection import Bus
from crm_common.contracts import resolver as contract
from crm_common.events import CloudEvent
from crm_common.natsd import NatsServer
from crm_resolver.database import utcnow

pytestmark = pytest.mark.anyio

AGENT = "agent-key-1"  # an agent's key: what it logs relates the people, never a team member
# One "now" for every interaction made here, so that two made "2 days ago" weigh the same.
NOW = utcnow()


async def paths(resolver: Resolver, entity_id: str, **options: Any) -> contract.PathsResponse:
    return await resolver.ask(
        contract.SUBJECT_PATHS,
        contract.PathsRequest(entity_id=entity_id, **options),
        contract.PathsResponse,
    )


def chains(answer: contract.PathsResponse) -> list[list[str]]:
    """Each path as its names, from the team member to the entity."""
    return [
        [p.hops[0].from_.display_name, *(h.to.display_name for h in p.hops)] for p in answer.paths
    ]


def met(
    record_id: str, people: Iterable[str], *, by: str, days_ago: float, kind: str = "meeting"
) -> CloudEvent:
    first, *others = people
    return event(
        "communication",
        "created",
        communication(
            record_id,
            kind=kind,
            contact_id=first,
            attendee_ids=others,
            created_by=by,
            occurred_at=NOW - timedelta(days=days_ago),
        ),
    )


def cedar(*members: tuple[str, str, str]) -> list[CloudEvent]:
    """Cedar Capital, an LP, with these (id, first, last) people among its partners."""
    return [
        event("organization", "created", organization("o-cedar", "Cedar Capital")),
        event("lp_profile", "created", lp_profile("lp-cedar", organization_id="o-cedar")),
        *(
            event("contact", "created", contact(c, first, last, org_ids=["o-cedar"]))
            for c, first, last in members
        ),
    ]


async def test_a_strong_path_through_a_colleague_at_the_lp_beats_a_weak_direct_one(
    resolver: Resolver,
) -> None:
    await resolver.publish(
        event("user", "created", user("u-alice", "alice")),
        event("user", "created", user("u-carol", "carol")),
        *cedar(("c-omar", "Omar", "Shah")),
        met("m-1", ["c-omar"], by="u-alice", days_ago=5),
        event(
            "communication",
            "created",
            communication(
                "n-old",
                kind="note",
                contact_id=None,
                organization_id="o-cedar",
                created_by="u-carol",
                occurred_at=NOW - timedelta(days=720),
            ),
        ),
    )
    await resolver.settle()
    lp = await resolver.entity_id("organization", "o-cedar")

    answer = await paths(resolver, lp)
    assert answer.entity.id == lp
    assert chains(answer) == [
        ["Alice", "Omar Shah", "Cedar Capital"],
        ["Carol", "Cedar Capital"],
    ]
    through_omar, direct = answer.paths
    assert through_omar.team_member.id == "u-alice"
    first, second = through_omar.hops
    assert (first.edge_kinds, [e.origin_id for e in first.evidence]) == (["team"], ["m-1"])
    assert (second.edge_kinds, [e.detail for e in second.evidence]) == (["membership"], ["Partner"])
    # The weakest hop is the membership (1.0, counting 0.5), halved for the second hop.
    assert through_omar.score == pytest.approx(0.25)
    # A note two years old: 0.5 x 2^(-720/180) = 1/32.
    assert direct.hops[0].strength == pytest.approx(1 / 32, rel=0.01)
    assert direct.score == pytest.approx((1 / 32) / (1 + 1 / 32), rel=0.01)

    assert chains(await paths(resolver, lp, max_hops=1)) == [["Carol", "Cedar Capital"]]
    only_carol = await paths(resolver, lp, team_member_ids=["u-carol"])
    assert [p.team_member.id for p in only_carol.paths] == ["u-carol"]
    no_evidence = await paths(resolver, lp, evidence_per_edge=0, limit=1)
    assert [len(h.evidence) for h in no_evidence.paths[0].hops] == [0, 0]


async def test_three_hops_reach_the_lp_through_someone_a_colleague_met(
    resolver: Resolver,
) -> None:
    await resolver.publish(
        event("user", "created", user("u-alice", "alice")),
        *cedar(("c-omar", "Omar", "Shah")),
        event("contact", "created", contact("c-dennis", "Dennis", "Ritchie")),
        met("m-1", ["c-dennis", "c-omar"], by=AGENT, days_ago=30),
        met("c-1", ["c-dennis"], by="u-alice", days_ago=3, kind="call"),
    )
    await resolver.settle()
    lp = await resolver.entity_id("organization", "o-cedar")

    answer = await paths(resolver, lp)
    assert chains(answer) == [["Alice", "Dennis Ritchie", "Omar Shah", "Cedar Capital"]]
    (path,) = answer.paths
    assert [h.edge_kinds for h in path.hops] == [["team"], ["met"], ["membership"]]
    assert [h.from_.id for h in path.hops[1:]] == [h.to.id for h in path.hops[:-1]]
    assert path.score == pytest.approx(0.5 * 0.5**2)
    assert (await paths(resolver, lp, max_hops=2)).paths == []


async def test_paths_never_loop_and_keep_one_per_team_member_and_intermediary(
    resolver: Resolver,
) -> None:
    # Omar and Dennis are both Cedar's and met each other: Cedar - Omar - Dennis - Cedar is a
    # cycle, and Alice reaches Cedar through Omar directly or through Omar then Dennis.
    await resolver.publish(
        event("user", "created", user("u-alice", "alice")),
        event("user", "created", user("u-bob", "bob")),
        *cedar(("c-omar", "Omar", "Shah"), ("c-dennis", "Dennis", "Ritchie")),
        met("m-1", ["c-dennis", "c-omar"], by=AGENT, days_ago=1),
        met("c-1", ["c-omar"], by="u-alice", days_ago=2, kind="call"),
        met("c-2", ["c-dennis"], by="u-bob", days_ago=2, kind="call"),
    )
    await resolver.settle()
    lp = await resolver.entity_id("organization", "o-cedar")

    answer = await paths(resolver, lp, max_hops=3)
    assert chains(answer) == [
        ["Alice", "Omar Shah", "Cedar Capital"],
        ["Bob", "Dennis Ritchie", "Cedar Capital"],
    ]
    for path in answer.paths:
        entities = [h.to.id for h in path.hops]
        assert len(entities) == len(set(entities))
        assert entities[-1] == lp


async def test_recent_contact_outranks_more_but_older_contact(resolver: Resolver) -> None:
    await resolver.publish(
        event("user", "created", user("u-alice", "alice")),
        event("user", "created", user("u-bob", "bob")),
        *cedar(("c-omar", "Omar", "Shah"), ("c-ines", "Ines", "Moreau")),
        met("m-new", ["c-omar"], by="u-alice", days_ago=10),
        *(met(f"m-old-{i}", ["c-ines"], by="u-bob", days_ago=720) for i in range(3)),
    )
    await resolver.settle()
    lp = await resolver.entity_id("organization", "o-cedar")

    answer = await paths(resolver, lp)
    assert chains(answer) == [
        ["Alice", "Omar Shah", "Cedar Capital"],
        ["Bob", "Ines Moreau", "Cedar Capital"],
    ]
    bob = answer.paths[1]
    # Three meetings two years ago: 3 x 3 / 16, weaker than the membership after it.
    assert bob.hops[0].strength == pytest.approx(9 / 16, rel=0.01)
    assert bob.score == pytest.approx(0.5 * (9 / 16) / (1 + 9 / 16), rel=0.01)
    assert answer.paths[0].score > bob.score


async def test_a_merged_away_id_answers_for_the_survivor(resolver: Resolver) -> None:
    await resolver.publish(
        event("user", "created", user("u-alice", "alice")),
        *cedar(("c-omar", "Omar", "Shah")),
        event("organization", "created", organization("o-birch", "Birchwood Trust")),
        met("m-1", ["c-omar"], by="u-alice", days_ago=5),
    )
    await resolver.settle()
    lp = await resolver.entity_id("organization", "o-cedar")
    birch = await resolver.entity_id("organization", "o-birch")
    await resolver.ask(
        contract.SUBJECT_MERGE,
        contract.MergeRequest(entity_ids=[lp, birch], survivor_id=lp, actor=ALICE),
        contract.DecisionResult,
    )

    answer = await paths(resolver, birch)
    assert (answer.entity.id, answer.redirected_from) == (lp, birch)
    assert chains(answer) == [["Alice", "Omar Shah", "Cedar Capital"]]


@pytest.mark.parametrize(
    ("frontier", "reached"),
    [(2, ["u-4", "u-3"]), (50, ["u-4", "u-3", "u-2", "u-1"])],
)
async def test_each_hop_expands_only_the_best_entities_up_to_the_cap(
    tmp_path: Path,
    database_url: str,
    nats_server: NatsServer,
    bus: Bus,
    frontier: int,
    reached: list[str],
) -> None:
    settings = resolver_settings(tmp_path, database_url, nats_server.url, paths_frontier=frontier)
    resolver = await start_resolver(settings, bus)
    try:
        # Linda met person i in i meetings; team member i called person i: the more Linda met
        # them, the better the partial path, and the cap keeps the best.
        await resolver.publish(
            event("contact", "created", contact("c-lp", "Linda", "Park")),
            *(event("user", "created", user(f"u-{i}", f"member{i}")) for i in range(1, 5)),
            *(
                event("contact", "created", contact(f"c-{i}", "Person", f"Number{i}"))
                for i in range(1, 5)
            ),
            *(
                met(f"m-{i}-{j}", ["c-lp", f"c-{i}"], by=AGENT, days_ago=1)
                for i in range(1, 5)
                for j in range(i)
            ),
            *(met(f"c-{i}", [f"c-{i}"], by=f"u-{i}", days_ago=1, kind="call") for i in range(1, 5)),
        )
        await resolver.settle()
        linda = await resolver.entity_id("contact", "c-lp")

        answer = await paths(resolver, linda, max_hops=2)
        assert [p.team_member.id for p in answer.paths] == reached
    finally:
        await resolver.runtime.stop()

"""Proposals: an agent's held actions, decided by a signed-in person."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import crm_factories
import pytest
from agent_helpers import World, a_world, act, an_agent, interactions, params_for
from api_helpers import bearer, create_member, events
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.fixture
def world(client: TestClient, admin: str) -> World:
    return a_world(client, admin)


def propose(
    client: TestClient, agent: dict[str, Any], world: World, action: str, **params: Any
) -> dict[str, Any]:
    response = act(
        client,
        agent["headers"],
        action,
        params_for(world, action) | params,
        evidence=world.evidence,
        reason="the LP said so on the call",
        session="mcp-7",
    )
    assert response.status_code == 202, response.text
    proposal: dict[str, Any] = response.json()["proposal"]
    return proposal


def opportunity(client: TestClient, admin: str, world: World) -> dict[str, Any]:
    found: dict[str, Any] = client.get(
        f"/api/opportunities/{world.opportunity['id']}", headers=bearer(admin)
    ).json()
    return found


def decide(client: TestClient, headers: dict[str, str], proposal_id: str, verb: str) -> Any:
    return client.post(
        f"/api/proposals/{proposal_id}/{verb}", json={"note": "checked"}, headers=headers
    )


def test_an_agents_stage_move_is_a_proposal_that_changes_nothing_yet(
    app: FastAPI, client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    proposal = propose(client, agent, world, "move_stage")
    assert proposal["status"] == "pending"
    assert proposal["why"] == "stage_or_money"
    assert proposal["untrusted"] is False
    assert proposal["target_type"] == "opportunity"
    assert proposal["target_id"] == world.opportunity["id"]
    assert proposal["proposed_by_id"] == agent["id"]
    assert proposal["api_key_id"] == agent["id"]
    assert proposal["reason"] == "the LP said so on the call"
    [preview] = proposal["preview"]
    assert preview["op"] == "update"
    assert (preview["before"]["stage"], preview["after"]["stage"]) == ("lead", "meeting")
    assert opportunity(client, admin, world)["stage"] == "lead"
    created = [e for e in events(app, "crm.proposal.") if e["subject"] == proposal["id"]]
    assert [e["type"] for e in created] == ["crm.proposal.created"]
    [row] = interactions(client, admin, actor_id=agent["id"])
    assert row["action"] == "agent.move_stage"
    assert row["outcome"] == "proposed"
    assert row["flags"] == ["proposal"]
    assert {"type": "proposal", "id": proposal["id"]} in row["targets"]


def test_approving_applies_the_held_stage_move_as_the_approver(
    app: FastAPI, client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    proposal = propose(client, agent, world, "move_stage")
    approved = decide(client, bearer(admin), proposal["id"], "approve")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved"
    assert body["decision_note"] == "checked"
    assert body["decided_at"] is not None
    assert body["version"] == 2
    assert approved.headers["ETag"] == '"2"'
    assert body["result"]["records"] == [{"type": "opportunity", "id": world.opportunity["id"]}]
    moved = opportunity(client, admin, world)
    assert moved["stage"] == "meeting"
    assert moved["updated_by"] == body["decided_by"]
    types = [e["type"] for e in events(app) if e["type"].startswith("crm.proposal.")]
    assert types == ["crm.proposal.created", "crm.proposal.approved"]
    updated = events(app, "crm.opportunity.updated")
    assert updated[-1]["data"]["stage"] == "meeting"
    rows = interactions(client, admin, entity_type="proposal", entity_id=proposal["id"])
    assert [r["action"] for r in rows] == ["proposal.approve", "agent.move_stage"]
    assert {"type": "opportunity", "id": world.opportunity["id"]} in rows[0]["targets"]
    assert f"proposed by agent {agent['name']}" in rows[0]["summary"]


def test_approving_held_amounts_sets_them_exactly(
    client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    proposal = propose(client, agent, world, "set_amounts", committed_amount="1000000.10")
    assert decide(client, bearer(admin), proposal["id"], "approve").status_code == 200
    found = opportunity(client, admin, world)
    assert found["expected_amount"] == "2500000.00"
    assert found["committed_amount"] == "1000000.10"


def test_rejecting_leaves_the_opportunity_untouched(
    app: FastAPI, client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    proposal = propose(client, agent, world, "set_amounts")
    before = opportunity(client, admin, world)
    rejected = decide(client, bearer(admin), proposal["id"], "reject")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["result"] is None
    assert opportunity(client, admin, world) == before
    assert "crm.proposal.rejected" in [e["type"] for e in events(app, "crm.proposal.")]
    rows = interactions(client, admin, entity_type="proposal", entity_id=proposal["id"])
    assert rows[0]["action"] == "proposal.reject"


def test_a_decided_proposal_is_not_decided_again(
    client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    proposal = propose(client, agent, world, "move_stage")
    decide(client, bearer(admin), proposal["id"], "reject")
    for verb in ("approve", "reject"):
        again = decide(client, bearer(admin), proposal["id"], verb)
        assert again.status_code == 409
        assert again.json()["type"].endswith("proposal-decided")
    assert opportunity(client, admin, world)["stage"] == "lead"


@pytest.mark.parametrize("scopes", [["read", "write:logged"], ["admin"]])
def test_an_agent_key_cannot_decide_even_with_the_admin_scope(
    client: TestClient, admin: str, world: World, scopes: list[str]
) -> None:
    proposer = an_agent(client, admin)
    proposal = propose(client, proposer, world, "move_stage")
    decider = an_agent(client, admin, scopes)
    for verb in ("approve", "reject"):
        assert decide(client, decider["headers"], proposal["id"], verb).status_code == 403
    assert (
        client.get(f"/api/proposals/{proposal['id']}", headers=bearer(admin)).json()["status"]
        == "pending"
    )


def test_a_member_may_decide(client: TestClient, admin: str, world: World) -> None:
    member = create_member(client, admin)
    proposal = propose(client, an_agent(client, admin), world, "move_stage")
    assert decide(client, bearer(member), proposal["id"], "approve").status_code == 200


def test_a_stale_proposal_is_refused_and_stays_pending(
    client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    proposal = propose(client, agent, world, "move_stage", version=world.opportunity["version"])
    moved = client.patch(
        f"/api/opportunities/{world.opportunity['id']}/stage",
        json={"stage": "contacted"},
        headers=bearer(admin) | {"If-Match": f'"{world.opportunity["version"]}"'},
    )
    assert moved.status_code == 200
    refused = decide(client, bearer(admin), proposal["id"], "approve")
    assert refused.status_code == 409
    assert opportunity(client, admin, world)["stage"] == "contacted"
    current = client.get(f"/api/proposals/{proposal['id']}", headers=bearer(admin)).json()
    assert current["status"] == "pending"


def test_a_proposal_whose_opportunity_was_deleted_is_refused_and_stays_pending(
    client: TestClient, admin: str, world: World
) -> None:
    proposal = propose(client, an_agent(client, admin), world, "move_stage")
    deleted = client.delete(f"/api/opportunities/{world.opportunity['id']}", headers=bearer(admin))
    assert deleted.status_code == 200
    refused = decide(client, bearer(admin), proposal["id"], "approve")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("proposal-stale")
    current = client.get(f"/api/proposals/{proposal['id']}", headers=bearer(admin)).json()
    assert current["status"] == "pending"


def test_if_match_on_the_proposal_is_checked_when_given(
    client: TestClient, admin: str, world: World
) -> None:
    proposal = propose(client, an_agent(client, admin), world, "move_stage")
    refused = client.post(
        f"/api/proposals/{proposal['id']}/approve",
        json={},
        headers=bearer(admin) | {"If-Match": '"7"'},
    )
    assert refused.status_code == 409
    accepted = client.post(
        f"/api/proposals/{proposal['id']}/approve",
        json={},
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    assert accepted.status_code == 200


def test_an_approved_note_from_a_tainted_session_is_written_by_the_approver(
    client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    communication = crm_factories.communication(client, admin, contact_id=world.contact["id"])
    session = agent["headers"] | {"X-MCP-Session": "mcp-7"}
    client.get(f"/api/communications/{communication['id']}", headers=session).raise_for_status()
    proposal = propose(client, agent, world, "add_note")
    assert proposal["why"] == "untrusted_session"
    assert proposal["target_type"] == "contact"
    approved = decide(client, bearer(admin), proposal["id"], "approve")
    assert approved.status_code == 200, approved.text
    [record] = approved.json()["result"]["records"]
    note = client.get(f"/api/communications/{record['id']}", headers=bearer(admin)).json()
    assert note["body"] == "Prefers email."
    assert note["created_by"] == approved.json()["decided_by"]


def test_an_empty_communication_history_does_not_taint(
    client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    session = agent["headers"] | {"X-MCP-Session": "mcp-7"}
    history = client.get(f"/api/contacts/{world.contact['id']}/communications", headers=session)
    assert history.status_code == 200
    assert client.get("/api/agent/session", headers=session).json()["tainted"] is False


def test_proposals_are_listed_by_status_entity_key_and_proposer(
    client: TestClient, admin: str, world: World
) -> None:
    agent = an_agent(client, admin)
    other = an_agent(client, admin)
    first = propose(client, agent, world, "move_stage")
    second = propose(client, other, world, "set_amounts")
    decide(client, bearer(admin), first["id"], "reject")

    def listed(**filters: str) -> list[str]:
        response = client.get("/api/proposals", params=filters, headers=agent["headers"])
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert listed() == [second["id"], first["id"]]
    assert listed(status="pending") == [second["id"]]
    assert listed(api_key_id=agent["id"]) == [first["id"]]
    assert listed(proposed_by=other["id"]) == [second["id"]]
    by_target = listed(entity_type="opportunity", entity_id=world.opportunity["id"])
    assert by_target == [second["id"], first["id"]]
    by_evidence = listed(entity_type="contact", entity_id=world.contact["id"])
    assert by_evidence == [second["id"], first["id"]]
    assert listed(entity_type="contact", entity_id="nobody") == []
    page = client.get("/api/proposals", params={"limit": 1}, headers=agent["headers"]).json()
    assert page["total"] == 2
    rest = client.get(
        "/api/proposals", params={"cursor": page["next_cursor"]}, headers=agent["headers"]
    ).json()
    assert [p["id"] for p in rest["items"]] == [first["id"]]


def test_an_unknown_proposal_is_not_found(client: TestClient, admin: str) -> None:
    missing = "01930000-0000-7000-8000-000000000000"
    assert client.get(f"/api/proposals/{missing}", headers=bearer(admin)).status_code == 404
    assert decide(client, bearer(admin), missing, "approve").status_code == 404


def test_two_approvals_at_once_apply_the_proposal_once(
    client: TestClient, admin: str, world: World
) -> None:
    proposal = propose(client, an_agent(client, admin), world, "move_stage")
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda _: decide(client, bearer(admin), proposal["id"], "approve"), range(2))
        )
    assert sorted(a.status_code for a in answers) == [200, 409]
    moved = opportunity(client, admin, world)
    assert moved["stage"] == "meeting"
    assert moved["version"] == world.opportunity["version"] + 1

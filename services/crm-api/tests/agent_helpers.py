"""Helpers for the agent action and proposal tests: a small CRM, keys, and calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import crm_factories
from api_helpers import bearer, create_key
from fastapi.testclient import TestClient
from httpx2 import Response

ACTIONS = "/api/agent/actions"


@dataclass
class World:
    """A fund, an organization with a contact, an opportunity and a follow-up."""

    fund: dict[str, Any]
    organization: dict[str, Any]
    contact: dict[str, Any]
    opportunity: dict[str, Any]
    follow_up: dict[str, Any]

    @property
    def evidence(self) -> list[dict[str, str]]:
        return [{"type": "contact", "id": self.contact["id"]}]


def a_world(client: TestClient, admin: str) -> World:
    organization = crm_factories.organization(client, admin)
    contact = crm_factories.contact(client, admin)
    fund = crm_factories.fund(client, admin)
    opportunity = crm_factories.opportunity(
        client, admin, investor_organization_id=organization["id"], fund_id=fund["id"]
    )
    follow_up = crm_factories.follow_up(client, admin, contact_id=contact["id"])
    return World(fund, organization, contact, opportunity, follow_up)


def an_agent(client: TestClient, admin: str, scopes: list[str] | None = None) -> dict[str, Any]:
    """A key (the created body, with `headers` to call with)."""
    key = create_key(client, admin, scopes or ["read", "write:logged"])
    return key | {"headers": {"X-API-Key": key["key"]}}


def params_for(world: World, action: str) -> dict[str, Any]:
    """Valid params for each action in `world`."""
    return {
        "log_interaction": {
            "type": "call",
            "subject": "Quarterly check-in",
            "body": "Talked through the Fund III timeline.",
            "contact_ids": [world.contact["id"]],
            "organization_id": world.organization["id"],
            "outcome": "interested",
        },
        "add_note": {"body": "Prefers email.", "contact_id": world.contact["id"]},
        "create_follow_up": {
            "title": "Send the data room link",
            "due_date": "2026-12-15",
            "contact_id": world.contact["id"],
        },
        "complete_follow_up": {"follow_up_id": world.follow_up["id"]},
        "move_stage": {"opportunity_id": world.opportunity["id"], "stage": "meeting"},
        "set_amounts": {
            "opportunity_id": world.opportunity["id"],
            "expected_amount": "2500000.00",
        },
    }[action]


def act(
    client: TestClient,
    headers: dict[str, str],
    action: str,
    params: dict[str, Any],
    *,
    key: str | None = "key-00000001",
    session: str | None = None,
    **body: Any,
) -> Response:
    sent = dict(headers)
    if key is not None:
        sent["Idempotency-Key"] = key
    if session is not None:
        sent["X-MCP-Session"] = session
    return client.post(ACTIONS, json={"action": action, "params": params} | body, headers=sent)


def interactions(client: TestClient, admin: str, **filters: str) -> list[dict[str, Any]]:
    response = client.get("/api/interactions", params=filters, headers=bearer(admin))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def agent_rows(client: TestClient, admin: str, actor_id: str) -> list[dict[str, Any]]:
    """The agent.* rows an actor wrote, newest first."""
    return [
        row
        for row in interactions(client, admin, actor_id=actor_id)
        if row["action"].startswith("agent.")
    ]

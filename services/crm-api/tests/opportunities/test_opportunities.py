"""Opportunities: one investor's position in one fund, the single home of money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import crm_factories
import pytest
from api_helpers import MEMBER_PASSWORD, bearer, create_key, events
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from crm_api.opportunities.models import Opportunity

STAGES = [
    "lead",
    "contacted",
    "meeting",
    "due_diligence",
    "soft_commit",
    "committed",
    "closed_won",
    "closed_lost",
]


def an_organization(client: TestClient, token: str, name: str = "Harbor Family Office") -> str:
    response = client.post(
        "/api/organizations", json={"name": name, "type": "family_office"}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    org_id: str = response.json()["id"]
    return org_id


def a_fund(client: TestClient, token: str, name: str = "Fund III", **fields: Any) -> str:
    response = client.post("/api/funds", json={"name": name} | fields, headers=bearer(token))
    assert response.status_code == 201, response.text
    fund_id: str = response.json()["id"]
    return fund_id


def a_contact(client: TestClient, token: str, *, deleted: bool = False) -> str:
    contact_id: str = crm_factories.contact(client, token)["id"]
    if deleted:
        response = client.delete(f"/api/contacts/{contact_id}", headers=bearer(token))
        assert response.status_code == 200, response.text
    return contact_id


def a_user(client: TestClient, admin: str, username: str = "mia") -> str:
    response = client.post(
        "/api/admin/users",
        json={"username": username, "password": MEMBER_PASSWORD, "role": "member"},
        headers=bearer(admin),
    )
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


def post(client: TestClient, token: str, body: dict[str, Any]) -> Any:
    return client.post("/api/opportunities", json=body, headers=bearer(token))


def create(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    response = post(client, token, fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def versioned(token: str, version: int) -> dict[str, str]:
    return bearer(token) | {"If-Match": f'"{version}"'}


def test_a_created_opportunity_is_returned_published_audited_and_logged_on_its_investor_and_fund(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    response = post(
        client,
        admin,
        {
            "investor_organization_id": org,
            "fund_id": fund,
            "stage": "meeting",
            "expected_amount": "5000000",
            "next_step": "Send the deck",
            "close_date": "2027-03-31",
        },
    )
    assert response.status_code == 201, response.text
    opp = response.json()
    assert response.headers["etag"] == '"1"'
    assert opp["stage"] == "meeting"
    assert opp["expected_amount"] == "5000000.00"
    assert opp["committed_amount"] is None
    assert opp["close_date"] == "2027-03-31"

    (event,) = events(app, "crm.opportunity.")
    assert event["type"] == "crm.opportunity.created"
    assert event["subject"] == opp["id"]
    assert event["data"] == opp
    audit = client.get("/api/audit-log", params={"entity_id": opp["id"]}, headers=bearer(admin))
    assert [e["action"] for e in audit.json()["items"]] == ["create"]
    for entity_type, entity_id in [
        ("opportunity", opp["id"]),
        ("organization", org),
        ("fund", fund),
    ]:
        touches = client.get(
            "/api/interactions",
            params={"entity_type": entity_type, "entity_id": entity_id},
            headers=bearer(admin),
        ).json()["items"]
        assert "opportunity.create" in [t["action"] for t in touches], entity_type


def test_the_currency_defaults_to_the_funds(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin, currency="EUR")
    assert create(client, admin, investor_organization_id=org, fund_id=fund)["currency"] == "EUR"
    other = a_fund(client, admin, name="Fund IV", currency="EUR")
    explicit = create(client, admin, investor_organization_id=org, fund_id=other, currency="CHF")
    assert explicit["currency"] == "CHF"


def test_a_stage_outside_the_list_is_refused_on_create(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    response = post(
        client, admin, {"investor_organization_id": org, "fund_id": fund, "stage": "won"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "stage"
    assert response.json()["allowed"] == STAGES


def test_a_stage_outside_the_list_is_refused_on_update(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    response = client.patch(
        f"/api/opportunities/{opp['id']}", json={"stage": "won"}, headers=versioned(admin, 1)
    )
    assert response.status_code == 422
    assert response.json()["allowed"] == STAGES
    assert client.get(f"/api/opportunities/{opp['id']}", headers=bearer(admin)).json()["stage"] == (
        "lead"
    )


def test_a_stage_outside_the_list_is_refused_on_the_stage_endpoint(
    client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    response = client.patch(
        f"/api/opportunities/{opp['id']}/stage", json={"stage": "won"}, headers=versioned(admin, 1)
    )
    assert response.status_code == 422
    assert response.json()["field"] == "stage"
    assert response.json()["allowed"] == STAGES


def test_a_stage_an_admin_adds_to_the_list_is_accepted(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    added = client.post(
        "/api/admin/lookups/pipeline_stage",
        json={"value": "term_sheet", "label": "Term sheet"},
        headers=bearer(admin),
    )
    assert added.status_code == 201
    opp = create(client, admin, investor_organization_id=org, fund_id=fund, stage="term_sheet")
    assert opp["stage"] == "term_sheet"


def test_the_stage_endpoint_moves_the_stage_and_needs_the_current_version(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    path = f"/api/opportunities/{opp['id']}/stage"
    assert client.patch(path, json={"stage": "meeting"}, headers=bearer(admin)).status_code == 428

    moved = client.patch(path, json={"stage": "meeting"}, headers=versioned(admin, 1))
    assert moved.status_code == 200
    assert moved.json()["stage"] == "meeting"
    assert moved.headers["etag"] == '"2"'

    stale = client.patch(path, json={"stage": "committed"}, headers=versioned(admin, 1))
    assert stale.status_code == 409
    assert stale.json()["current"]["stage"] == "meeting"
    audit = client.get("/api/audit-log", params={"entity_id": opp["id"]}, headers=bearer(admin))
    assert [e["action"] for e in audit.json()["items"]] == ["stage", "create"]


def test_closed_lost_needs_a_lost_reason(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    refused = post(
        client, admin, {"investor_organization_id": org, "fund_id": fund, "stage": "closed_lost"}
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "lost_reason"

    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    path = f"/api/opportunities/{opp['id']}"
    for body in ({"stage": "closed_lost"}, {"stage": "closed_lost", "lost_reason": "  "}):
        response = client.patch(f"{path}/stage", json=body, headers=versioned(admin, 1))
        assert response.status_code == 422, body
        assert response.json()["field"] == "lost_reason"
    lost = client.patch(
        f"{path}/stage",
        json={"stage": "closed_lost", "lost_reason": "No allocation to venture this year"},
        headers=versioned(admin, 1),
    )
    assert lost.status_code == 200
    assert lost.json()["lost_reason"] == "No allocation to venture this year"

    cleared = client.patch(path, json={"lost_reason": None}, headers=versioned(admin, 2))
    assert cleared.status_code == 422


def test_an_investor_has_one_live_opportunity_per_fund(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    first = create(client, admin, investor_organization_id=org, fund_id=fund)
    clash = post(client, admin, {"investor_organization_id": org, "fund_id": fund})
    assert clash.status_code == 409
    assert clash.json()["opportunity_id"] == first["id"]
    other_fund = a_fund(client, admin, name="Fund IV")
    create(client, admin, investor_organization_id=org, fund_id=other_fund)

    client.delete(f"/api/opportunities/{first['id']}", headers=bearer(admin))
    second = create(client, admin, investor_organization_id=org, fund_id=fund)
    restore = client.post(f"/api/opportunities/{first['id']}/restore", headers=bearer(admin))
    assert restore.status_code == 409
    assert restore.json()["opportunity_id"] == second["id"]


def row(**fields: Any) -> Opportunity:
    return Opportunity(stage="lead", currency="USD", created_by="test", updated_by="test", **fields)


def test_the_database_itself_refuses_a_second_live_opportunity_per_investor_and_fund(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    create(client, admin, investor_organization_id=org, fund_id=fund)
    with pytest.raises(IntegrityError), app.state.db.transaction() as session:
        session.add(row(investor_organization_id=org, fund_id=fund))
    with app.state.db.transaction() as session:  # a deleted twin is no twin
        session.add(row(investor_organization_id=org, fund_id=fund, deleted_at=datetime.now(UTC)))


def test_the_database_itself_refuses_an_opportunity_with_two_investors_or_none(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, contact, fund = (
        an_organization(client, admin),
        a_contact(client, admin),
        a_fund(client, admin),
    )
    for investors in ({}, {"investor_organization_id": org, "investor_contact_id": contact}):
        with pytest.raises(IntegrityError), app.state.db.transaction() as session:
            session.add(row(fund_id=fund, **investors))


def test_a_contact_investor_has_one_live_opportunity_per_fund_too(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    contact, fund = a_contact(client, admin), a_fund(client, admin)
    first = create(client, admin, investor_contact_id=contact, fund_id=fund)
    clash = post(client, admin, {"investor_contact_id": contact, "fund_id": fund})
    assert clash.status_code == 409
    assert clash.json()["opportunity_id"] == first["id"]


def test_moving_an_opportunity_onto_an_existing_investor_and_fund_is_refused(
    client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    other_fund = a_fund(client, admin, name="Fund IV")
    first = create(client, admin, investor_organization_id=org, fund_id=fund)
    second = create(client, admin, investor_organization_id=org, fund_id=other_fund)
    moved = client.patch(
        f"/api/opportunities/{second['id']}", json={"fund_id": fund}, headers=versioned(admin, 1)
    )
    assert moved.status_code == 409
    assert moved.json()["opportunity_id"] == first["id"]


def test_an_opportunity_has_exactly_one_investor(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, contact, fund = (
        an_organization(client, admin),
        a_contact(client, admin),
        a_fund(client, admin),
    )
    neither = post(client, admin, {"fund_id": fund})
    assert neither.status_code == 422
    assert neither.json()["field"] == "investor_organization_id"
    both = post(
        client,
        admin,
        {"investor_organization_id": org, "investor_contact_id": contact, "fund_id": fund},
    )
    assert both.status_code == 422
    assert both.json()["field"] == "investor_contact_id"

    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    path = f"/api/opportunities/{opp['id']}"
    added = client.patch(path, json={"investor_contact_id": contact}, headers=versioned(admin, 1))
    assert added.status_code == 422
    switched = client.patch(
        path,
        json={"investor_contact_id": contact, "investor_organization_id": None},
        headers=versioned(admin, 1),
    )
    assert switched.status_code == 200
    assert switched.json()["investor_contact_id"] == contact
    assert switched.json()["investor_organization_id"] is None


def test_the_fund_and_the_investor_must_exist_and_be_live(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    gone_fund = a_fund(client, admin, name="Fund I")
    client.delete(f"/api/funds/{gone_fund}", headers=bearer(admin))
    gone_org = an_organization(client, admin, name="Gone Capital")
    client.delete(f"/api/organizations/{gone_org}", headers=bearer(admin))
    cases = [
        ({"investor_organization_id": org, "fund_id": "no-such-fund"}, "fund_id"),
        ({"investor_organization_id": org, "fund_id": gone_fund}, "fund_id"),
        ({"investor_organization_id": "nobody", "fund_id": fund}, "investor_organization_id"),
        ({"investor_organization_id": gone_org, "fund_id": fund}, "investor_organization_id"),
        ({"investor_contact_id": "nobody", "fund_id": fund}, "investor_contact_id"),
        (
            {"investor_contact_id": a_contact(client, admin, deleted=True), "fund_id": fund},
            "investor_contact_id",
        ),
    ]
    for body, field in cases:
        response = post(client, admin, body)
        assert response.status_code == 422, body
        assert response.json()["field"] == field


def test_the_owner_must_be_an_active_user(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    unknown = post(
        client, admin, {"investor_organization_id": org, "fund_id": fund, "owner_id": "ghost"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "owner_id"
    leaver = a_user(client, admin, "leo")
    client.patch(f"/api/admin/users/{leaver}", json={"is_active": False}, headers=bearer(admin))
    inactive = post(
        client, admin, {"investor_organization_id": org, "fund_id": fund, "owner_id": leaver}
    )
    assert inactive.status_code == 422
    assert inactive.json()["field"] == "owner_id"

    owner = a_user(client, admin, "mia")
    opp = create(client, admin, investor_organization_id=org, fund_id=fund, owner_id=owner)
    assert opp["owner_id"] == owner


def test_an_update_needs_the_current_version(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    path = f"/api/opportunities/{opp['id']}"
    missing = client.patch(path, json={"next_step": "Call"}, headers=bearer(admin))
    assert missing.status_code == 428

    ok = client.patch(path, json={"next_step": "Call"}, headers=versioned(admin, 1))
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert ok.headers["etag"] == '"2"'

    stale = client.patch(path, json={"next_step": "Email"}, headers=versioned(admin, 1))
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["current"]["next_step"] == "Call"


def test_a_replayed_idempotency_key_returns_the_first_answer_and_creates_one_row(
    client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    headers = bearer(admin) | {"Idempotency-Key": "open-harbor-fund-iii"}
    body = {"investor_organization_id": org, "fund_id": fund, "committed_amount": "1000000.00"}
    first = client.post("/api/opportunities", json=body, headers=headers)
    again = client.post("/api/opportunities", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/api/opportunities", headers=bearer(admin)).json()["total"] == 1


def test_soft_deleted_opportunities_are_hidden_and_restorable(
    client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    path = f"/api/opportunities/{opp['id']}"
    assert client.delete(path, headers=bearer(admin)).json()["deleted_at"] is not None
    assert client.get(path, headers=bearer(admin)).status_code == 404
    assert client.get("/api/opportunities", headers=bearer(admin)).json()["total"] == 0
    only = client.get("/api/opportunities", params={"deleted": "only"}, headers=bearer(admin))
    assert [o["id"] for o in only.json()["items"]] == [opp["id"]]

    restored = client.post(f"{path}/restore", headers=bearer(admin))
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert client.get(path, headers=bearer(admin)).status_code == 200


def test_purge_is_for_deleted_opportunities_and_leaves_an_audit_entry(
    client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund, funded_amount="10")
    purge = f"/api/admin/opportunities/{opp['id']}/purge"
    assert client.post(purge, headers=bearer(admin)).status_code == 422  # still live
    client.delete(f"/api/opportunities/{opp['id']}", headers=bearer(admin))
    assert client.post(purge, headers=bearer(admin)).status_code == 204
    listed = client.get("/api/opportunities", params={"deleted": "include"}, headers=bearer(admin))
    assert listed.json()["total"] == 0
    audit = client.get("/api/audit-log", params={"entity_id": opp["id"]}, headers=bearer(admin))
    entry = audit.json()["items"][0]
    assert entry["action"] == "purge"
    assert entry["before"]["funded_amount"] == "10.00"


def test_amounts_round_trip_exactly_as_strings(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(
        client,
        admin,
        investor_organization_id=org,
        fund_id=fund,
        expected_amount="1234567.89",
        committed_amount="0.10",
        funded_amount=0.2,
    )
    read = client.get(f"/api/opportunities/{opp['id']}", headers=bearer(admin)).json()
    for body in (opp, read):
        assert body["expected_amount"] == "1234567.89"
        assert body["committed_amount"] == "0.10"
        assert body["funded_amount"] == "0.20"
    total = Decimal(read["committed_amount"]) + Decimal(read["funded_amount"])
    assert str(total) == "0.30"

    largest = client.patch(
        f"/api/opportunities/{opp['id']}",
        json={"expected_amount": "9999999999999.99", "committed_amount": "1E+2"},
        headers=versioned(admin, 1),
    ).json()
    again = client.get(f"/api/opportunities/{opp['id']}", headers=bearer(admin)).json()
    assert largest["expected_amount"] == again["expected_amount"] == "9999999999999.99"
    assert largest["committed_amount"] == again["committed_amount"] == "100.00"


def test_negative_sub_cent_or_oversized_amounts_are_refused(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    base = {"investor_organization_id": org, "fund_id": fund}
    for bad in ("-0.01", "1.234", 1.005, "ten", "NaN", "10000000000000.00"):
        response = post(client, admin, base | {"committed_amount": bad})
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == "committed_amount"
    opp = create(client, admin, **base)
    refused = client.patch(
        f"/api/opportunities/{opp['id']}",
        json={"funded_amount": "-5"},
        headers=versioned(admin, 1),
    )
    assert refused.status_code == 422


def test_lists_filter_by_fund_stage_investor_and_owner_and_page_with_a_cursor(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    owner = a_user(client, admin)
    funds = [a_fund(client, admin, name=f"Fund {n}") for n in ("I", "II")]
    orgs = [an_organization(client, admin, name=f"Investor {n}") for n in range(3)]
    contact = a_contact(client, admin)
    made = []
    for fund in funds:
        for org in orgs:
            made.append(create(client, admin, investor_organization_id=org, fund_id=fund))
    committed = create(
        client,
        admin,
        investor_contact_id=contact,
        fund_id=funds[0],
        stage="committed",
        owner_id=owner,
        next_step="Countersign the subscription",
    )

    def ids(**params: Any) -> list[str]:
        page = client.get("/api/opportunities", params=params, headers=bearer(admin)).json()
        return [o["id"] for o in page["items"]]

    assert len(ids(fund_id=funds[1])) == 3
    assert ids(stage="committed") == [committed["id"]]
    assert ids(owner_id=owner) == [committed["id"]]
    assert ids(investor_contact_id=contact) == [committed["id"]]
    assert len(ids(investor_organization_id=orgs[0])) == 2
    assert ids(q="countersign") == [committed["id"]]
    assert len(ids(q="investor 1")) == 2

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "sort": "-created_at"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/opportunities", params=params, headers=bearer(admin)).json()
        assert page["total"] == 7
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [o["id"] for o in reversed([*made, committed])]


def test_each_change_publishes_one_event_with_the_full_state(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    created = create(client, admin, investor_organization_id=org, fund_id=fund)
    path = f"/api/opportunities/{created['id']}"
    answers = [
        created,
        client.patch(path, json={"committed_amount": "250000"}, headers=versioned(admin, 1)).json(),
        client.patch(
            f"{path}/stage", json={"stage": "committed"}, headers=versioned(admin, 2)
        ).json(),
        client.delete(path, headers=bearer(admin)).json(),
        client.post(f"{path}/restore", headers=bearer(admin)).json(),
    ]
    published = events(app, "crm.opportunity.")
    assert [e["type"] for e in published] == [
        "crm.opportunity.created",
        "crm.opportunity.updated",
        "crm.opportunity.updated",
        "crm.opportunity.deleted",
        "crm.opportunity.restored",
    ]
    assert [e["data"] for e in published] == answers
    assert [e["version"] for e in published] == [1, 2, 3, 4, 5]
    assert published[1]["data"]["committed_amount"] == "250000.00"


def test_a_change_that_changes_nothing_keeps_the_version_and_publishes_nothing(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund, expected_amount="5")
    path = f"/api/opportunities/{opp['id']}"
    same = client.patch(path, json={"expected_amount": 5.0}, headers=versioned(admin, 1))
    assert same.json()["version"] == 1
    stage = client.patch(f"{path}/stage", json={"stage": "lead"}, headers=versioned(admin, 1))
    assert stage.json()["version"] == 1
    assert [e["type"] for e in events(app, "crm.opportunity.")] == ["crm.opportunity.created"]


def test_an_agent_reads_opportunities_but_cannot_write_them(client: TestClient, admin: str) -> None:
    org, fund = an_organization(client, admin), a_fund(client, admin)
    opp = create(client, admin, investor_organization_id=org, fund_id=fund)
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get(f"/api/opportunities/{opp['id']}", headers=agent).status_code == 200
    assert client.get("/api/opportunities", headers=agent).status_code == 200
    body = {"investor_organization_id": org, "fund_id": fund}
    assert client.post("/api/opportunities", json=body, headers=agent).status_code == 403
    stage = client.patch(
        f"/api/opportunities/{opp['id']}/stage",
        json={"stage": "meeting"},
        headers=agent | {"If-Match": '"1"'},
    )
    assert stage.status_code == 403

"""Automations: rules whose condition and actions are really interpreted; the built-in lists are
ordinary rules; dry runs change nothing; every run is recorded; schedules run once."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import crm_factories as make
import pytest
from api_helpers import bearer, create_member, events, register_admin
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grid_helpers import edit_cell, edit_row, funds, grid, org_row

from crm_api.automations.scheduler import RuleScheduler
from crm_common.natsd import NatsServer
from crm_common.testing import eventually


def rules(client: TestClient, token: str) -> dict[str, dict[str, Any]]:
    response = client.get("/api/grid/rules", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {r["name"]: r for r in response.json()["items"]}


def run(client: TestClient, token: str, rule_id: str, dry: bool = False) -> dict[str, Any]:
    path = f"/api/grid/rules/{rule_id}/{'dry-run' if dry else 'run'}"
    response = client.post(path, json={}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def create_rule(client: TestClient, token: str, **body: Any) -> dict[str, Any]:
    response = client.post(
        "/api/grid/rules", json={"name": "rule", "on_change": False} | body, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def members(client: TestClient, token: str, key: str) -> set[str]:
    response = client.get(f"/api/grid/lists/{key}/members", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {m["row_id"] for m in response.json()["items"]}


def run_all_builtins(client: TestClient, token: str) -> None:
    for rule in rules(client, token).values():
        if rule["is_builtin"]:
            run(client, token, rule["id"])


def test_the_builtin_lists_are_ordinary_rules(client: TestClient, admin: str) -> None:
    builtins = [r for r in rules(client, admin).values() if r["is_builtin"]]
    assert len(builtins) == 3
    listed = client.get("/api/grid/lists", headers=bearer(admin)).json()["items"]
    assert {item["key"] for item in listed} == {"all", "follow_up", "graveyard"}
    keen = org_row(client, admin, "Keen", flags=["follow_up"])
    passed = org_row(client, admin, "Passed", flags=["graveyard"])
    quiet = org_row(client, admin, "Quiet")
    run_all_builtins(client, admin)
    assert members(client, admin, "all") == {keen["id"], passed["id"], quiet["id"]}
    assert members(client, admin, "follow_up") == {keen["id"]}
    assert members(client, admin, "graveyard") == {passed["id"]}
    # Unflagged, the row leaves the list (the rule's `otherwise`); the same membership id returns.
    first = client.get("/api/grid/lists/follow_up/members", headers=bearer(admin)).json()
    edit_row(client, admin, keen, flags=[])
    run_all_builtins(client, admin)
    assert members(client, admin, "follow_up") == set()
    keen = client.get(f"/api/grid/rows/{keen['id']}", headers=bearer(admin)).json()
    edit_row(client, admin, keen, flags=["follow_up"])
    run_all_builtins(client, admin)
    again = client.get("/api/grid/lists/follow_up/members", headers=bearer(admin)).json()
    assert again["items"][0]["id"] == first["items"][0]["id"]
    assert again["items"][0]["version"] == 3
    assert grid(client, admin, list="follow_up")["total"] == 1
    # An admin can pause a built-in like any rule.
    follow = rules(client, admin)["Follow-up flag keeps the Follow-up list"]
    paused = client.patch(
        f"/api/grid/rules/{follow['id']}",
        json={"is_active": False},
        headers=bearer(admin) | {"If-Match": f'"{follow["version"]}"'},
    )
    assert paused.status_code == 200


def test_every_action_applies_and_a_second_run_changes_nothing(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    owner_id = client.get("/api/auth/me", headers=bearer(admin)).json()["id"]
    client.post(
        "/api/grid/columns",
        json={"key": "tier", "label": "Tier", "type": "text"},
        headers=bearer(admin),
    )
    client.post("/api/grid/lists", json={"key": "warm", "name": "Warm"}, headers=bearer(admin))
    hot = org_row(client, admin, "Hot LP", flags=["priority"])
    cold = org_row(client, admin, "Cold LP", flags=["stale"])
    rule = create_rule(
        client,
        admin,
        condition={"field": "flag.priority"},
        actions=[
            {"type": "add_to_list", "list": "warm"},
            {"type": "set_flag", "flag": "follow_up"},
            {"type": "set_field", "field": "lead_source", "value": "Automation"},
            {"type": "set_field", "field": "values.tier", "value": "A"},
            {
                "type": "create_follow_up",
                "title": "Call the hot LP",
                "due_in_days": 3,
                "owner_id": owner_id,
            },
        ],
        otherwise=[
            {"type": "remove_from_list", "list": "warm"},
            {"type": "set_flag", "flag": "stale", "value": False},
        ],
    )
    first = run(client, admin, rule["id"])
    assert first["status"] == "ok"
    assert first["rows_evaluated"] == 2
    assert first["rows_matched"] == 1
    assert {(c["row_id"], c["action"]) for c in first["changes"]} == {
        (hot["id"], "add_to_list"),
        (hot["id"], "set_flag"),
        (hot["id"], "set_field"),
        (hot["id"], "create_follow_up"),
        (cold["id"], "set_flag"),
    }
    hot_now = client.get(f"/api/grid/rows/{hot['id']}", headers=bearer(admin)).json()
    assert hot_now["flags"] == ["follow_up", "priority"]
    assert hot_now["lead_source"] == "Automation"
    assert hot_now["values"] == {"tier": "A"}
    cold_now = client.get(f"/api/grid/rows/{cold['id']}", headers=bearer(admin)).json()
    assert cold_now["flags"] == []
    assert members(client, admin, "warm") == {hot["id"]}
    follow_ups = client.get(
        "/api/follow-ups", params={"organization_id": hot["organization_id"]}, headers=bearer(admin)
    ).json()["items"]
    assert [(f["title"], f["owner_id"]) for f in follow_ups] == [("Call the hot LP", owner_id)]
    assert follow_ups[0]["due_date"] == (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    # The changes are the automations', on the record as a service.
    changed = [e for e in events(app, "crm.grid_row.updated") if e["subject"] == hot["id"]]
    assert changed[-1]["actor"]["kind"] == "service"

    second = run(client, admin, rule["id"])
    assert second["changes"] == []
    # `otherwise` takes the row off the list once the condition stops holding.
    edit_row(client, admin, hot_now, flags=[])
    third = run(client, admin, rule["id"])
    assert {(c["action"], c["target"]) for c in third["changes"]} == {("remove_from_list", "warm")}
    assert members(client, admin, "warm") == set()


def test_a_dry_run_changes_nothing(app: FastAPI, client: TestClient, admin: str) -> None:
    org_row(client, admin, "Keen", flags=["follow_up"])
    follow = rules(client, admin)["Follow-up flag keeps the Follow-up list"]
    before_events = len(events(app))
    before_grid = grid(client, admin)
    dry = run(client, admin, follow["id"], dry=True)
    assert dry["is_dry_run"] is True
    assert [c["action"] for c in dry["changes"]] == ["add_to_list"]
    assert len(events(app)) == before_events
    assert grid(client, admin) == before_grid
    assert members(client, admin, "follow_up") == set()
    draft = client.post(
        "/api/grid/rules/dry-run",
        json={
            "condition": True,
            "actions": [{"type": "create_follow_up", "title": "Hello", "due_in_days": 1}],
        },
        headers=bearer(admin),
    )
    assert draft.status_code == 200, draft.text
    assert len(draft.json()["changes"]) == 1
    assert len(events(app)) == before_events
    assert client.get("/api/follow-ups", headers=bearer(admin)).json()["total"] == 0


def _hits(client: TestClient, token: str, condition: Any) -> set[str]:
    """The rows a condition holds for, by a dry run of a rule that would flag them."""
    response = client.post(
        "/api/grid/rules/dry-run",
        json={"condition": condition, "actions": [{"type": "set_flag", "flag": "hit"}]},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    names = {}
    for row in grid(client, token)["rows"]:
        names[row["id"]] = row["investor"]["name"]
    return {names[c["row_id"]] for c in response.json()["changes"]}


def test_every_condition_is_interpreted(client: TestClient, admin: str) -> None:
    fund_a, fund_b = funds(client, admin, "Fund III", "Fund IV")
    client.post(
        "/api/grid/columns",
        json={"key": "region", "label": "Region", "type": "select", "options": ["US", "EU"]},
        headers=bearer(admin),
    )
    big = org_row(client, admin, "Big Pension", lead_source="Referral", values={"region": "EU"})
    small = org_row(client, admin, "Small Office", flags=["follow_up"], values={"region": "US"})
    make.contact(client, admin)  # not on the grid
    person = client.post(
        "/api/grid/rows",
        json={"new_contact": {"first_name": "Grace", "last_name": "Hopper"}},
        headers=bearer(admin),
    ).json()
    edit_cell(
        client, admin, big["id"], fund_a["id"], 0, committed_amount="5000000", stage="committed"
    )
    edit_cell(client, admin, big["id"], fund_b["id"], 0, committed_amount="1000000", stage="lead")
    edit_cell(
        client, admin, small["id"], fund_a["id"], 0, committed_amount="250000", stage="meeting"
    )
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    recent = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    make.communication(client, admin, organization_id=big["organization_id"], occurred_at=old)
    make.communication(client, admin, organization_id=small["organization_id"], occurred_at=recent)
    for rule in rules(client, admin).values():  # lists: all three on All, Small on Follow-up
        run(client, admin, rule["id"])

    cases: list[tuple[Any, set[str]]] = [
        (True, {"Big Pension", "Small Office", "Grace Hopper"}),
        (False, set()),
        ({"field": "investor_kind", "value": "contact"}, {"Grace Hopper"}),
        ({"field": "name", "op": "starts_with", "value": "big"}, {"Big Pension"}),
        ({"field": "name", "op": "contains", "value": "OFFICE"}, {"Small Office"}),
        ({"field": "lead_source", "op": "is_empty"}, {"Small Office", "Grace Hopper"}),
        ({"field": "flag.follow_up"}, {"Small Office"}),
        ({"field": "flags", "op": "contains", "value": "follow_up"}, {"Small Office"}),
        (
            {"field": f"fund.{fund_a['id']}.committed_amount", "op": "gt", "value": "1000000"},
            {"Big Pension"},
        ),
        (
            {"field": f"fund.{fund_a['id']}.committed_amount", "op": "lte", "value": 250000},
            {"Small Office"},
        ),
        ({"field": f"fund.{fund_b['id']}.exists", "value": True}, {"Big Pension"}),
        (
            {"field": f"fund.{fund_a['id']}.stage", "op": "in", "value": ["meeting", "lead"]},
            {"Small Office"},
        ),
        ({"field": "any_fund.stage", "value": "lead"}, {"Big Pension"}),
        ({"field": "total.committed_amount", "op": "gte", "value": "6000000.00"}, {"Big Pension"}),
        ({"field": "values.region", "value": "EU"}, {"Big Pension"}),
        (
            {"field": "values.region", "op": "not_in", "value": ["EU"]},
            {"Small Office", "Grace Hopper"},
        ),
        ({"field": "days_since_last_touch", "op": "gt", "value": 30}, {"Big Pension"}),
        ({"field": "days_since_last_touch", "op": "is_empty"}, {"Grace Hopper"}),
        (
            {
                "field": "last_touch_at",
                "op": "lt",
                "value": (datetime.now(UTC) - timedelta(days=10)).isoformat(),
            },
            {"Big Pension"},
        ),
        (
            {"field": "days_since_created", "op": "lt", "value": 1},
            {"Big Pension", "Small Office", "Grace Hopper"},
        ),
        ({"field": "list.follow_up"}, {"Small Office"}),
        (
            {"field": "lists", "op": "contains", "value": "all"},
            {"Big Pension", "Small Office", "Grace Hopper"},
        ),
        ({"field": "contacts", "op": "is_empty"}, {"Big Pension", "Small Office", "Grace Hopper"}),
        ({"not": {"field": "flag.follow_up"}}, {"Big Pension", "Grace Hopper"}),
        (
            {
                "all": [
                    {"field": "values.region", "op": "is_not_empty"},
                    {"field": "any_fund.stage", "value": "committed"},
                ]
            },
            {"Big Pension"},
        ),
        (
            {"any": [{"field": "investor_kind", "value": "contact"}, {"field": "flag.follow_up"}]},
            {"Small Office", "Grace Hopper"},
        ),
        (
            {"field": "position", "op": "ne", "value": -1},
            {"Big Pension", "Small Office", "Grace Hopper"},
        ),
    ]
    assert person["investor_kind"] == "contact"
    for condition, expected in cases:
        assert _hits(client, admin, condition) == expected, condition


@pytest.mark.parametrize(
    "body",
    [
        {"condition": {"field": "nope"}},
        {"condition": {"eval": "1+1"}},
        {"condition": True, "actions": [{"type": "add_to_list", "list": "nope"}]},
        {"condition": True, "actions": [{"type": "set_field", "field": "values.nope", "value": 1}]},
        {
            "condition": True,
            "actions": [{"type": "set_field", "field": "organization_id", "value": "x"}],
        },
        {"condition": True, "actions": [{"type": "exec", "code": "rm -rf /"}]},
        {
            "condition": {
                "all": [
                    {
                        "all": [
                            {
                                "all": [
                                    {
                                        "all": [
                                            {
                                                "all": [
                                                    {"all": [{"all": [{"all": [{"all": [True]}]}]}]}
                                                ]
                                            }
                                        ]
                                    }
                                ]
                            }
                        ]
                    }
                ]
            }
        },
    ],
)
def test_a_rule_the_interpreter_cannot_read_is_refused(
    client: TestClient, admin: str, body: dict[str, Any]
) -> None:
    response = client.post("/api/grid/rules", json={"name": "bad"} | body, headers=bearer(admin))
    assert response.status_code == 422, response.text


def test_rules_are_for_admins(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    assert client.get("/api/grid/rules", headers=bearer(member)).status_code == 403
    assert client.get("/api/grid/lists", headers=bearer(member)).status_code == 200


def test_every_run_is_recorded_with_what_it_changed(client: TestClient, admin: str) -> None:
    org_row(client, admin, "Keen", flags=["follow_up"])
    follow = rules(client, admin)["Follow-up flag keeps the Follow-up list"]
    run(client, admin, follow["id"], dry=True)
    made = run(client, admin, follow["id"])
    run(client, admin, follow["id"])
    listed = client.get(
        "/api/grid/rule-runs", params={"rule_id": follow["id"]}, headers=bearer(admin)
    ).json()["items"]
    assert [(r["trigger"], len(r["changes"])) for r in listed] == [
        ("manual", 0),
        ("manual", 1),
        ("dry_run", 1),
    ]
    changed = client.get(
        "/api/grid/rule-runs", params={"changed": True, "trigger": "manual"}, headers=bearer(admin)
    ).json()["items"]
    assert [r["id"] for r in changed] == [made["id"]]
    one = client.get(f"/api/grid/rule-runs/{made['id']}", headers=bearer(admin)).json()
    assert one["changes"][0]["target"] == "follow_up"
    assert one["actor"]["kind"] == "user"


def test_a_scheduled_rule_runs_when_due_and_once(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    client.post("/api/grid/lists", json={"key": "stale", "name": "Stale"}, headers=bearer(admin))
    row = org_row(client, admin, "Quiet LP")
    rule = create_rule(
        client,
        admin,
        name="Quiet for a month",
        schedule_seconds=3600,
        condition={
            "any": [
                {"field": "days_since_last_touch", "op": "gte", "value": 30},
                {"field": "days_since_last_touch", "op": "is_empty"},
            ]
        },
        actions=[{"type": "add_to_list", "list": "stale"}],
        otherwise=[{"type": "remove_from_list", "list": "stale"}],
    )
    scheduler = RuleScheduler(app.state.db)
    now = datetime.now(UTC)
    (first,) = scheduler.tick(now)
    assert first.rule_id == rule["id"]
    assert members(client, admin, "stale") == {row["id"]}
    assert scheduler.tick(now + timedelta(minutes=30)) == []  # not due yet
    make.communication(client, admin, organization_id=row["organization_id"])
    make.communication(
        client, admin, organization_id=row["organization_id"], occurred_at=now.isoformat()
    )
    (later,) = scheduler.tick(now + timedelta(hours=1, seconds=1))
    assert later.trigger == "schedule"
    assert members(client, admin, "stale") == set()
    shown = rules(client, admin)["Quiet for a month"]
    assert shown["last_scheduled_at"] is not None


def test_two_replicas_run_a_due_rule_once(app: FastAPI, client: TestClient, admin: str) -> None:
    org_row(client, admin, "Quiet LP")
    rule = create_rule(
        client,
        admin,
        schedule_seconds=60,
        condition=True,
        actions=[{"type": "set_flag", "flag": "seen"}],
    )
    now = datetime.now(UTC)
    barrier = threading.Barrier(2)
    made: list[int] = []

    def replica() -> None:
        scheduler = RuleScheduler(app.state.db)
        barrier.wait()
        made.append(len(scheduler.tick(now)))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [0, 1]
    runs = client.get(
        "/api/grid/rule-runs", params={"rule_id": rule["id"]}, headers=bearer(admin)
    ).json()["items"]
    assert len(runs) == 1


def test_rules_run_on_change_events(make_app: Any, nats_server: NatsServer) -> None:
    app = make_app(NATS_URL=nats_server.url, outbox_poll_interval=0.2)
    with TestClient(app) as client:
        admin = register_admin(client)
        (fund,) = funds(client, admin, "Fund III")
        row = org_row(client, admin, "Keen")
        asyncio.run(
            eventually(
                lambda: members(client, admin, "all") == {row["id"]},
                what="the row in the list of all",
            )
        )
        edit_row(client, admin, row, flags=["follow_up"])
        asyncio.run(
            eventually(
                lambda: members(client, admin, "follow_up") == {row["id"]},
                what="the row in the follow-up list",
            )
        )
        # An opportunity made outside the grid, for an investor with no row, gets a row.
        org = make.organization(client, admin, name="Outside LP")
        make.opportunity(client, admin, investor_organization_id=org["id"], fund_id=fund["id"])
        asyncio.run(
            eventually(lambda: grid(client, admin)["total"] == 2, what="two rows in the grid")
        )
        outside = next(r for r in grid(client, admin)["rows"] if r["investor"]["id"] == org["id"])
        asyncio.run(
            eventually(
                lambda: outside["id"] in members(client, admin, "all"),
                what="the new row in the list of all",
            )
        )
        runs = client.get(
            "/api/grid/rule-runs",
            params={"trigger": "change", "changed": True},
            headers=bearer(admin),
        ).json()["items"]
        assert runs
        assert all(r["event_id"] for r in runs)
    app.state.db.dispose()

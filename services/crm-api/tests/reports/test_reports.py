"""Reports: exact sums per currency computed by the database, live records only, the pipeline
in list order, activity by event time, and overdue follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api_helpers import bearer, create_key, create_member
from crm_factories import communication, contact, follow_up, fund, opportunity, organization, post
from fastapi.testclient import TestClient


def get(client: TestClient, token: str, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def dashboard(client: TestClient, token: str) -> dict[str, Any]:
    return get(client, token, "/api/reports/dashboard")


def delete(client: TestClient, token: str, path: str) -> None:
    assert client.delete(path, headers=bearer(token)).status_code == 200


def today() -> datetime:
    return datetime.now(UTC)


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).date().isoformat()


def my_id(client: TestClient, token: str) -> str:
    user_id: str = client.get("/api/auth/me", headers=bearer(token)).json()["id"]
    return user_id


def someone_else(client: TestClient, admin: str) -> str:
    """The id of another user (a follow-up without an owner is its creator's)."""
    return my_id(client, create_member(client, admin))


def invest(
    client: TestClient, token: str, fund_id: str, name: str, **fields: Any
) -> dict[str, Any]:
    """An opportunity of a new organization in the fund."""
    investor = organization(client, token, name=name)
    return opportunity(
        client, token, investor_organization_id=investor["id"], fund_id=fund_id, **fields
    )


def test_committed_totals_are_exact_decimal_sums(client: TestClient, admin: str) -> None:
    three = fund(client, admin)
    invest(client, admin, three["id"], "A", stage="committed", committed_amount="0.10")
    invest(client, admin, three["id"], "B", stage="committed", committed_amount="0.20")
    (usd,) = dashboard(client, admin)["totals"]
    assert usd == {"currency": "USD", "committed": "0.30", "funded": "0.00"}

    invest(client, admin, three["id"], "C", stage="committed", committed_amount="1000000.10")
    invest(client, admin, three["id"], "D", stage="committed", funded_amount="0.05")
    (usd,) = dashboard(client, admin)["totals"]
    assert usd == {"currency": "USD", "committed": "1000000.40", "funded": "0.05"}


def test_large_sums_stay_exact_to_the_cent(client: TestClient, admin: str) -> None:
    three = fund(client, admin)
    invest(client, admin, three["id"], "A", committed_amount="1000000.10")
    invest(client, admin, three["id"], "B", committed_amount="0.20")
    invest(client, admin, three["id"], "C", committed_amount="9999999999999.99")
    invest(client, admin, three["id"], "D", committed_amount="9999999999999.99")
    (usd,) = dashboard(client, admin)["totals"]
    assert usd["committed"] == "20000001000000.28"


def test_currencies_are_summed_apart_never_together(client: TestClient, admin: str) -> None:
    dollars = fund(client, admin)
    euros = fund(client, admin, name="Euro Fund I", currency="EUR")
    invest(client, admin, dollars["id"], "A", committed_amount="100.00", funded_amount="50.00")
    invest(client, admin, euros["id"], "B", committed_amount="0.10")
    invest(client, admin, euros["id"], "C", committed_amount="0.20", funded_amount="0.20")
    totals = dashboard(client, admin)["totals"]
    assert totals == [
        {"currency": "EUR", "committed": "0.30", "funded": "0.20"},
        {"currency": "USD", "committed": "100.00", "funded": "50.00"},
    ]


def test_soft_deleted_records_are_not_counted(client: TestClient, admin: str) -> None:
    three = fund(client, admin)
    invest(client, admin, three["id"], "Kept", committed_amount="1.00")
    gone = invest(client, admin, three["id"], "Gone", committed_amount="2.00")
    gone_investor = invest(client, admin, three["id"], "Gone investor", committed_amount="4.00")
    contact(client, admin)
    bob = contact(client, admin, first_name="Bob")
    delete(client, admin, f"/api/opportunities/{gone['id']}")
    delete(client, admin, f"/api/organizations/{gone_investor['investor_organization_id']}")
    delete(client, admin, f"/api/contacts/{bob['id']}")

    board = dashboard(client, admin)
    assert board["contacts"] == 1
    assert board["organizations"] == 2  # Kept, and Gone (its opportunity was deleted, not it)
    assert board["open_opportunities"] == 1
    assert board["totals"] == [{"currency": "USD", "committed": "1.00", "funded": "0.00"}]


def test_the_opportunities_of_a_deleted_fund_are_not_counted(
    client: TestClient, admin: str
) -> None:
    three = fund(client, admin)
    four = fund(client, admin, name="Fund IV")
    invest(client, admin, three["id"], "A", committed_amount="1.00")
    invest(client, admin, four["id"], "B", committed_amount="2.00")
    delete(client, admin, f"/api/funds/{four['id']}")
    board = dashboard(client, admin)
    assert board["funds"] == 1
    assert board["totals"] == [{"currency": "USD", "committed": "1.00", "funded": "0.00"}]
    stages = get(client, admin, "/api/reports/pipeline")["stages"]
    assert sum(stage["opportunities"] for stage in stages) == 1


def test_open_opportunities_are_those_in_a_stage_that_is_not_closed(
    client: TestClient, admin: str
) -> None:
    three = fund(client, admin)
    invest(client, admin, three["id"], "A", stage="lead")
    invest(client, admin, three["id"], "B", stage="soft_commit")
    invest(client, admin, three["id"], "C", stage="closed_won")
    invest(client, admin, three["id"], "D", stage="closed_lost", lost_reason="timing")
    assert dashboard(client, admin)["open_opportunities"] == 2


def test_the_dashboard_counts_lps_and_recent_communications_by_when_they_happened(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin)
    post(
        client, admin, "/api/lp-profiles", {"contact_id": ada["id"], "investor_type": "individual"}
    )
    for days_ago in (1, 6, 20, 45):
        when = (today() - timedelta(days=days_ago)).isoformat()
        communication(client, admin, contact_id=ada["id"], occurred_at=when)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    communication(client, admin, contact_id=ada["id"], occurred_at=tomorrow)
    board = dashboard(client, admin)
    assert board["lps"] == 1
    assert board["communications_last_7_days"] == 2
    assert board["communications_last_30_days"] == 3


def test_the_dashboard_counts_open_and_overdue_follow_ups_and_the_callers_own(
    client: TestClient, admin: str
) -> None:
    me, mia = my_id(client, admin), someone_else(client, admin)
    follow_up(client, admin, due_date=day(-3), owner_id=me)
    follow_up(client, admin, due_date=day(2))
    follow_up(client, admin, due_date=day(-1), owner_id=mia)
    done = follow_up(client, admin, due_date=day(-5), owner_id=me)
    client.post(f"/api/follow-ups/{done['id']}/complete", headers=bearer(admin))
    gone = follow_up(client, admin, due_date=day(-5), owner_id=me)
    delete(client, admin, f"/api/follow-ups/{gone['id']}")
    assert dashboard(client, admin)["follow_ups"] == {
        "open": 3,
        "overdue": 2,
        "mine_open": 2,
        "mine_overdue": 1,
    }


def test_the_pipeline_lists_every_stage_in_list_order_with_zeros(
    client: TestClient, admin: str
) -> None:
    three = fund(client, admin)
    invest(client, admin, three["id"], "A", stage="meeting", expected_amount="0.10")
    invest(client, admin, three["id"], "B", stage="meeting", expected_amount="0.20")
    invest(client, admin, three["id"], "C", stage="committed", committed_amount="5.00")
    lists = client.get("/api/lookups/pipeline_stage", headers=bearer(admin)).json()
    report = get(client, admin, "/api/reports/pipeline")
    assert [s["stage"] for s in report["stages"]] == [v["value"] for v in lists]
    by_stage = {s["stage"]: s for s in report["stages"]}
    assert by_stage["lead"]["opportunities"] == 0
    assert by_stage["lead"]["amounts"] == []
    assert by_stage["meeting"]["opportunities"] == 2
    assert by_stage["meeting"]["amounts"] == [
        {
            "currency": "USD",
            "opportunities": 2,
            "expected": "0.30",
            "committed": "0.00",
            "funded": "0.00",
        }
    ]
    assert by_stage["closed_won"]["is_closed"] is True
    (usd,) = report["totals"]
    assert (usd["opportunities"], usd["expected"], usd["committed"]) == (3, "0.30", "5.00")


def test_the_pipeline_follows_the_stage_lists_order_when_it_changes(
    client: TestClient, admin: str
) -> None:
    moved = client.patch(
        "/api/admin/lookups/pipeline_stage/committed",
        json={"position": 0},
        headers=bearer(admin),
    )
    assert moved.status_code == 200, moved.text
    report = get(client, admin, "/api/reports/pipeline")
    assert report["stages"][0]["stage"] == "committed"


def test_the_pipeline_of_one_fund(client: TestClient, admin: str) -> None:
    three = fund(client, admin)
    four = fund(client, admin, name="Fund IV")
    invest(client, admin, three["id"], "A", stage="lead", expected_amount="1.00")
    invest(client, admin, four["id"], "B", stage="lead", expected_amount="2.00")
    report = get(client, admin, "/api/reports/pipeline", fund_id=four["id"])
    assert report["fund_id"] == four["id"]
    (usd,) = report["totals"]
    assert (usd["opportunities"], usd["expected"]) == (1, "2.00")
    unknown = client.get("/api/reports/pipeline", params={"fund_id": "nope"}, headers=bearer(admin))
    assert unknown.status_code == 422


def test_the_lp_breakdown_sums_per_investor_type_and_per_fund(
    client: TestClient, admin: str
) -> None:
    three = fund(client, admin)
    euros = fund(client, admin, name="Euro Fund I", currency="EUR")
    ada = contact(client, admin)
    harbor = organization(client, admin)
    prospect = organization(client, admin, name="Not an LP")
    post(
        client, admin, "/api/lp-profiles", {"contact_id": ada["id"], "investor_type": "individual"}
    )
    post(
        client,
        admin,
        "/api/lp-profiles",
        {"organization_id": harbor["id"], "investor_type": "family_office"},
    )
    for investor, fund_id, committed, funded in (
        ({"investor_contact_id": ada["id"]}, three["id"], "0.10", "0.10"),
        ({"investor_contact_id": ada["id"]}, euros["id"], "7.00", "0.00"),
        ({"investor_organization_id": harbor["id"]}, three["id"], "0.20", "0.05"),
        ({"investor_organization_id": prospect["id"]}, three["id"], "100.00", "0.00"),
    ):
        opportunity(
            client,
            admin,
            **investor,
            fund_id=fund_id,
            stage="committed",
            committed_amount=committed,
            funded_amount=funded,
        )

    report = get(client, admin, "/api/reports/lp-breakdown")
    by_type = {t["investor_type"]: t for t in report["by_investor_type"]}
    assert by_type["individual"]["investors"] == 1
    assert by_type["individual"]["totals"] == [
        {"currency": "EUR", "committed": "7.00", "funded": "0.00"},
        {"currency": "USD", "committed": "0.10", "funded": "0.10"},
    ]
    assert by_type["family_office"]["totals"] == [
        {"currency": "USD", "committed": "0.20", "funded": "0.05"}
    ]
    assert by_type["institution"] == {
        "investor_type": "institution",
        "label": "Institution",
        "investors": 0,
        "totals": [],
    }
    by_fund = {f["fund_id"]: f for f in report["by_fund"]}
    assert by_fund[three["id"]]["investors"] == 2
    assert by_fund[three["id"]]["totals"] == [
        {"currency": "USD", "committed": "0.30", "funded": "0.15"}
    ]
    assert by_fund[euros["id"]]["investors"] == 1


def test_activity_buckets_communications_by_when_they_happened_not_when_they_were_logged(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin)
    for when, kind in (
        ("2025-03-03T00:00:00Z", "call"),  # a Monday
        ("2025-03-09T23:59:59Z", "email"),  # that Sunday
        ("2025-03-10T08:30:00Z", "call"),  # the next Monday
        ("2025-03-17T08:30:00Z", "call"),  # after the range
    ):
        communication(client, admin, contact_id=ada["id"], occurred_at=when, type=kind)
    report = get(
        client,
        admin,
        "/api/reports/activity",
        since="2025-03-01",
        until="2025-03-16",
        bucket="week",
    )
    assert [(b["start"], b["communications"]) for b in report["buckets"]] == [
        ("2025-02-24", {}),
        ("2025-03-03", {"call": 1, "email": 1}),
        ("2025-03-10", {"call": 1}),
    ]
    recent = get(client, admin, "/api/reports/activity", bucket="day")
    assert sum(b["communications_total"] for b in recent["buckets"]) == 0
    assert recent["buckets"][-1]["start"] == day(0)


def test_activity_by_month_and_by_day(client: TestClient, admin: str) -> None:
    ada = contact(client, admin)
    for when in ("2025-01-31T23:00:00Z", "2025-02-01T01:00:00Z", "2025-02-28T12:00:00Z"):
        communication(client, admin, contact_id=ada["id"], occurred_at=when)
    months = get(
        client,
        admin,
        "/api/reports/activity",
        since="2025-01-15",
        until="2025-03-15",
        bucket="month",
    )
    assert [(b["start"], b["communications_total"]) for b in months["buckets"]] == [
        ("2025-01-01", 1),
        ("2025-02-01", 2),
        ("2025-03-01", 0),
    ]
    days = get(client, admin, "/api/reports/activity", since="2025-01-31", until="2025-02-01")
    assert [(b["start"], b["communications_total"]) for b in days["buckets"]] == [
        ("2025-01-31", 1),
        ("2025-02-01", 1),
    ]


def test_activity_counts_follow_ups_created_and_completed(client: TestClient, admin: str) -> None:
    me, mia = my_id(client, admin), someone_else(client, admin)
    follow_up(client, admin, owner_id=me)
    done = follow_up(client, admin, owner_id=mia)
    client.post(f"/api/follow-ups/{done['id']}/complete", headers=bearer(admin))
    report = get(client, admin, "/api/reports/activity", since=day(-1), until=day(0))
    assert [(b["follow_ups_created"], b["follow_ups_completed"]) for b in report["buckets"]] == [
        (0, 0),
        (2, 1),
    ]
    mine = get(client, admin, "/api/reports/activity", since=day(0), until=day(0), owner_id=me)
    assert [(b["follow_ups_created"], b["follow_ups_completed"]) for b in mine["buckets"]] == [
        (1, 0)
    ]


def test_activity_refuses_more_than_three_years_or_a_reversed_range(
    client: TestClient, admin: str
) -> None:
    for params in (
        {"since": "2020-01-01", "until": "2023-06-30"},
        {"since": "2025-02-01", "until": "2025-01-01"},
        {"since": "0001-01-01"},
    ):
        refused = client.get("/api/reports/activity", params=params, headers=bearer(admin))
        assert refused.status_code == 422, params
    allowed = client.get(
        "/api/reports/activity",
        params={"since": "2021-01-01", "until": "2023-12-31", "bucket": "month"},
        headers=bearer(admin),
    )
    assert allowed.status_code == 200
    assert len(allowed.json()["buckets"]) == 36


def test_overdue_follow_ups_are_listed_oldest_first_with_what_they_are_about(
    client: TestClient, admin: str
) -> None:
    me, mia = my_id(client, admin), someone_else(client, admin)
    ada = contact(client, admin, first_name="Ada", last_name="Lovelace")
    harbor = organization(client, admin, name="Harbor")
    three = fund(client, admin, name="Fund III")
    deal = opportunity(client, admin, investor_organization_id=harbor["id"], fund_id=three["id"])
    newer = follow_up(
        client, admin, title="Call back", due_date=day(-1), contact_id=ada["id"], owner_id=mia
    )
    older = follow_up(
        client,
        admin,
        title="Chase the docs",
        due_date=day(-10),
        organization_id=harbor["id"],
        opportunity_id=deal["id"],
        owner_id=me,
    )
    follow_up(client, admin, title="Not yet", due_date=day(0))
    done = follow_up(client, admin, title="Done", due_date=day(-20))
    client.post(f"/api/follow-ups/{done['id']}/complete", headers=bearer(admin))

    report = get(client, admin, "/api/reports/overdue-follow-ups")
    assert report["total"] == 2
    assert [i["id"] for i in report["items"]] == [older["id"], newer["id"]]
    first, second = report["items"]
    assert first["days_overdue"] == 10
    assert first["organization_name"] == "Harbor"
    assert first["opportunity_name"] == "Harbor / Fund III"
    assert second["contact_name"] == "Ada Lovelace"
    assert second["opportunity_name"] is None
    mine = get(client, admin, "/api/reports/overdue-follow-ups", owner_id=me)
    assert [i["id"] for i in mine["items"]] == [older["id"]]


def test_an_agent_key_with_the_read_scope_reads_every_report(
    client: TestClient, admin: str
) -> None:
    agent = {"X-API-Key": create_key(client, admin, ["read"])["key"]}
    for path in (
        "/api/reports/dashboard",
        "/api/reports/pipeline",
        "/api/reports/lp-breakdown",
        "/api/reports/activity",
        "/api/reports/overdue-follow-ups",
    ):
        assert client.get(path, headers=agent).status_code == 200, path
    mine = client.get("/api/reports/dashboard", headers=agent).json()
    assert mine["follow_ups"]["mine_open"] == 0


def test_reports_need_credentials(client: TestClient, admin: str) -> None:
    assert client.get("/api/reports/dashboard").status_code == 401

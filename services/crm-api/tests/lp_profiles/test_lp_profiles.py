"""LP profiles: one per investor, accreditation done properly, totals derived from opportunities."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from api_helpers import bearer
from crm_factories import contact, fund, opportunity, organization, post
from fastapi import FastAPI
from fastapi.testclient import TestClient


def profile(client: TestClient, token: str, **fields: object) -> dict[str, Any]:
    return post(client, token, "/api/lp-profiles", {"investor_type": "individual"} | fields)


def test_totals_are_derived_from_the_investors_opportunities_exactly(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin)
    lp = profile(client, admin, contact_id=ada["id"])
    three = fund(client, admin)
    four = fund(client, admin, name="Fund IV", vintage=2028)
    opportunity(
        client,
        admin,
        investor_contact_id=ada["id"],
        fund_id=three["id"],
        stage="committed",
        committed_amount="1000000.10",
        funded_amount="250000.05",
    )
    opportunity(
        client,
        admin,
        investor_contact_id=ada["id"],
        fund_id=four["id"],
        stage="soft_commit",
        expected_amount="0.20",
        committed_amount="0.20",
    )

    view = client.get(f"/api/lp-profiles/{lp['id']}", headers=bearer(admin)).json()
    (usd,) = view["totals"]
    assert usd["currency"] == "USD"
    assert Decimal(usd["committed"]) == Decimal("1000000.30")
    assert usd["committed"] == "1000000.30"
    assert usd["funded"] == "250000.05"
    assert usd["expected"] == "0.20"
    assert usd["opportunities"] == 2
    assert "totals" not in lp  # the stored profile holds no money


def test_one_live_profile_per_investor(client: TestClient, admin: str) -> None:
    harbor = organization(client, admin)
    first = profile(client, admin, organization_id=harbor["id"], investor_type="family_office")
    again = client.post(
        "/api/lp-profiles",
        json={"organization_id": harbor["id"], "investor_type": "family_office"},
        headers=bearer(admin),
    )
    assert again.status_code == 409
    assert again.json()["lp_profile_id"] == first["id"]
    both = client.post(
        "/api/lp-profiles",
        json={
            "organization_id": harbor["id"],
            "contact_id": contact(client, admin)["id"],
            "investor_type": "individual",
        },
        headers=bearer(admin),
    )
    assert both.status_code == 422


def test_accreditation_must_be_consistent(client: TestClient, admin: str) -> None:
    ada = contact(client, admin)
    for fields, field in (
        ({"accreditation_status": "accredited"}, "accreditation_status"),
        (
            {
                "accreditation_status": "accredited",
                "accreditation_method": "self_certification",
                "accreditation_verified_on": "2026-01-10",
                "offering_exemption": "506c",
            },
            "accreditation_method",
        ),
    ):
        response = client.post(
            "/api/lp-profiles",
            json={"contact_id": ada["id"], "investor_type": "individual"} | fields,
            headers=bearer(admin),
        )
        assert response.status_code == 422
        assert response.json()["field"] == field
    bad_dates = client.post(
        "/api/lp-profiles",
        json={
            "contact_id": ada["id"],
            "investor_type": "individual",
            "accreditation_verified_on": "2026-05-01",
            "accreditation_expires_on": "2026-01-01",
        },
        headers=bearer(admin),
    )
    assert bad_dates.status_code == 422


def test_accreditation_expires_and_each_change_is_audited(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    ada = contact(client, admin)
    lp = profile(
        client,
        admin,
        contact_id=ada["id"],
        accreditation_status="accredited",
        accreditation_method="third_party_letter",
        accreditation_verified_on="2024-01-10",
        accreditation_expires_on="2024-04-10",
        offering_exemption="506c",
        kyc_aml_status="cleared",
        k1_deliveries=[{"tax_year": 2024, "sent_on": "2025-03-01"}],
    )
    view = client.get(f"/api/lp-profiles/{lp['id']}", headers=bearer(admin)).json()
    assert view["accreditation_current"] is False  # it expired in April 2024
    renewed = client.patch(
        f"/api/lp-profiles/{lp['id']}",
        json={
            "accreditation_verified_on": "2026-11-01",
            "accreditation_expires_on": "2027-02-01",
            "k1_deliveries": [
                {"tax_year": 2024, "sent_on": "2025-03-01"},
                {"tax_year": 2025, "sent_on": "2026-03-02"},
            ],
        },
        headers=bearer(admin) | {"If-Match": '"1"'},
    )
    assert renewed.status_code == 200
    assert [k["tax_year"] for k in renewed.json()["k1_deliveries"]] == [2024, 2025]
    audit = client.get(
        "/api/audit-log", params={"entity_id": lp["id"]}, headers=bearer(admin)
    ).json()
    change = audit["items"][0]
    assert change["action"] == "update"
    assert change["changes"]["accreditation_expires_on"] == ["2024-04-10", "2027-02-01"]
    duplicate_year = client.patch(
        f"/api/lp-profiles/{lp['id']}",
        json={
            "k1_deliveries": [
                {"tax_year": 2024, "sent_on": "2025-03-01"},
                {"tax_year": 2024, "sent_on": "2025-04-01"},
            ]
        },
        headers=bearer(admin) | {"If-Match": '"2"'},
    )
    assert duplicate_year.status_code == 422


def listed_ids(client: TestClient, token: str, **params: str) -> list[str]:
    response = client.get("/api/lp-profiles", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


def test_q_finds_a_profile_by_its_contacts_full_name_in_any_case(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin, first_name="Ada", last_name="Lovelace")
    grace = contact(client, admin, first_name="Grace", last_name="Hopper")
    lp = profile(client, admin, contact_id=ada["id"])
    profile(client, admin, contact_id=grace["id"])
    assert listed_ids(client, admin, q="LOVELACE") == [lp["id"]]
    assert listed_ids(client, admin, q="ada love") == [lp["id"]]


def test_q_finds_a_profile_by_its_organizations_name(client: TestClient, admin: str) -> None:
    harbor = organization(client, admin, name="Harbor Capital")
    ada = contact(client, admin, first_name="Ada", last_name="Lovelace")
    lp = profile(client, admin, organization_id=harbor["id"], investor_type="family_office")
    profile(client, admin, contact_id=ada["id"])
    assert listed_ids(client, admin, q="harbor") == [lp["id"]]


def test_q_matching_no_investor_lists_nothing_and_other_filters_still_apply(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin, first_name="Ada", last_name="Lovelace")
    harbor = organization(client, admin, name="Lovelace Partners")
    profile(client, admin, contact_id=ada["id"])
    fo = profile(client, admin, organization_id=harbor["id"], investor_type="family_office")
    assert listed_ids(client, admin, q="nobody") == []
    assert listed_ids(client, admin, q="50%_off") == []
    assert listed_ids(client, admin, q="lovelace", investor_type="family_office") == [fo["id"]]
    response = client.get("/api/lp-profiles", params={"q": "lovelace"}, headers=bearer(admin))
    assert response.json()["total"] == 2


def test_an_lp_profile_export_finds_what_the_list_finds_by_q(
    client: TestClient, admin: str
) -> None:
    ada = contact(client, admin, first_name="Ada", last_name="Lovelace")
    grace = contact(client, admin, first_name="Grace", last_name="Hopper")
    lp = profile(client, admin, contact_id=ada["id"])
    profile(client, admin, contact_id=grace["id"])
    response = client.get(
        "/api/export/lp-profiles", params={"format": "json", "q": "hopper"}, headers=bearer(admin)
    )
    assert response.status_code == 200, response.text
    assert [r["contact_id"] for r in response.json()] == [grace["id"]]
    assert lp["id"] not in {r["id"] for r in response.json()}

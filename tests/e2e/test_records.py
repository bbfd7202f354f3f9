"""Organizations, contacts and LP profiles in the browser: the forms, field errors, soft delete
with Undo, the recycle bin and the contact import, against the running stack."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gateway_stack import Stack
from openpyxl import Workbook
from playwright.sync_api import Page, expect

Shoot = Callable[[Page, str], None]
Check = Callable[[Page], None]


@pytest.fixture(scope="module")
def seed(stack: Stack) -> dict[str, Any]:
    """A few records so the lists are not empty; names unique to this module."""
    run = uuid.uuid4().hex[:6]
    tag = stack.create("/api/tags", {"name": f"Warm {run}", "color": "#16a34a"})
    orgs = [
        stack.create(
            "/api/organizations",
            {
                "name": f"{name} {run}",
                "type": kind,
                "domains": [f"{slug}-{run}.example"],
                "tag_ids": [tag["id"]],
            },
        )
        for name, kind, slug in [
            ("Harbor Endowment", "endowment", "harbor"),
            ("Alder Family Office", "family_office", "alder"),
            ("Quarry Pension Fund", "pension", "quarry"),
        ]
    ]
    people = [
        ("Amelia", "Okafor", "investor", 0, "Germany"),
        ("Bruno", "Lindqvist", "prospect", 1, "Sweden"),
        ("Chiara", "Rossi", "prospect", 2, "Italy"),
        ("Dev", "Raman", "advisor", 0, "India"),
    ]
    contacts = [
        stack.create(
            "/api/contacts",
            {
                "first_name": first,
                "last_name": f"{last}{run}",
                "contact_type": kind,
                "country": country,
                "emails": [{"email": f"{first.lower()}.{run}@example.com", "is_primary": True}],
                "affiliations": [
                    {"organization_id": orgs[org]["id"], "role": "Partner", "is_primary": True}
                ],
                "tag_ids": [tag["id"]] if org == 0 else [],
            },
        )
        for first, last, kind, org, country in people
    ]
    return {"run": run, "tag": tag, "orgs": orgs, "contacts": contacts}


def test_create_an_organization_then_a_contact_affiliated_to_it(
    stack: Stack, seed: dict[str, Any], page: Page, shoot: Shoot, assert_accessible: Check
) -> None:
    # `stack` comes first: its start-up runs asyncio, which cannot run once Playwright's sync
    # loop (the `page` chain) is up, and session fixtures start in the order they are named.
    run = seed["run"]
    page.goto("/organizations")
    expect(page.get_by_role("link", name=f"Harbor Endowment {run}", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "organizations-list")

    page.get_by_role("link", name="New organization").click()
    page.get_by_label("Name", exact=True).fill(f"Northwind Capital {run}")
    page.get_by_label("Type").select_option("fund_of_funds")
    page.get_by_label("Email domains").fill(f"northwind-{run}.example")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    expect(page.get_by_role("link", name=f"Northwind Capital {run}", exact=True)).to_be_visible()

    page.goto("/contacts")
    page.get_by_role("link", name="New contact").click()
    page.get_by_label("First name").fill("Ines")
    page.get_by_label("Last name").fill(f"Moreau{run}")
    page.get_by_label("Email 1", exact=True).fill(f"ines.{run}@northwind.example")
    page.get_by_role("button", name="Add an organization").click()
    picker = page.get_by_role("combobox", name="Organization 1")
    picker.fill(f"Northwind Capital {run}")
    page.get_by_role("option", name=re.compile(f"Northwind Capital {run}")).click()
    page.get_by_label("Role at organization 1").fill("CIO")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(f"Ines Moreau{run}"))
    expect(row.get_by_role("link", name=f"Northwind Capital {run}", exact=True)).to_be_visible()

    found = stack.api("GET", "/api/contacts", params={"q": f"Moreau{run}"}).json()["items"]
    assert len(found) == 1
    assert found[0]["affiliations"][0]["role"] == "CIO"
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "contacts-list")


def test_bad_input_shows_the_servers_field_errors_and_keeps_what_was_typed(
    page: Page, seed: dict[str, Any], shoot: Shoot, assert_accessible: Check
) -> None:
    page.goto("/contacts/new")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Email 1", exact=True).fill("not-an-email")
    page.get_by_label("LinkedIn").fill("not a url")
    page.get_by_label("Notes").fill("Met at the Zurich conference")
    page.get_by_role("button", name="Create contact").click()
    banner = page.get_by_role("alert").filter(has_text="Please correct")
    expect(banner).to_be_visible()
    for label in ("Last name", "Email 1", "LinkedIn"):
        expect(page.get_by_label(label, exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("First name")).to_have_value("Grace")
    expect(page.get_by_label("Email 1", exact=True)).to_have_value("not-an-email")
    expect(page.get_by_label("Notes")).to_have_value("Met at the Zurich conference")
    assert_accessible(page)
    shoot(page, "contact-form-errors")


def test_soft_delete_a_contact_undo_then_restore_it_from_the_bin(
    page: Page, seed: dict[str, Any], stack: Stack, shoot: Shoot, assert_accessible: Check
) -> None:
    contact = seed["contacts"][1]
    name = f"{contact['first_name']} {contact['last_name']}"
    page.goto(f"/contacts?q={contact['last_name']}")
    page.get_by_role("button", name=f"Delete {name}").click()
    toast = page.get_by_role("status").filter(has_text=f"Deleted {name}")
    expect(toast).to_be_visible()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    toast.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert stack.api("GET", f"/api/contacts/{contact['id']}").status_code == 200

    page.get_by_role("button", name=f"Delete {name}").click()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    page.get_by_role("link", name="Recycle bin").click()
    contacts = page.get_by_role("region", name="Contacts")
    expect(contacts.get_by_role("cell", name=name, exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "recycle-bin")
    contacts.get_by_role("button", name=f"Restore {name}").click()
    expect(page.get_by_role("status").filter(has_text=f"Restored {name}").last).to_be_visible()
    assert stack.api("GET", f"/api/contacts/{contact['id']}").status_code == 200


def test_import_a_csv_of_contacts_and_read_its_report(
    page: Page,
    seed: dict[str, Any],
    stack: Stack,
    tmp_path: Path,
    shoot: Shoot,
    assert_accessible: Check,
) -> None:
    run = seed["run"]
    good = tmp_path / "contacts.csv"
    good.write_text(
        "first_name,last_name,email,organization,country\n"
        f"Hana,Sato{run},hana.{run}@example.org,Kite Partners {run},Japan\n"
        f"Omar,Haddad{run},omar.{run}@example.org,Kite Partners {run},Jordan\n",
        encoding="utf-8",
    )
    page.goto("/contacts/import")
    page.get_by_label("CSV or XLSX file").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    report = page.get_by_role("region", name="Report")
    expect(report).to_be_visible(timeout=30_000)
    expect(report.get_by_text(re.compile(r"^2 created, 0 updated"))).to_be_visible()
    assert stack.api("GET", "/api/contacts", params={"q": f"Sato{run}"}).json()["total"] == 1

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "first_name,last_name,email\n"
        f"Lena,Vogel{run},lena.{run}@example.org\n"
        f"Marco,,marco.{run}@example\n",
        encoding="utf-8",
    )
    page.get_by_role("button", name="Import another file").click()
    page.get_by_label("CSV or XLSX file").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    report = page.get_by_role("region", name="Report")
    expect(report).to_be_visible(timeout=30_000)
    expect(
        page.get_by_text("Refused: some rows have errors, nothing was written", exact=True)
    ).to_be_visible()
    expect(report.get_by_role("row").filter(has_text="error").first).to_be_visible()
    assert stack.api("GET", "/api/contacts", params={"q": f"Vogel{run}"}).json()["total"] == 0
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "contact-import-report")

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["First name", "Last name", "Email"])
    sheet.append(["Yuki", f"Mori{run}", f"yuki.{run}@example.org"])
    workbook = tmp_path / "contacts.xlsx"
    book.save(workbook)
    page.get_by_role("button", name="Import another file").click()
    page.get_by_label("CSV or XLSX file").set_input_files(workbook)
    page.get_by_role("button", name="Import").click()
    report = page.get_by_role("region", name="Report")
    expect(report).to_be_visible(timeout=30_000)
    expect(report.get_by_text(re.compile(r"^1 created, 0 updated"))).to_be_visible()
    assert stack.api("GET", "/api/contacts", params={"q": f"Mori{run}"}).json()["total"] == 1


def test_lp_profiles_list_and_saved_view(
    page: Page, seed: dict[str, Any], stack: Stack, shoot: Shoot, assert_accessible: Check
) -> None:
    contact = seed["contacts"][0]
    stack.create(
        "/api/lp-profiles",
        {
            "contact_id": contact["id"],
            "investor_type": "individual",
            "accreditation_status": "accredited",
            "accreditation_method": "net_worth",
            "accreditation_verified_on": "2026-01-15",
            "kyc_aml_status": "cleared",
        },
    )
    page.goto("/lp-profiles")
    investor = page.get_by_role(
        "link", name=f"{contact['first_name']} {contact['last_name']}", exact=True
    )
    expect(investor).to_be_visible()
    page.get_by_label("Search LP profiles").fill(contact["last_name"].upper())
    expect(page).to_have_url(re.compile("q="))
    expect(investor).to_be_visible()
    page.get_by_label("Search LP profiles").fill("")
    expect(page).not_to_have_url(re.compile("q="))
    page.get_by_label("Accreditation", exact=True).select_option("accredited")
    expect(page).to_have_url(re.compile("accreditation_status=accredited"))
    page.get_by_role("button", name="Saved views").click()
    page.get_by_label("Save the current view as").fill("Accredited LPs")
    page.get_by_role("button", name="Save", exact=True).click()
    page.keyboard.press("Escape")
    page.goto("/lp-profiles")
    page.get_by_role("button", name="Saved views").click()
    page.get_by_role("button", name="Accredited LPs", exact=True).click()
    expect(page).to_have_url(re.compile("accreditation_status=accredited"))
    expect(page.get_by_role("button", name="View: Accredited LPs")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "lp-profiles-list")

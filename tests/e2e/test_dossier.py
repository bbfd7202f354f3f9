"""The LP dossier, logging from it, follow-ups and search, in Chromium against the running
stack: an organization and a contact made through the API, a meeting logged with Ctrl+Enter,
found again through search once ingest has indexed it, and a follow-up completed."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gateway_stack import Stack, wait_until
from playwright.sync_api import Page, expect

Shoot = Callable[[Page, str], None]
Check = Callable[[Page], None]


@dataclass(frozen=True)
class Lp:
    organization: dict[str, Any]
    contact: dict[str, Any]
    follow_up: dict[str, Any]
    marker: str


def _create(stack: Stack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = stack.api("POST", path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture(scope="module")
def lp(stack: Stack) -> Lp:
    """One LP for the module: an organization with an LP profile and a position in a fund, one
    of its partners as a contact, and a follow-up owed on the contact. Tests name it before
    `page`: the stack starts (asyncio.run) before sync Playwright's loop is running."""
    marker = f"Zephyrine{uuid.uuid4().hex[:6]}"
    today = datetime.now(UTC).date()
    fund = _create(stack, "/api/funds", {"name": f"Fund {marker}", "currency": "USD"})
    organization = _create(
        stack,
        "/api/organizations",
        {
            "name": "Larkspur Family Office",
            "type": "family_office",
            "website": "https://larkspur.example",
        },
    )
    contact = _create(
        stack,
        "/api/contacts",
        {
            "first_name": "Imogen",
            "last_name": "Castellanos",
            "title": "Partner",
            "emails": [{"email": "imogen@larkspur.example", "is_primary": True}],
            "affiliations": [
                {"organization_id": organization["id"], "is_primary": True, "role": "Partner"}
            ],
        },
    )
    _create(
        stack,
        "/api/opportunities",
        {
            "investor_organization_id": organization["id"],
            "fund_id": fund["id"],
            "stage": "soft_commit",
            "expected_amount": "5000000.00",
            "committed_amount": "2500000.00",
        },
    )
    _create(
        stack,
        "/api/lp-profiles",
        {
            "organization_id": organization["id"],
            "investor_type": "family_office",
            "accreditation_status": "accredited",
            "accreditation_method": "entity_assets",
            "accreditation_verified_on": (today - timedelta(days=30)).isoformat(),
            "accreditation_expires_on": (today + timedelta(days=365)).isoformat(),
            "qualified_purchaser": "yes",
        },
    )
    follow_up = _create(
        stack,
        "/api/follow-ups",
        {
            "title": f"Send the {marker} side letter",
            "due_date": (today - timedelta(days=1)).isoformat(),
            "contact_id": contact["id"],
            "owner_id": stack.api("GET", "/api/auth/me").json()["id"],
        },
    )
    return Lp(organization=organization, contact=contact, follow_up=follow_up, marker=marker)


def test_a_meeting_logged_with_ctrl_enter_tops_the_timeline_and_is_found_by_search(
    lp: Lp, page: Page, shoot: Shoot, assert_accessible: Check
) -> None:
    contact_id = lp.contact["id"]
    page.goto(f"/contacts/{contact_id}")
    expect(page.get_by_role("heading", name="Imogen Castellanos", level=1)).to_be_visible()
    expect(page.get_by_text("No history yet")).to_be_visible()

    subject = f"Quarterly review with {lp.marker}"
    form = page.get_by_role("form", name="Log an interaction")
    form.get_by_label("Kind").select_option("meeting")
    form.get_by_label("Subject").fill(subject)
    notes = form.get_by_label("Notes")
    notes.fill(f"Walked through the {lp.marker} co-invest sleeve; they want the deck.")
    notes.press("Control+Enter")

    expect(page.get_by_role("status").filter(has_text=f"Meeting logged: {subject}")).to_be_visible()
    first = page.get_by_role("region", name=re.compile("^Timeline")).get_by_role("listitem").first
    expect(first.get_by_role("heading", name=subject)).to_be_visible()
    expect(form.get_by_label("Subject")).to_have_value("")
    assert_accessible(page)
    shoot(page, "dossier-contact")

    # ingest indexes asynchronously: ask again until the meeting is in the index.
    page.goto(f"/search?q={lp.marker}+co-invest")
    citation = page.get_by_role("link", name=re.compile(f"Open the cited communication: {subject}"))
    deadline = time.monotonic() + 120
    while True:
        try:
            expect(citation).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()
    hit = page.locator(".hit").filter(has=citation)
    expect(hit.locator("mark").first).to_have_text(re.compile(lp.marker, re.I))
    assert_accessible(page)
    shoot(page, "search-results")

    citation.click()
    expect(page).to_have_url(re.compile(f"/contacts/{contact_id}\\?item=communication"))
    focused = page.locator(".tl-item--focused")
    expect(focused.get_by_role("heading", name=subject)).to_be_visible()


def test_a_follow_up_is_completed_in_one_click(
    lp: Lp, page: Page, shoot: Shoot, assert_accessible: Check
) -> None:
    page.goto("/follow-ups?mine=1&overdue=1")
    expect(page.get_by_role("heading", name="My overdue follow-ups")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=lp.follow_up["title"])
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="Imogen Castellanos")).to_be_visible()
    assert_accessible(page)
    shoot(page, "follow-ups")

    row.get_by_role("button", name=re.compile("^Complete")).click()
    expect(
        page.get_by_role("status").filter(has_text=f"Done: {lp.follow_up['title']}")
    ).to_be_visible()
    expect(row).to_have_count(0)
    state = page.request.get(f"/api/follow-ups/{lp.follow_up['id']}").json()
    assert state["status"] == "done"


def test_the_organization_dossier_shows_money_accreditation_and_people(
    lp: Lp, page: Page, shoot: Shoot, assert_accessible: Check
) -> None:
    page.goto(f"/organizations/{lp.organization['id']}")
    expect(page.get_by_role("heading", name="Larkspur Family Office", level=1)).to_be_visible()
    money = page.get_by_role("region", name="Money across funds")
    expect(money.get_by_text(re.compile(r"5,000,000"))).to_be_visible()
    expect(money.get_by_text(re.compile(r"2,500,000"))).to_be_visible()
    expect(page.get_by_text(re.compile("^Accredited · until")).first).to_be_visible()
    expect(page.get_by_role("link", name="Imogen Castellanos").first).to_be_visible()
    assert_accessible(page)
    shoot(page, "dossier-organization")


def test_the_canonical_entity_opens_as_the_dossier_of_its_record(
    lp: Lp, stack: Stack, page: Page, shoot: Shoot, assert_accessible: Check
) -> None:
    # The resolver places the organization from its event; crm-api stamps the canonical id.
    path = f"/api/organizations/{lp.organization['id']}"
    canonical = wait_until(
        lambda: stack.api("GET", path).json()["canonical"],
        what="the resolver placing the organization",
        within=60,
        interval=0.5,
    )
    page.goto(f"/entities/{canonical['entity_id']}")
    banner = page.get_by_role("note")
    expect(banner).to_contain_text("Canonical entity")
    expect(page.get_by_role("heading", name="Larkspur Family Office", level=1)).to_be_visible()
    linked = page.get_by_role("region", name="Linked records")
    expect(linked.get_by_text("this record")).to_be_visible()
    assert_accessible(page)
    shoot(page, "dossier-entity")


def test_an_intro_path_through_the_lps_partner_opens_to_the_evidence_of_each_hop(
    stack: Stack, page: Page, shoot: Shoot, assert_accessible: Check
) -> None:
    """Two hops: we met Tobias (the meeting is ours), Tobias is the endowment's CIO."""
    quillon = _create(
        stack,
        "/api/organizations",
        {"name": "Quillon Endowment", "type": "foundation", "website": "https://quillon.example"},
    )
    _create(
        stack,
        "/api/lp-profiles",
        {"organization_id": quillon["id"], "investor_type": "institution"},
    )
    tobias = _create(
        stack,
        "/api/contacts",
        {
            "first_name": "Tobias",
            "last_name": "Wren",
            "affiliations": [{"organization_id": quillon["id"], "role": "CIO"}],
        },
    )
    _create(
        stack,
        "/api/communications",
        {
            "type": "meeting",
            "subject": "Climate sleeve intro",
            "occurred_at": (datetime.now(UTC) - timedelta(days=3)).isoformat(),
            "contact_id": tobias["id"],
        },
    )

    def two_hops() -> bool:
        canonical = stack.api("GET", f"/api/organizations/{quillon['id']}").json()["canonical"]
        if not canonical:
            return False
        found = stack.api("GET", f"/api/resolver/entities/{canonical['entity_id']}/paths").json()
        return any(len(p["hops"]) == 2 for p in found["paths"])

    wait_until(two_hops, what="the resolver's path through Tobias", within=60, interval=0.5)
    page.goto(f"/organizations/{quillon['id']}")
    expect(page.get_by_role("heading", name="Quillon Endowment", level=1)).to_be_visible()
    card = page.get_by_role("region", name="Intro paths")
    path = card.get_by_role("listitem").filter(
        has=page.get_by_role("list", name="admin → Tobias Wren → Quillon Endowment")
    )
    expect(path).to_be_visible()
    expect(path.get_by_role("link", name="Tobias Wren")).to_be_visible()

    path.get_by_text("2 hops · why each hop").click()
    expect(path.get_by_text("meeting: Climate sleeve intro")).to_be_visible()
    expect(path.get_by_text("CIO", exact=True)).to_be_visible()
    assert_accessible(page)
    card.scroll_into_view_if_needed()
    shoot(page, "dossier-intro-paths")

"""Saved views in the browser: kept on the server, so a view saved by one user and shared shows
up for another in their own browser, and applies its filters there; a personal one does not.
Views an old version kept in the browser's localStorage move to the server on first load."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from gateway_stack import Stack
from playwright.sync_api import Browser, Page, expect

from e2e.e2e_browser import new_context, sign_in

Shoot = Callable[[Page, str], None]
Check = Callable[[Page], None]
MEMBER_PASSWORD = "amber-orchard-still-water-5"


@pytest.fixture(scope="module")
def seed(stack: Stack) -> dict[str, Any]:
    run = uuid.uuid4().hex[:6]
    contacts = {
        kind: stack.create(
            "/api/contacts",
            {"first_name": first, "last_name": f"Views{run}", "contact_type": kind},
        )
        for first, kind in [("Iris", "investor"), ("Pavel", "prospect")]
    }
    member = stack.create(
        "/api/admin/users",
        {
            "username": f"lena{run}",
            "password": MEMBER_PASSWORD,
            "display_name": "Lena Member",
            "role": "member",
        },
    )
    return {"run": run, "contacts": contacts, "member": member}


def _save_view(page: Page, contact_type: str, name: str, *, shared: bool) -> None:
    page.get_by_label("Type", exact=True).select_option(contact_type)
    expect(page).to_have_url(re.compile(f"contact_type={contact_type}"))
    page.get_by_role("button", name=re.compile("^(Saved views|View: )")).click()
    page.get_by_label("Save the current view as").fill(name)
    if shared:
        page.get_by_label("Share with the team").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("button", name=f"View: {name}")).to_be_visible()
    page.keyboard.press("Escape")


def test_a_shared_view_reaches_another_user_and_a_personal_one_does_not(
    stack: Stack,
    seed: dict[str, Any],
    page: Page,
    browser: Browser,
    shoot: Shoot,
    assert_accessible: Check,
) -> None:
    run = seed["run"]
    investor = f"Iris Views{run}"
    prospect = f"Pavel Views{run}"
    page.goto(f"/contacts?q=Views{run}")
    expect(page.get_by_role("link", name=prospect, exact=True)).to_be_visible()
    _save_view(page, "investor", f"Investors {run}", shared=True)
    _save_view(page, "prospect", f"Prospects {run}", shared=False)

    context = new_context(browser, stack)
    try:
        sign_in(context, seed["member"]["username"], MEMBER_PASSWORD)
        other = context.new_page()
        # A view this browser kept before views lived on the server.
        other.goto("/")
        legacy_key = f"lpcrm.views.v1.{seed['member']['id']}.contacts"
        old = [{"name": f"Old {run}", "search": f"q=Views{run}"}]
        other.evaluate("([k, v]) => localStorage.setItem(k, v)", [legacy_key, json.dumps(old)])

        other.goto("/contacts")
        other.get_by_role("button", name="Saved views").click()
        shared = other.get_by_role("button", name=re.compile(f"^Investors {run} shared by "))
        expect(shared).to_be_visible()
        expect(other.get_by_role("button", name=f"Old {run}", exact=True)).to_be_visible()
        expect(other.get_by_role("button", name=re.compile(f"Prospects {run}"))).to_have_count(0)
        assert other.evaluate("(k) => localStorage.getItem(k)", legacy_key) is None
        other.wait_for_load_state("networkidle")
        assert_accessible(other)
        shoot(other, "saved-views-menu")

        shared.click()
        expect(other).to_have_url(re.compile("contact_type=investor"))
        expect(other).to_have_url(re.compile(f"q=Views{run}"))
        expect(other.get_by_role("link", name=investor, exact=True)).to_be_visible()
        expect(other.get_by_role("link", name=prospect, exact=True)).to_have_count(0)
    finally:
        context.close()

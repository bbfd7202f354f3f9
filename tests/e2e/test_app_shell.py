"""First run, signing in and out, an expired session, and what protects the browser session
(CSRF, CSP, cache headers), in Debian's Chromium against the running stack."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gateway_stack import ADMIN_PASSWORD, Stack, running_stack
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.e2e_browser import E2E_CRM_SETTINGS, new_context, sign_in

Shoot = Callable[[Page, str], None]
Check = Callable[[Page], None]


@pytest.fixture(scope="module")
def empty_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A CRM with no user yet (no search: first run does not need it)."""
    with running_stack(
        tmp_path_factory.mktemp("first-run"),
        with_search=False,
        with_gateway=False,
        register_admin=False,
        crm_settings=E2E_CRM_SETTINGS,
    ) as running:
        yield running


def test_first_run_creates_the_administrator_and_signs_them_in(
    browser: Browser, empty_stack: Stack, shoot: Shoot, assert_accessible: Check
) -> None:
    context = new_context(browser, empty_stack)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your name").fill("Ada Partner")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create administrator").click()
    # The password policy's refusal is shown on its field, and nothing typed is lost.
    expect(page.get_by_text(re.compile("12", re.I)).first).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Ada Partner")
    shoot(page, "first-run-error")
    page.get_by_label("Password").fill("copper-meadow-lantern-42")
    page.get_by_role("button", name="Create administrator").click()
    greeting = page.get_by_role("heading", name=re.compile("Good to see you, Ada Partner"))
    expect(greeting).to_be_visible()
    assert empty_stack.api("GET", "/api/bootstrap/status").json() == {"setup_required": False}
    context.close()


def test_sign_in_and_out(
    browser: Browser, stack: Stack, shoot: Shoot, assert_accessible: Check
) -> None:
    context = new_context(browser, stack)
    page = context.new_page()
    page.goto("/account")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_accessible(page)
    shoot(page, "sign-in")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Back where you asked to go.
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    cookie = next(c for c in context.cookies() if c["name"] == "crm_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    # The token is nowhere the page's scripts can read it.
    assert page.evaluate("() => document.cookie").find("crm_session") == -1
    assert page.evaluate("() => JSON.stringify(localStorage)").find(cookie["value"]) == -1
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert not [c for c in context.cookies() if c["name"] == "crm_session"]
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    context.close()


def test_home_and_account_screens(page: Page, shoot: Shoot, assert_accessible: Check) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "home")
    page.get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="My sessions")).to_be_visible()
    expect(page.get_by_text("this one")).to_be_visible()
    assert_accessible(page)
    shoot(page, "account")


def test_an_ended_session_asks_for_the_password_over_the_page_and_keeps_the_form(
    browser: Browser, stack: Stack
) -> None:
    context = new_context(browser, stack)
    session = sign_in(context, "admin", ADMIN_PASSWORD)
    page = context.new_page()
    page.goto("/account")
    page.get_by_label("Current password").fill("what I typed before")
    # The session ends elsewhere (an administrator, or its expiry).
    ended = stack.api("DELETE", f"/api/admin/sessions/{session['session_id']}")
    assert ended.status_code == 204, ended.text
    page.get_by_label("New password").fill("a-new-long-passphrase")
    page.get_by_role("button", name="Change password").click()
    dialog = page.get_by_role("dialog", name="Your session has ended")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Password").fill(ADMIN_PASSWORD)
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("Current password")).to_have_value("what I typed before")
    context.close()


def _csrf_context(browser: Browser, stack: Stack) -> tuple[BrowserContext, str]:
    context = new_context(browser, stack)
    session = sign_in(context, "admin", ADMIN_PASSWORD)
    return context, str(session["csrf_token"])


def test_a_cross_site_post_with_the_cookie_is_refused(browser: Browser, stack: Stack) -> None:
    context, csrf = _csrf_context(browser, stack)
    body = {"name": "Forged Capital", "type": "family_office"}
    # What a page on another site can make a browser send: the cookie, its own Origin, no token.
    forged = context.request.post(
        "/api/organizations", data=body, headers={"Origin": "https://evil.example"}
    )
    assert forged.status == 403, forged.text()
    no_token = context.request.post("/api/organizations", data=body)
    assert no_token.status == 403, no_token.text()
    wrong_origin = context.request.post(
        "/api/organizations",
        data=body,
        headers={"Origin": "https://evil.example", "X-CSRF-Token": csrf},
    )
    assert wrong_origin.status == 403, wrong_origin.text()
    listed = stack.api("GET", "/api/organizations", params={"q": "Forged Capital"}).json()
    assert listed["total"] == 0
    # The app's own request (same origin, the session's token) is let through.
    made = context.request.post("/api/organizations", data=body, headers={"X-CSRF-Token": csrf})
    assert made.status == 201, made.text()
    context.close()


def test_the_app_is_served_with_a_strict_policy_and_cache_rules(page: Page) -> None:
    response = page.goto("/contacts/some-client-route")
    assert response is not None
    assert response.ok
    headers = response.headers
    csp = headers["content-security-policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert "referrer-policy" in headers
    assert "no-cache" in headers["cache-control"]
    asset = page.locator("script[type=module]").first.get_attribute("src")
    assert asset is not None
    assert asset.startswith("/assets/")
    served = page.request.get(asset)
    assert "immutable" in served.headers["cache-control"]
    assert Path(asset).suffix == ".js"

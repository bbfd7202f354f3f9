"""What the browser tests share: where things are, how a context is opened and signed in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gateway_stack import Stack
from playwright.sync_api import Browser, BrowserContext

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "services" / "crm-api" / "web"
BUNDLE = ROOT / "services" / "crm-api" / "src" / "crm_api" / "static" / "index.html"
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Many contexts sign in as the admin within a minute; the login limit guards a real deployment.
E2E_CRM_SETTINGS = {"rate_limit_login": "100000/minute"}
VIEWPORT = {"width": 1440, "height": 900}


def new_context(browser: Browser, stack: Stack, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=stack.crm_url, viewport=VIEWPORT, **options)
    context.set_default_timeout(15_000)
    return context


def sign_in(context: BrowserContext, username: str, password: str) -> dict[str, Any]:
    """Sign `context` in through the browser-session route: the cookie lands in the context."""
    response = context.request.post(
        "/api/auth/session", data={"username": username, "password": password}
    )
    assert response.ok, response.text()
    session: dict[str, Any] = response.json()
    return session

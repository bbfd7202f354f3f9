"""What the browser tests share: where things are, how a context is opened and signed in."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

from gateway_stack import Stack
from playwright.sync_api import Browser, BrowserContext, ViewportSize

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
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}


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


MANIFEST = BUNDLE.parent / ".vite" / "manifest.json"


def route_bundles() -> dict[str, dict[str, int]]:
    """Per route (the entry, then each lazy screen), the bytes gzipped of the JavaScript and CSS
    it loads: its own chunk and every chunk it imports statically, the entry's excluded for a
    screen (already loaded). From Vite's manifest."""
    manifest: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    static = BUNDLE.parent

    def closure(key: str) -> set[str]:
        seen: set[str] = set()
        stack = [key]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(manifest[current].get("imports", []))
        return seen

    def gzipped(files: set[str]) -> int:
        return sum(len(gzip.compress((static / f).read_bytes(), 9)) for f in files)

    entry = next(key for key, chunk in manifest.items() if chunk.get("isEntry"))
    entry_chunks = closure(entry)
    sizes: dict[str, dict[str, int]] = {}
    for key in [entry, *sorted(k for k, c in manifest.items() if c.get("isDynamicEntry"))]:
        chunks = closure(key) if key == entry else closure(key) - entry_chunks
        js = {manifest[c]["file"] for c in chunks}
        css = {f for c in chunks for f in manifest[c].get("css", [])}
        sizes[key] = {"js_gzip": gzipped(js), "css_gzip": gzipped(css)}
    return sizes

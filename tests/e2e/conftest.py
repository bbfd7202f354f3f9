"""The browser app end to end: Debian's Chromium driven by Playwright against nats, crm-api,
resolver and ingest running as real processes (one stack for the whole session), with the
app built by `make install` and served by crm-api.

Fixtures: `stack` (an admin registered; `stack.api(...)` as that admin), `browser`, `context`,
`page` (a fresh context signed in as the admin, `base_url` the app), `shoot(page, name)` (light
and dark screenshots into docs/screenshots/, which the README names) and
`assert_accessible(page)` (axe-core: no serious or critical violation). `e2e_browser` has
`new_context(browser, stack)` and `sign_in(context, username, password)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gateway_stack import ADMIN_PASSWORD, Stack, running_stack
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from e2e.e2e_browser import (
    AXE,
    BUNDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    E2E_CRM_SETTINGS,
    SCREENSHOTS,
    new_context,
    sign_in,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.slow)


# Per module, not per session: Playwright's sync API runs an event loop in the test thread for as
# long as it is open, and the tests after these (asyncio.run, anyio) need that thread free.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not BUNDLE.exists():
        pytest.fail(f"the browser app is not built ({BUNDLE} is missing): run `make install`")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (see .ci/run)")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(
        tmp_path_factory.mktemp("e2e-stack"), with_gateway=False, crm_settings=E2E_CRM_SETTINGS
    ) as running:
        yield running


@pytest.fixture
def context(browser: Browser, stack: Stack) -> Iterator[BrowserContext]:
    opened = new_context(browser, stack)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    sign_in(context, "admin", ADMIN_PASSWORD)
    return context.new_page()


@pytest.fixture
def shoot() -> Callable[[Page, str], None]:
    """Screenshots of the page as it stands, light then dark, for a reviewer to look at."""

    def take(page: Page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=SCREENSHOTS / f"{name}-{scheme}.png", full_page=False)
        page.emulate_media(color_scheme="light")

    return take


@pytest.fixture(scope="session")
def axe_source() -> str:
    source: str = AXE.read_text(encoding="utf-8")
    return source


@pytest.fixture
def assert_accessible(axe_source: str) -> Callable[[Page], None]:
    """axe-core over the whole page, in both themes (contrast differs): no serious or critical
    violation. Evaluated through the DevTools protocol, so the app's CSP still holds."""

    def check(page: Page) -> None:
        failures: list[str] = []
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(axe_source)
            result = page.evaluate(
                "async () => await window.axe.run(document, {resultTypes: ['violations']})"
            )
            for violation in result["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"][:5]]
                    failures.append(
                        f"[{scheme}] {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} at {targets}"
                    )
        page.emulate_media(color_scheme="light")
        assert not failures, "\n".join(failures)

    return check

"""The pipeline kanban and the fundraising grid in Debian's Chromium against the running stack:
moving a card (and a refused move snapping back), and the grid shared live by two people —
presence, a cell's lock, an edit reaching the other without a reload, a conflict keeping both
values — then paste and undo; screenshots and axe of both screens."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from gateway_stack import Stack, wait_until
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.e2e_browser import new_context, sign_in

Shoot = Callable[[Page, str], None]
Check = Callable[[Page], None]

SECOND_PASSWORD = "amber-willow-signal-58"


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    wait_until(check, what=what, within=timeout, interval=0.1)


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> dict[str, Any]:
    """Three funds, five investors on the grid with opportunities in the first fund, a custom
    column, and a second person (a member) to share the grid with."""
    tag = uuid4().hex[:6]
    funds = [
        stack.create("/api/funds", {"name": f"Fund {n} {tag}", "vintage": 2024 + i})
        for i, n in enumerate(("Alpha", "Beta", "Gamma"))
    ]
    stack.create("/api/grid/columns", {"key": f"region_{tag}", "label": "Region", "type": "text"})
    names = [
        "Acorn Capital",
        "Birch Family Office",
        "Cedar Endowment",
        "Dune Partners",
        "Elm Trust",
    ]
    stages = ["lead", "lead", "meeting", "due_diligence", "committed"]
    investors: list[dict[str, Any]] = []
    for i, (name, stage) in enumerate(zip(names, stages, strict=True)):
        org = stack.create("/api/organizations", {"name": f"{name} {tag}", "type": "other"})
        row = stack.create("/api/grid/rows", {"organization_id": org["id"]})
        opp = stack.create(
            "/api/opportunities",
            {
                "investor_organization_id": org["id"],
                "fund_id": funds[0]["id"],
                "stage": stage,
                "expected_amount": f"{(i + 1) * 1_000_000}.00",
                "committed_amount": f"{(i + 1) * 500_000}.00" if stage == "committed" else None,
            },
        )
        investors.append({"org": org, "row": row, "opp": opp, "name": org["name"]})
    member = stack.create(
        "/api/admin/users",
        {
            "username": f"bea{tag}",
            "password": SECOND_PASSWORD,
            "display_name": "Bea Member",
            "role": "member",
        },
    )
    return {"tag": tag, "funds": funds, "investors": investors, "member": member}


def _opportunity(stack: Stack, opportunity_id: str) -> dict[str, Any]:
    found: dict[str, Any] = stack.api("GET", f"/api/opportunities/{opportunity_id}").json()
    return found


def _card(page: Page, opportunity_id: str) -> Locator:
    return page.locator(f'[data-testid="kanban-card"][data-opportunity-id="{opportunity_id}"]')


def _column(page: Page, stage: str) -> Locator:
    return page.locator(f'[data-testid="kanban-column"][data-stage="{stage}"]')


def _first_arrow(page: Page, stage: str) -> None:
    """The first ArrowRight of a keyboard drag. dnd-kit listens for the arrows from a timer after
    the Space that picked the card up, so a press at once can go unheard: press again until the
    next column is the one the card is over (a heard press shows within the wait)."""
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        try:
            expect(_column(page, stage)).to_have_class(
                re.compile("kanban-column--over"), timeout=2_000
            )
            return
        except AssertionError:
            continue
    expect(_column(page, stage)).to_have_class(re.compile("kanban-column--over"))


def test_a_card_moves_between_stages_and_a_refused_move_snaps_back(
    stack: Stack, page: Page, seeded: dict[str, Any], shoot: Shoot, assert_accessible: Check
) -> None:
    fund = seeded["funds"][0]
    acorn = seeded["investors"][0]
    page.goto(f"/pipeline?fund={fund['id']}")
    card = _card(page, acorn["opp"]["id"])
    expect(_column(page, "lead").locator(card)).to_be_visible()
    expect(card).to_contain_text(acorn["name"])
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "pipeline")

    # Keyboard dragging: Space picks the card up, an arrow moves it a stage on, Space drops it.
    overlay = page.locator(".kanban-card--overlay")
    card.focus()
    page.keyboard.press("Space")
    expect(overlay).to_be_visible()
    _first_arrow(page, "contacted")
    page.keyboard.press("Space")
    expect(_column(page, "contacted").locator(card)).to_be_visible()
    _wait_for(
        lambda: _opportunity(stack, acorn["opp"]["id"])["stage"] == "contacted", "the stage move"
    )
    expect(_column(page, "contacted")).to_contain_text("$1M")

    # Closed lost needs a reason: sent without one, the API refuses and the card snaps back.
    card.focus()
    page.keyboard.press("Space")
    expect(overlay).to_be_visible()
    _first_arrow(page, "meeting")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(_column(page, "closed_lost")).to_have_class(re.compile("kanban-column--over"))
    page.keyboard.press("Space")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Move to Closed lost").click()
    expect(
        page.get_by_role("alert").filter(has_text=re.compile("lost_reason", re.I)).first
    ).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(_column(page, "contacted").locator(card)).to_be_visible()
    assert _opportunity(stack, acorn["opp"]["id"])["stage"] == "contacted"

    # With the pointer: press on the card, move in steps (dnd-kit starts a drag after a few
    # pixels), release over the next column.
    # (The keyboard drag to the last column scrolled the board: bring the card back in view.)
    card.scroll_into_view_if_needed()
    start, target = card.bounding_box(), _column(page, "meeting").bounding_box()
    assert start is not None
    assert target is not None
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=3)
    expect(overlay).to_be_visible()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 80, steps=12)
    expect(_column(page, "meeting")).to_have_class(re.compile("kanban-column--over"))
    page.mouse.up()
    expect(_column(page, "meeting").locator(card)).to_be_visible()
    _wait_for(lambda: _opportunity(stack, acorn["opp"]["id"])["stage"] == "meeting", "the drop")


def _cell(page: Page, row_id: str, fund_id: str) -> Locator:
    return page.locator(f'[data-row-id="{row_id}"] [data-ref="fund:{fund_id}"]')


def _open_grid(page: Page, tag: str) -> None:
    page.goto(f"/grid?q={tag}")
    expect(page.get_by_test_id("grid")).to_be_visible()
    expect(page.get_by_test_id("live-status")).to_have_text("Live")


def test_two_people_share_the_grid_live(
    stack: Stack,
    browser: Browser,
    page: Page,
    seeded: dict[str, Any],
    shoot: Shoot,
    assert_accessible: Check,
) -> None:
    fund = seeded["funds"][0]
    birch, cedar = seeded["investors"][1], seeded["investors"][2]
    other = new_context(browser, stack)
    sign_in(other, seeded["member"]["username"], SECOND_PASSWORD)
    bea = other.new_page()
    _open_grid(page, seeded["tag"])
    _open_grid(bea, seeded["tag"])

    # Presence: the admin's cursor shows on Bea's screen, with who it is.
    admin_cell = _cell(page, birch["row"]["id"], fund["id"])
    admin_cell.click()
    expect(admin_cell).to_be_focused()  # the grid moves focus to the clicked cell after a render
    expect(bea.get_by_test_id("presence-avatar")).to_have_count(1)
    expect(_cell(bea, birch["row"]["id"], fund["id"])).to_have_class(re.compile("gcell--presence"))

    # A lock while one edits: the admin's editor locks the cell for Bea.
    page.keyboard.press("Enter")
    editor = admin_cell.locator("input")
    expect(editor).to_be_focused()
    bea_cell = _cell(bea, birch["row"]["id"], fund["id"])
    expect(bea_cell).to_have_attribute("data-locked", "true")

    # The edit reaches Bea without a reload, and the lock goes with it.
    editor.fill("2,500,000")
    page.keyboard.press("Enter")
    expect(bea_cell).to_contain_text("$2,500,000")
    expect(bea_cell).not_to_have_attribute("data-locked", "true")
    _wait_for(
        lambda: _opportunity(stack, birch["opp"]["id"])["committed_amount"] == "2500000.00",
        "the cell's save",
    )

    # A conflict: Bea edits a cell while the admin changes it elsewhere; both values are kept.
    bea_conflict = _cell(bea, cedar["row"]["id"], fund["id"])
    bea_conflict.click()
    expect(bea_conflict).to_be_focused()
    bea.keyboard.press("Enter")
    bea_editor = bea_conflict.locator("input")
    expect(bea_editor).to_be_focused()
    current = _opportunity(stack, cedar["opp"]["id"])
    changed = stack.api(
        "PATCH",
        f"/api/opportunities/{cedar['opp']['id']}",
        json={"committed_amount": "1111111.00"},
        headers={"If-Match": f'"{current["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    bea_editor.fill("3000000")
    bea.keyboard.press("Enter")
    conflict = bea.get_by_test_id("conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_test_id("conflict-mine")).to_contain_text("$3,000,000")
    expect(conflict.get_by_test_id("conflict-theirs")).to_contain_text("$1,111,111")
    expect(bea_conflict).to_have_attribute("data-conflict", "true")
    bea.wait_for_load_state("networkidle")
    assert_accessible(bea)
    shoot(bea, "grid")

    # Bea keeps hers: it is saved on top of the admin's version.
    conflict.get_by_role("button", name="Save my choice").click()
    expect(conflict).to_be_hidden()
    expect(bea_conflict).to_contain_text("$3,000,000")
    _wait_for(
        lambda: _opportunity(stack, cedar["opp"]["id"])["committed_amount"] == "3000000.00",
        "the chosen value's save",
    )
    other.close()


def test_a_pasted_range_is_one_batch_that_undo_takes_back(
    stack: Stack, page: Page, seeded: dict[str, Any]
) -> None:
    fund = seeded["funds"][1]
    dune, elm = seeded["investors"][3], seeded["investors"][4]
    _open_grid(page, seeded["tag"])
    target = _cell(page, dune["row"]["id"], fund["id"])
    target.click()
    expect(target).to_be_focused()  # the selection is in place before the paste arrives
    # What a spreadsheet puts on the clipboard: two lines of one value each.
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData('text/plain', '$750,000\\r\\n1.2m\\r\\n');
            document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data}));
        }"""
    )
    expect(_cell(page, elm["row"]["id"], fund["id"])).to_contain_text("$1,200,000")
    expect(page.get_by_role("status").filter(has_text="Paste: 2 changes")).to_be_visible()

    def cells() -> list[Any]:
        return [
            stack.api("GET", f"/api/grid/rows/{inv['row']['id']}/cells/{fund['id']}").json()
            for inv in (dune, elm)
        ]

    _wait_for(
        lambda: [c["committed_amount"] for c in cells()] == ["750000.00", "1200000.00"], "paste"
    )
    page.get_by_test_id("grid").locator("[tabindex='0']").press("Control+z")
    expect(_cell(page, elm["row"]["id"], fund["id"])).not_to_contain_text("$1,200,000")
    _wait_for(
        lambda: all(c["version"] in (0, 2) and c["committed_amount"] is None for c in cells()),
        "undo",
    )


def test_an_agents_proposal_is_accepted_in_its_cell(
    stack: Stack, page: Page, seeded: dict[str, Any]
) -> None:
    fund = seeded["funds"][0]
    acorn = seeded["investors"][0]
    key = stack.create_key(["read", "write:logged"])
    # The grid is open before the agent proposes: the proposal arrives on the live feed (the
    # grid no longer polls while the feed is up).
    _open_grid(page, seeded["tag"])
    cell = _cell(page, acorn["row"]["id"], fund["id"])
    cell.click()
    proposed = stack.api(
        "POST",
        "/api/agent/actions",
        key=key["key"],
        headers={"Idempotency-Key": uuid4().hex},
        json={
            "action": "set_amounts",
            "params": {"opportunity_id": acorn["opp"]["id"], "committed_amount": "4200000.00"},
            "evidence": [{"type": "opportunity", "id": acorn["opp"]["id"]}],
            "reason": "The LP wrote that they <b>commit</b> 4.2m",
        },
    )
    assert proposed.status_code == 202, proposed.text
    assert proposed.json()["outcome"] == "proposed"
    expect(cell).to_contain_text("$4.2M")
    card = page.get_by_test_id("proposal")
    expect(card).to_contain_text("Committed → $4,200,000")
    # The agent's reason is outside text: shown as text, markup and all.
    expect(card).to_contain_text("<b>commit</b>")
    card.get_by_role("button", name="Accept").click()
    expect(card).to_be_hidden()
    expect(cell).to_contain_text("$4,200,000")
    assert _opportunity(stack, acorn["opp"]["id"])["committed_amount"] == "4200000.00"


def test_a_sorted_search_is_saved_as_a_view(
    stack: Stack, page: Page, seeded: dict[str, Any]
) -> None:
    fund = seeded["funds"][0]
    _open_grid(page, seeded["tag"])
    header = page.get_by_role("columnheader", name=fund["name"])
    header.get_by_role("button").click()
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    page.get_by_role("button", name="Save as view").click()
    dialog = page.get_by_role("dialog", name="Save this view")
    dialog.get_by_label("Name").fill(f"Biggest first {seeded['tag']}")
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("View", exact=True)).to_have_value(re.compile(".+"))
    views = stack.api("GET", "/api/grid/views").json()["items"]
    saved = next(v for v in views if v["name"] == f"Biggest first {seeded['tag']}")
    assert saved["sorts"] == [{"field": f"fund.{fund['id']}.committed_amount", "direction": "desc"}]
    assert saved["filters"] == {"field": "name", "op": "contains", "value": seeded["tag"]}
    # The view orders the rows on the server: the largest commitment first.
    committed = {
        inv["name"]: float(_opportunity(stack, inv["opp"]["id"])["committed_amount"] or 0)
        for inv in seeded["investors"]
    }
    first = page.locator("[role=row][data-row-id]").first
    expect(first).to_contain_text(max(committed, key=lambda name: committed[name]))

"""The browser app in Debian's Chromium, against crm-api, resolver and nats as real processes.

1. The first screen (Home) on the `make demo` data: navigation to interactive (the greeting
   drawn and the network quiet), cold (empty cache) and warm (reload), beside loading a static
   file from the same server in the same browser (the floor).
2. A contact's dossier with 500 communications: from navigation to the timeline's first items
   drawn, and to all 500 loaded, beside the API calls it makes, timed alone in the page.
3. The fundraising grid at 2,000 investors x 12 funds (bulk-loaded): frame times while it scrolls
   down and across, from requestAnimationFrame, beside the same loop on the idle page.
4. Bundle sizes per route, gzipped, from Vite's manifest.

`--quick`: a smaller demo book and grid, fewer rounds. Needs the app built (`make install`).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import percentile, save
from crm_common.db import Database

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "services/mcp-gateway/tests"), str(ROOT / "tests")]
from e2e.e2e_browser import (  # noqa: E402 - the test helpers' folders go on the path first
    CHROMIUM,
    CHROMIUM_ARGS,
    E2E_CRM_SETTINGS,
    new_context,
    route_bundles,
    sign_in,
)
from gateway_stack import ADMIN_PASSWORD, SECRET, Stack, running_stack  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from bench.grid import load_grid  # noqa: E402

FRAME_LOOP = """async ({ seconds, scroll }) => {
  const el = scroll ? document.querySelector(scroll.selector) : null;
  if (scroll && !el) throw new Error('no scroller at ' + scroll.selector);
  const deltas = [];
  let last = performance.now();
  const end = last + seconds * 1000;
  let step = 0;
  await new Promise((done) => {
    const frame = (now) => {
      deltas.push(now - last);
      last = now;
      if (el) {
        step += 1;
        const down = Math.floor(step / 60) % 2 === 0;
        el.scrollTop += down ? scroll.dy : -scroll.dy;
        el.scrollLeft += step % 120 < 60 ? scroll.dx : -scroll.dx;
      }
      if (now < end) requestAnimationFrame(frame); else done();
    };
    requestAnimationFrame(frame);
  });
  return deltas.slice(1);
}"""


# What the dossier asks of the API on its first draw, timed alone from inside the page.
API_CALLS = """async (id) => {
  const t = performance.now();
  await Promise.all([
    fetch('/api/contacts/' + id).then((r) => r.json()),
    fetch('/api/contacts/' + id + '/communications?limit=200').then((r) => r.json()),
  ]);
  return performance.now() - t;
}"""


def _frames(deltas: list[float]) -> dict[str, float]:
    return {
        "frames": len(deltas),
        "p50_ms": round(percentile(deltas, 50), 2),
        "p95_ms": round(percentile(deltas, 95), 2),
        "p99_ms": round(percentile(deltas, 99), 2),
        "over_16_7ms": round(sum(d > 16.7 for d in deltas) / max(1, len(deltas)), 4),
    }


def _load_demo(stack: Stack, *, organizations: int, contacts: int, communications: int) -> None:
    env = os.environ | {
        "DATA_DIR": str(stack.data_dir),
        "NATS_URL": stack.nats_url,
        "CRM_API_SECRET_KEY": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_api",
            "demo",
            f"--organizations={organizations}",
            f"--contacts={contacts}",
            f"--communications={communications}",
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _signed_in_page(browser: Browser, stack: Stack) -> Page:
    context = new_context(browser, stack)
    sign_in(context, "admin", ADMIN_PASSWORD)
    return context.new_page()


def _since_navigation(page: Page) -> float:
    return float(page.evaluate("() => performance.now()"))


def first_screen(browser: Browser, stack: Stack, rounds: int) -> dict[str, Any]:
    cold: list[float] = []
    warm: list[float] = []
    floor: list[float] = []
    for _ in range(rounds):
        page = _signed_in_page(browser, stack)
        page.goto("/favicon.svg")
        floor.append(
            float(page.evaluate("() => performance.getEntriesByType('navigation')[0].duration"))
        )
        page.goto("/", wait_until="commit")
        page.get_by_role("heading", name="Good to see you", exact=False).wait_for()
        page.wait_for_load_state("networkidle")
        cold.append(_since_navigation(page))
        page.reload(wait_until="commit")
        page.get_by_role("heading", name="Good to see you", exact=False).wait_for()
        page.wait_for_load_state("networkidle")
        warm.append(_since_navigation(page))
        page.context.close()
    base = statistics.median(floor)
    return {
        "cold_to_interactive_ms": {
            "p50": round(statistics.median(cold), 1),
            "max": round(max(cold), 1),
        },
        "warm_to_interactive_ms": {
            "p50": round(statistics.median(warm), 1),
            "max": round(max(warm), 1),
        },
        "static_file_ms_p50": round(base, 1),
        "cold_vs_static_file": round(statistics.median(cold) / base, 1),
        "warm_vs_static_file": round(statistics.median(warm) / base, 1),
    }


def _contact_with_history(stack: Stack, items: int) -> str:
    contact = stack.create("/api/contacts", {"first_name": "Hana", "last_name": "Timeline"})
    start = datetime.now(UTC) - timedelta(days=items)
    for i in range(items):
        stack.create(
            "/api/communications",
            {
                "type": ("meeting", "call", "note", "email")[i % 4],
                "subject": f"Touchpoint {i}",
                "body": f"Discussed the next close, round {i}.",
                "contact_id": contact["id"],
                "occurred_at": (start + timedelta(days=i)).isoformat(),
            },
        )
    return str(contact["id"])


def dossier(
    browser: Browser, stack: Stack, contact_id: str, items: int, rounds: int
) -> dict[str, Any]:
    first: list[float] = []
    every: list[float] = []
    api_alone: list[float] = []
    for _ in range(rounds):
        page = _signed_in_page(browser, stack)
        page.goto(f"/contacts/{contact_id}", wait_until="commit")
        page.locator(".tl-item").first.wait_for()
        first.append(_since_navigation(page))
        load_older = page.get_by_role("button", name="Load older")
        while load_older.count():
            load_older.click()
            page.wait_for_load_state("networkidle")
        page.get_by_role("region", name=f"Timeline, {items} items, newest first").wait_for()
        every.append(_since_navigation(page))
        api_alone.append(
            float(
                page.evaluate(
                    API_CALLS,
                    contact_id,
                )
            )
        )
        page.context.close()
    return {
        "items": items,
        "to_first_items_ms_p50": round(statistics.median(first), 1),
        "to_all_items_ms_p50": round(statistics.median(every), 1),
        "its_api_calls_alone_ms_p50": round(statistics.median(api_alone), 1),
        "first_items_vs_api_calls": round(
            statistics.median(first) / statistics.median(api_alone), 1
        ),
    }


def grid_scroll(browser: Browser, stack: Stack, investors: int, seconds: float) -> dict[str, Any]:
    page = _signed_in_page(browser, stack)
    page.goto("/grid", wait_until="commit")
    page.get_by_test_id("grid-cell").first.wait_for()
    page.wait_for_load_state("networkidle")
    loaded = _since_navigation(page)
    idle = page.evaluate(FRAME_LOOP, {"seconds": seconds, "scroll": None})
    scrolled = page.evaluate(
        FRAME_LOOP,
        {
            "seconds": seconds,
            "scroll": {"selector": "[data-testid=grid-scroll]", "dy": 120, "dx": 40},
        },
    )
    page.context.close()
    moving, still = _frames(scrolled), _frames(idle)
    return {
        "investors": investors,
        "funds": 12,
        "to_grid_drawn_ms": round(loaded, 1),
        "scrolling": moving,
        "idle": still,
        "p95_scrolling_vs_idle": round(moving["p95_ms"] / still["p95_ms"], 2),
    }


def _run(quick: bool) -> dict[str, Any]:
    rounds = 3 if quick else 7
    investors = 500 if quick else 2_000
    figures: dict[str, Any] = {"bundles": route_bundles()}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with running_stack(
            Path(tmp) / "demo", with_search=False, with_gateway=False, crm_settings=E2E_CRM_SETTINGS
        ) as stack:
            sizes = (100, 500, 3_000) if quick else (400, 2_000, 20_000)
            _load_demo(stack, organizations=sizes[0], contacts=sizes[1], communications=sizes[2])
            figures["first_screen"] = first_screen(browser, stack, rounds)
            contact_id = _contact_with_history(stack, 500)
            figures["dossier"] = dossier(browser, stack, contact_id, 500, rounds)
        with running_stack(
            Path(tmp) / "grid", with_search=False, with_gateway=False, crm_settings=E2E_CRM_SETTINGS
        ) as stack:
            db = Database(f"sqlite:///{stack.data_dir / 'crm-api.db'}")
            started = time.perf_counter()
            load_grid(db, investors, 12)
            db.dispose()
            figures["grid_load_s"] = round(time.perf_counter() - started, 1)
            figures["grid"] = grid_scroll(browser, stack, investors, 3.0 if quick else 6.0)
        browser.close()
    return figures


async def run(quick: bool = False) -> None:
    # Playwright's sync API runs its own loop: on a thread of its own, away from this one.
    figures = await asyncio.to_thread(_run, quick)
    print(json.dumps(figures, indent=2))
    print(f"saved to {save('web', figures)}")

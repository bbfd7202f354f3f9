"""The browser app's weight: what the first screen loads stays within its budget."""

from __future__ import annotations

from e2e.e2e_browser import route_bundles

# The budget for the first screen's JavaScript, gzipped; the rest is split by route.
FIRST_SCREEN_JS_GZIP = 250 * 1024


def test_the_first_screen_loads_at_most_250_kb_of_javascript_gzipped() -> None:
    sizes = route_bundles()
    entry = sizes["index.html"]
    home = sizes["src/screens/Home.tsx"]
    assert entry["js_gzip"] + home["js_gzip"] <= FIRST_SCREEN_JS_GZIP, sizes


def test_every_screen_is_its_own_chunk() -> None:
    sizes = route_bundles()
    screens = [key for key in sizes if key != "index.html"]
    assert "src/screens/Account.tsx" in screens
    assert all(sizes[key]["js_gzip"] > 0 for key in screens)

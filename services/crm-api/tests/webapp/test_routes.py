"""The browser app on crm-api's own origin: its assets, its files, its page for client routes.

The real bundle is built elsewhere; each test serves a stand-in build from a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crm_api.app import create_app
from crm_api.settings import Settings

PAGE = "<!doctype html><title>LP CRM</title><script type=module src=/assets/app-3f9a1c.js></script>"
SCRIPT = "console.log('the app')"


def serving(tmp_path: Path, web_dir: Path) -> TestClient:
    # These routes never touch the database, so the app's stays unmigrated.
    return TestClient(create_app(Settings(DATA_DIR=tmp_path, web_dir=web_dir)))


@pytest.fixture
def built(tmp_path: Path) -> TestClient:
    """crm-api serving a stand-in build: index.html, a hashed script, a favicon."""
    web_dir = tmp_path / "web"
    (web_dir / "assets").mkdir(parents=True)
    (web_dir / "index.html").write_text(PAGE)
    (web_dir / "assets" / "app-3f9a1c.js").write_text(SCRIPT)
    (web_dir / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("not for the web")
    return serving(tmp_path, web_dir)


def test_a_hashed_asset_is_cached_for_a_year(built: TestClient) -> None:
    response = built.get("/assets/app-3f9a1c.js")
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_missing_asset_is_a_404_problem(built: TestClient) -> None:
    response = built.get("/assets/app-000000.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path", ["/assets/..%2F..%2Fsecret.txt", "/assets/%2E%2E/%2E%2E/secret.txt", "/..%2Fsecret.txt"]
)
def test_a_path_climbing_out_of_the_build_serves_nothing_outside_it(
    built: TestClient, path: str
) -> None:
    response = built.get(path)
    assert "not for the web" not in response.text


@pytest.mark.parametrize("path", ["/", "/contacts/123", "/grid", "/index.html"])
def test_the_apps_own_routes_get_its_page_revalidated_on_every_load(
    built: TestClient, path: str
) -> None:
    response = built.get(path)
    assert response.status_code == 200
    assert response.text == PAGE
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


def test_a_top_level_file_is_served_as_itself_with_a_short_cache(built: TestClient) -> None:
    response = built.get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "public, max-age=3600"


def test_an_unknown_api_path_stays_a_json_404(built: TestClient) -> None:
    response = built.get("/api/unknown")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_get_on_a_post_only_api_path_stays_a_405(built: TestClient) -> None:
    response = built.get("/api/auth/login")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_the_page_carries_the_strict_security_headers(built: TestClient) -> None:
    headers = built.get("/contacts/123").headers
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_an_unbuilt_app_answers_503_naming_the_fix(tmp_path: Path) -> None:
    response = serving(tmp_path, tmp_path / "never-built").get("/")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the browser app is not built: run `make install`"


def test_the_metrics_and_the_api_docs_are_not_the_apps_page(built: TestClient) -> None:
    assert built.get("/metrics").headers["content-type"].startswith("text/plain")
    assert built.get("/api/docs").text != PAGE

"""Every tool through the MCP client, the gateway served in memory (python-sdk's in-memory
transport), against a real crm-api and resolver on a nats-server with a real database.

Without ingest: `search` here is its error path (crm-api answers 503), its hits are
tests/test_mcp_gateway.py's, which runs the whole stack.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from gateway_seed import PLANTED, Book, seed
from gateway_stack import Stack, running_stack
from mcp import Client
from mcp_types import CallToolResult

from crm_common.contracts.interactions import digest
from crm_common.testing import (
    backends,
    create_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
)
from mcp_gateway.app import build_gateway
from mcp_gateway.server import READ_TOOLS, build_server
from mcp_gateway.settings import Settings
from mcp_gateway.tools.writes import WRITE_TOOLS

pytestmark = pytest.mark.anyio

READS = {tool.__name__ for tool in READ_TOOLS}
WRITES = {tool.__name__ for tool in WRITE_TOOLS}


@pytest.fixture(scope="module", params=backends())
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """crm-api and the resolver (no ingest, no gateway process) on SQLite, or each on its own
    PostgreSQL database."""
    admin_url = postgres_admin_url() if request.param == "postgresql" else None
    urls: dict[str, str] = {}
    if admin_url is not None:
        urls = {m: create_postgres_database(admin_url) for m in ("crm_api", "crm_resolver")}
    data_dir = tmp_path_factory.mktemp("mcp-tools")
    try:
        with running_stack(
            data_dir, with_search=False, with_gateway=False, database_urls=urls
        ) as running:
            yield running
    finally:
        if admin_url is not None:
            for url in urls.values():
                drop_postgres_database(admin_url, url)


@pytest.fixture(scope="module")
def book(stack: Stack) -> Book:
    return seed(stack, indexed=False)


@asynccontextmanager
async def connected(
    stack: Stack, key: dict[str, Any], tmp_path: Path, **settings: Any
) -> AsyncIterator[Client]:
    """A client of a gateway served in memory as `key` (one MCP session, as over stdio)."""
    gateway = build_gateway(
        Settings(DATA_DIR=tmp_path, crm_api_url=stack.crm_url, api_key=key["key"], **settings),
        stdio=True,
    )
    try:
        async with Client(build_server(gateway), mode="legacy", read_timeout_seconds=30) as client:
            yield client
    finally:
        await gateway.crm.aclose()


@pytest.fixture
async def writer(stack: Stack, book: Book, tmp_path: Path) -> AsyncIterator[Client]:
    async with connected(stack, stack.create_key(["read", "write:logged"]), tmp_path) as client:
        yield client


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    assert not result.is_error, result.content
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


def text_of(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def log_of(stack: Stack, key: dict[str, Any]) -> list[tuple[str, str]]:
    page = stack.api("GET", "/api/interactions", params={"actor_id": key["id"], "limit": 500})
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    return [(e["action"], e["outcome"]) for e in items if e["action"].startswith("tool.")]


def evidence(kind: str, record_id: str) -> list[dict[str, str]]:
    return [{"type": kind, "id": record_id}]


# -- listing ------------------------------------------------------------------------------------


async def test_a_key_sees_the_tools_its_scopes_allow(
    stack: Stack, book: Book, tmp_path: Path
) -> None:
    async with connected(stack, stack.create_key(["read", "write:logged"]), tmp_path) as client:
        every = {t.name: t for t in (await client.list_tools()).tools}
    async with connected(stack, stack.create_key(["read"]), tmp_path) as client:
        reads = {t.name for t in (await client.list_tools()).tools}
    assert set(every) == READS | WRITES
    assert reads == READS
    assert all(t.output_schema is not None for t in every.values())


# -- reads --------------------------------------------------------------------------------------


async def test_lp_dossier_gathers_the_entitys_records(writer: Client, book: Book) -> None:
    dossier = await call(writer, "lp_dossier", entity_id=book.ada_entity_id)
    assert dossier["entity"]["display_name"] == "Ada Lovelace"
    assert [c["id"] for c in dossier["contacts"]] == [book.ada["id"]]
    assert [o["name"] for o in dossier["organizations"]] == ["Halvorsen Foundation"]
    assert dossier["lp_profile"]["accreditation_status"] == "accredited"
    assert [p["opportunity_id"] for p in dossier["positions"]] == [book.opportunity["id"]]
    assert [f["id"] for f in dossier["open_follow_ups"]] == [book.follow_up["id"]]
    assert {"type": "entity", "id": book.ada_entity_id} in dossier["evidence"]


async def test_find_by_email_names_the_entity_and_the_contact(writer: Client, book: Book) -> None:
    found = await call(writer, "find", email="ada@halvorsen.org")
    assert found["entities"][0]["entity_id"] == book.ada_entity_id
    assert {"type": "contact", "id": book.ada["id"], "label": "Ada Lovelace"} in found["records"]


async def test_timeline_pages_newest_first_and_quotes_bodies_as_untrusted(
    writer: Client, book: Book
) -> None:
    first = await call(writer, "timeline", contact_id=book.ada["id"], limit=1)
    second = await call(
        writer, "timeline", contact_id=book.ada["id"], limit=1, cursor=first["next_cursor"]
    )
    (planted,) = first["communications"]
    assert planted["id"] == book.planted_email["id"]
    assert planted["body"]["untrusted"] is True
    assert PLANTED in planted["body"]["text"]
    assert first["untrusted_content"] is True
    assert [m["id"] for m in second["communications"]] == [book.call["id"]]
    assert second["next_cursor"] is None


async def test_who_knows_names_the_people_and_firms_around_a_contact(
    writer: Client, book: Book
) -> None:
    known = await call(writer, "who_knows", contact_id=book.ada["id"])
    assert known["entity_id"] == book.ada_entity_id
    names = {c["display_name"] for c in known["connections"]}
    assert {"Halvorsen Foundation", "Grace Hopper"} <= names
    assert known["intro_paths"][0]["hops"][-1]["display_name"] == "Ada Lovelace"


async def test_intro_paths_rank_the_teams_ways_in_with_quoted_evidence_per_hop(
    stack: Stack, book: Book, tmp_path: Path
) -> None:
    key = stack.create_key(["read"])
    async with connected(stack, key, tmp_path) as client:
        found = await call(client, "intro_paths", contact_id=book.ada["id"])
        direct = await call(client, "intro_paths", entity_id=book.ada_entity_id, max_hops=1)
    assert found["entity_id"] == book.ada_entity_id
    chains = [
        [p["team_member"]["display_name"], *(h["to_node"]["display_name"] for h in p["hops"])]
        for p in found["paths"]
    ]
    # admin logged the meeting with Ada and Grace on Halvorsen: direct, and through each.
    assert chains[0] == ["admin", "Ada Lovelace"]
    assert ["admin", "Grace Hopper", "Ada Lovelace"] in chains
    assert ["admin", "Halvorsen Foundation", "Ada Lovelace"] in chains
    scores = [p["score"] for p in found["paths"]]
    assert scores == sorted(scores, reverse=True)
    assert [p["rank"] for p in found["paths"]] == list(range(1, len(chains) + 1))
    via_grace = found["paths"][chains.index(["admin", "Grace Hopper", "Ada Lovelace"])]
    assert via_grace["via"] == ["Grace Hopper"]
    met = via_grace["hops"][1]
    assert (met["from_node"]["display_name"], met["relations"]) == ("Grace Hopper", ["met"])
    (detail,) = [e["detail"] for e in met["evidence"] if e["record_id"] == book.call["id"]]
    assert detail["untrusted"] is True
    assert detail["text"] == "meeting: Fund IV capital call"
    assert found["untrusted_content"] is True
    assert {"type": "communication", "id": book.call["id"]} in found["evidence"]
    assert {"type": "entity", "id": book.ada_entity_id} in found["evidence"]
    assert [len(p["hops"]) for p in direct["paths"]] == [1]
    assert log_of(stack, key) == [("tool.intro_paths", "ok"), ("tool.intro_paths", "ok")]


async def test_follow_ups_due_lists_the_overdue_one(writer: Client, book: Book) -> None:
    due = await call(writer, "follow_ups_due")
    assert [(f["id"], f["is_overdue"]) for f in due["follow_ups"]] == [(book.follow_up["id"], True)]


async def test_pipeline_counts_the_fund_by_stage(writer: Client, book: Book) -> None:
    report = await call(writer, "pipeline", fund_id=book.fund["id"], stage="lead")
    lead = next(s for s in report["stages"] if s["stage"] == "lead")
    assert lead["opportunities"] == 1
    assert [p["opportunity_id"] for p in report["positions"]] == [book.opportunity["id"]]


async def test_search_without_the_search_service_is_an_error_the_model_reads(
    stack: Stack, book: Book, tmp_path: Path
) -> None:
    key = stack.create_key(["read"])
    async with connected(stack, key, tmp_path) as client:
        result = await client.call_tool("search", {"query": "side letter"})
    assert result.is_error
    assert "503" in text_of(result)
    assert log_of(stack, key) == [("tool.search", "error")]


async def test_recent_emails_reaches_mail_only_through_crm_api(
    stack: Stack, book: Book, tmp_path: Path
) -> None:
    """No gmail-sync in this stack: a placed record's mail is crm-api's 503, which the model
    reads as an error; a record the resolver never placed has no mail (the routes themselves
    are tested against a real gmail-sync in crm-api's tests/email)."""
    key = stack.create_key(["read"])
    async with connected(stack, key, tmp_path) as client:
        down = await client.call_tool("recent_emails", {"entity_id": book.ada_entity_id})
        unplaced = await call(client, "recent_emails", contact_id="no-such-contact")
        two = await client.call_tool(
            "recent_emails", {"contact_id": book.ada["id"], "entity_id": book.ada_entity_id}
        )
    assert down.is_error
    assert "503" in text_of(down)
    assert unplaced["emails"] == []
    assert unplaced["untrusted_content"] is False
    assert unplaced["evidence"] == [{"type": "contact", "id": "no-such-contact"}]
    assert two.is_error
    assert "exactly one" in text_of(two)


async def test_the_dossier_resource_and_the_prompts_are_served(writer: Client, book: Book) -> None:
    read = await writer.read_resource(f"crm://dossier/{book.ada_entity_id}")
    prepared = await writer.get_prompt("prepare_meeting", {"name": "Ada Lovelace"})
    assert "Ada Lovelace" in read.contents[0].text  # type: ignore[union-attr]
    assert "Ada Lovelace" in prepared.messages[0].content.text  # type: ignore[union-attr]


async def test_the_log_entry_carries_the_digest_of_the_arguments(
    stack: Stack, book: Book, tmp_path: Path
) -> None:
    key = stack.create_key(["read"])
    async with connected(stack, key, tmp_path) as client:
        await call(client, "pipeline", fund_id=book.fund["id"])
    page = stack.api("GET", "/api/interactions", params={"actor_id": key["id"]}).json()
    (entry,) = [e for e in page["items"] if e["action"] == "tool.pipeline"]
    arguments = {"fund_id": book.fund["id"], "stage": None, "limit": 25, "cursor": None}
    assert entry["payload_digest"] == digest(arguments)
    assert {"type": "fund", "id": book.fund["id"]} in entry["targets"]


# -- writes -------------------------------------------------------------------------------------


async def test_log_interaction_and_add_note_land_in_the_crm_and_the_log(
    stack: Stack, book: Book, tmp_path: Path
) -> None:
    key = stack.create_key(["read", "write:logged"])
    history = f"/api/organizations/{book.org['id']}/communications"
    before = stack.api("GET", history).json()["total"]
    async with connected(stack, key, tmp_path) as client:
        logged = await call(
            client,
            "log_interaction",
            type="call",
            subject="Checked in on the side letter",
            body="They will send comments by Friday.",
            organization_id=book.org["id"],
            evidence=evidence("organization", book.org["id"]),
        )
        noted = await call(
            client,
            "add_note",
            body="Board meets in January.",
            organization_id=book.org["id"],
            evidence=evidence("organization", book.org["id"]),
        )
    assert (logged["outcome"], noted["outcome"]) == ("applied", "applied")
    assert stack.api("GET", history).json()["total"] == before + 2
    assert log_of(stack, key) == [("tool.add_note", "ok"), ("tool.log_interaction", "ok")]


async def test_a_follow_up_created_then_completed_is_done(
    stack: Stack, book: Book, writer: Client
) -> None:
    created = await call(
        writer,
        "create_follow_up",
        title="Send the Fund IV deck",
        due_date=(datetime.now(UTC).date() + timedelta(days=2)).isoformat(),
        organization_id=book.org["id"],
        evidence=evidence("organization", book.org["id"]),
    )
    (follow_up,) = [r for r in created["records"] if r["type"] == "follow_up"]
    done = await call(
        writer,
        "complete_follow_up",
        follow_up_id=follow_up["id"],
        evidence=evidence("follow_up", follow_up["id"]),
    )
    assert done["outcome"] == "applied"
    assert stack.api("GET", f"/api/follow-ups/{follow_up['id']}").json()["status"] == "done"


async def test_an_agents_stage_move_is_a_proposal(stack: Stack, book: Book, writer: Client) -> None:
    moved = await call(
        writer,
        "move_stage",
        opportunity_id=book.opportunity["id"],
        stage="committed",
        evidence=evidence("opportunity", book.opportunity["id"]),
        dry_run=True,
    )
    assert (moved["outcome"], moved["would_propose"]) == ("dry_run", True)
    assert stack.api("GET", f"/api/opportunities/{book.opportunity['id']}").json()["stage"] == (
        "lead"
    )


# -- errors -------------------------------------------------------------------------------------


async def test_a_read_only_keys_write_is_refused_and_logged_as_denied(
    stack: Stack, book: Book, tmp_path: Path
) -> None:
    key = stack.create_key(["read"])
    async with connected(stack, key, tmp_path) as client:
        refused = await client.call_tool(
            "add_note",
            {
                "body": "should not land",
                "contact_id": book.ada["id"],
                "evidence": evidence("contact", book.ada["id"]),
            },
        )
    assert refused.is_error
    assert "write:logged" in text_of(refused)
    assert log_of(stack, key) == [("tool.add_note", "denied")]


async def test_a_missing_record_a_forged_cursor_and_two_targets_are_errors(
    writer: Client, book: Book
) -> None:
    missing = await writer.call_tool("lp_dossier", {"contact_id": "no-such-contact"})
    forged = await writer.call_tool("timeline", {"contact_id": book.ada["id"], "cursor": "x"})
    two = await writer.call_tool(
        "who_knows", {"contact_id": book.ada["id"], "organization_id": book.org["id"]}
    )
    assert missing.is_error
    assert "No such record" in text_of(missing)
    assert forged.is_error
    assert "cursor" in text_of(forged)
    assert two.is_error
    assert "exactly one" in text_of(two)

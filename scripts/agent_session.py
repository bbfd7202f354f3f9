"""A real agent session against a running system, printed as a Markdown transcript.

    MCP_GATEWAY_API_KEY=lpcrm_... .venv/bin/python scripts/agent_session.py \
        [--mcp http://127.0.0.1:8081/mcp] [--crm-api http://127.0.0.1:8080]

It connects with the real mcp client over streamable HTTP (the key as `X-API-Key`) and asks what a
partner's agent asks: the pipeline, the follow-ups due, then, for the investor with the soonest
follow-up, the LP dossier, who knows them, their timeline, a search inside their record, and a
note as a dry run (so it changes nothing). At the end it reads the key's own interaction-log
entries from crm-api. docs/agents.md holds one such transcript, against `make up` + `make demo`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2 as httpx
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

# What the transcript shows of a long answer: its first lines.
SHOWN_LINES = 45


@asynccontextmanager
async def transport(url: str, key: str) -> AsyncIterator[Any]:
    async with (
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=120) as http,
        streamable_http_client(url, http_client=http) as streams,
    ):
        yield streams


def excerpt(text: str) -> str:
    lines = text.splitlines()
    shown = "\n".join(lines[:SHOWN_LINES])
    if len(lines) > SHOWN_LINES:
        shown += f"\n… ({len(lines) - SHOWN_LINES} more lines)"
    return shown


class Session:
    def __init__(self, client: Client) -> None:
        self.client = client

    async def ask(self, tool: str, **arguments: Any) -> dict[str, Any]:
        print(f"### `{tool}`\n")
        print(f"```json\n{json.dumps(arguments, indent=2, default=str)}\n```\n")
        result = await self.client.call_tool(tool, arguments)
        assert isinstance(result, CallToolResult)
        text = "\n".join(getattr(block, "text", "") for block in result.content)
        if result.is_error or result.structured_content is None:
            print(f"error:\n\n```text\n{excerpt(text)}\n```\n")
            raise SystemExit(f"{tool} failed: {text}")
        answer: dict[str, Any] = result.structured_content
        # The records an answer rests on are listed once, as a count; the rest as it came.
        shown = {k: v for k, v in answer.items() if k != "evidence"}
        cited = len(answer.get("evidence", []))
        print(f"answer (structured content; {cited} evidence records):\n")
        print(f"```json\n{excerpt(json.dumps(shown, indent=1, ensure_ascii=False))}\n```\n")
        return answer


def evidence(answer: dict[str, Any], most: int = 5) -> list[dict[str, str]]:
    return [{"type": r["type"], "id": r["id"]} for r in answer.get("evidence", [])[:most]]


async def newest_seq(http: httpx.AsyncClient, key_id: str) -> int:
    page = await http.get("/api/interactions", params={"actor_id": key_id, "limit": 1})
    items = page.raise_for_status().json()["items"]
    return int(items[0]["seq"]) if items else 0


async def run(mcp_url: str, crm_url: str, key: str) -> None:
    async with httpx.AsyncClient(base_url=crm_url, headers={"X-API-Key": key}) as http:
        me = (await http.get("/api/auth/key")).raise_for_status().json()
        started_after = await newest_seq(http, me["id"])
    async with Client(transport(mcp_url, key), read_timeout_seconds=120) as client:
        tools = (await client.list_tools()).tools
        print("## tools/list\n")
        for tool in tools:
            print(f"- `{tool.name}`: {(tool.description or '').splitlines()[0]}")
        print()
        session = Session(client)
        await session.ask("pipeline")
        due = await session.ask("follow_ups_due", limit=5)
        investor = next(
            (f for f in due["follow_ups"] if f.get("contact_id") or f.get("organization_id")),
            None,
        )
        if investor is None:
            raise SystemExit("no follow-up names a contact or an organization")
        target = (
            {"contact_id": investor["contact_id"]}
            if investor.get("contact_id")
            else {"organization_id": investor["organization_id"]}
        )
        dossier = await session.ask("lp_dossier", **target)
        await session.ask("who_knows", **target, limit=5)
        await session.ask("timeline", **target, limit=5)
        await session.ask("search", query="capital call wire instructions", **target, limit=3)
        await session.ask(
            "add_note",
            **target,
            subject="Prep for next call",
            body="Agent draft: confirm the follow-up and the fund's close timing.",
            evidence=evidence(dossier),
            reason="weekly follow-up review",
            dry_run=True,
        )
    async with httpx.AsyncClient(base_url=crm_url, headers={"X-API-Key": key}) as http:
        page = await http.get("/api/interactions", params={"actor_id": me["id"], "limit": 100})
        entries = [e for e in page.raise_for_status().json()["items"] if e["seq"] > started_after]
        print("## This session in the interaction log (crm-api, newest first)\n")
        print("| seq | action | outcome | targets | ms |\n|---|---|---|---|---|")
        for entry in entries:
            targets = ", ".join(f"{t['type']}:…{t['id'][-6:]}" for t in entry["targets"][:3])
            more = len(entry["targets"]) - 3
            print(
                f"| {entry['seq']} | `{entry['action']}` | {entry['outcome']} | "
                f"{targets}{f' +{more}' if more > 0 else ''} | {entry['duration_ms']} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mcp", default="http://127.0.0.1:8081/mcp")
    parser.add_argument("--crm-api", default="http://127.0.0.1:8080")
    args = parser.parse_args()
    key = os.environ.get("MCP_GATEWAY_API_KEY")
    if not key:
        sys.exit("set MCP_GATEWAY_API_KEY to an API key (scopes read, write:logged)")
    asyncio.run(run(args.mcp, args.crm_api, key))


if __name__ == "__main__":
    main()

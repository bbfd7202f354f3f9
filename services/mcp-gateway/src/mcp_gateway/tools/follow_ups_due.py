"""The `follow_ups_due` tool: open follow-ups due by a day, overdue ones included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import Field

from mcp_gateway.calls import Call, agent_tool
from mcp_gateway.identity import READ
from mcp_gateway.schemas import FollowUpItem, FollowUpsDue, Ref
from mcp_gateway.tools import cards
from mcp_gateway.tools.reading import Cursor, Id, Limit, capped, fit


@agent_tool(scope=READ)
async def follow_ups_due(
    call: Call,
    owner_id: Annotated[Id | None, Field(description="a user's id; all owners when absent")] = None,
    due_by: Annotated[
        date | None, Field(description="due on or before this day (default: today)")
    ] = None,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> FollowUpsDue:
    """Open follow-ups due by a day (today by default), overdue ones included, soonest due
    first, for one owner or everyone."""
    as_of = datetime.now(UTC).date()
    page = await call.get(
        "/api/follow-ups",
        status="open",
        owner_id=owner_id,
        due_before=(due_by or as_of).isoformat(),
        sort="due_date",
        limit=capped(call, limit),
        cursor=cursor,
    )
    items: list[FollowUpItem] = [cards.follow_up(f, call.quoter) for f in page["items"]]
    answer = FollowUpsDue(
        as_of=as_of,
        owner_id=owner_id,
        follow_ups=items,
        total=page.get("total", len(items)),
        next_cursor=page.get("next_cursor"),
        untrusted_content=bool(items),
    )
    fit(call, answer, answer.follow_ups)
    answer.evidence = [Ref(type="follow_up", id=f.id) for f in answer.follow_ups]
    return answer

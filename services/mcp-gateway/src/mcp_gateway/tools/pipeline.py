"""The `pipeline` tool: the fundraising pipeline by stage, with the positions in one stage."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mcp_gateway.calls import Call, agent_tool
from mcp_gateway.identity import READ
from mcp_gateway.schemas import Money, Pipeline, Position, Ref, StageSummary
from mcp_gateway.tools import cards
from mcp_gateway.tools.reading import Cursor, Id, Limit, capped, fit


def _money(row: dict[str, Any]) -> Money:
    return Money(
        currency=row["currency"],
        expected=str(row.get("expected")) if row.get("expected") is not None else None,
        committed=str(row.get("committed")) if row.get("committed") is not None else None,
        funded=str(row.get("funded")) if row.get("funded") is not None else None,
    )


@agent_tool(scope=READ)
async def pipeline(
    call: Call,
    fund_id: Annotated[Id | None, Field(description="one fund; all funds when absent")] = None,
    stage: Annotated[
        str | None, Field(max_length=64, description="also list the opportunities in this stage")
    ] = None,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> Pipeline:
    """The fundraising pipeline by stage for one fund or all: how many opportunities and their
    expected, committed and funded sums per currency; with `stage`, the positions in it."""
    report = await call.get("/api/reports/pipeline", fund_id=fund_id)
    positions: list[Position] = []
    next_cursor = None
    if stage:
        page = await call.get(
            "/api/opportunities",
            fund_id=fund_id,
            stage=stage,
            limit=capped(call, limit),
            cursor=cursor,
        )
        positions = [cards.position(o, call.quoter) for o in page["items"]]
        next_cursor = page.get("next_cursor")
    answer = Pipeline(
        fund_id=fund_id,
        stages=[
            StageSummary(
                stage=s["stage"],
                label=s["label"],
                is_closed=s["is_closed"],
                opportunities=s["opportunities"],
                amounts=[_money(a) for a in s.get("amounts", [])],
            )
            for s in report["stages"]
        ],
        totals=[_money(a) for a in report.get("totals", [])],
        positions=positions,
        next_cursor=next_cursor,
        untrusted_content=any(p.next_step for p in positions),
    )
    fit(call, answer, answer.positions)
    answer.evidence = [Ref(type="fund", id=fund_id)] if fund_id else []
    answer.evidence += [Ref(type="opportunity", id=p.opportunity_id) for p in answer.positions]
    return answer

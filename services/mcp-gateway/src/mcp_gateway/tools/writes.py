"""The logged write tools. Each is one `POST /api/agent/actions` as the calling key: crm-api
applies it, or turns it into a proposal a person approves (every stage move, and any write in a
session that was shown untrusted text unless the key allows it), or with `dry_run` only says
what it would change. An idempotency key makes a retried call land once; the evidence names
the records the agent read before deciding."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_gateway.calls import Call, agent_tool
from mcp_gateway.identity import WRITE_LOGGED
from mcp_gateway.schemas import Change, Ref, WriteResult

Id = Annotated[str, Field(min_length=1, max_length=64)]
Evidence = Annotated[
    list[Ref],
    Field(
        min_length=1,
        max_length=50,
        description="the records you read that this write rests on (ids from the read tools)",
    ),
]
Reason = Annotated[str, Field(max_length=2000, description="why, in a sentence")]
IdempotencyKey = Annotated[
    str | None,
    Field(
        min_length=8,
        max_length=200,
        description="the same key for a retry of the same write; derived from the session and "
        "the arguments when absent",
    ),
]
DryRun = Annotated[bool, Field(description="only show what would change")]


async def _act(
    call: Call,
    action: str,
    params: dict[str, Any],
    *,
    evidence: list[Ref],
    reason: str,
    idempotency_key: str | None,
    dry_run: bool,
) -> WriteResult:
    key = call.idempotency_key(idempotency_key)
    reply = await call.gateway.crm.request(
        "POST",
        "/api/agent/actions",
        key=call.caller.key,
        session_id=call.caller.session_id,
        headers={"Idempotency-Key": key},
        body={
            "action": action,
            "params": {k: v for k, v in params.items() if v is not None},
            "evidence": [e.model_dump() for e in evidence],
            "reason": reason,
            "dry_run": dry_run,
        },
    )
    body = reply.body
    return WriteResult(
        outcome=body["outcome"],
        action=body.get("action", action),
        idempotency_key=key,
        records=[Ref.model_validate(r) for r in body.get("records", [])],
        changes=[Change.model_validate(c) for c in body.get("changes", [])],
        proposal=body.get("proposal"),
        interaction_seq=body.get("interaction_seq"),
        untrusted_session=bool(body.get("untrusted", False)),
        would_propose=bool(body.get("would_propose", False)),
    )


@agent_tool(scope=WRITE_LOGGED)
async def log_interaction(
    call: Call,
    type: Annotated[Literal["note", "call", "meeting"], Field(description="what happened")],
    subject: Annotated[str, Field(min_length=1, max_length=300)],
    body: Annotated[str, Field(max_length=20_000)],
    evidence: Evidence,
    contact_ids: Annotated[
        list[Id] | None, Field(max_length=50, description="the contacts it was with")
    ] = None,
    organization_id: Annotated[Id | None, Field(description="the organization it was with")] = None,
    opportunity_id: Annotated[Id | None, Field(description="the position it was about")] = None,
    occurred_at: Annotated[datetime | None, Field(description="when (default: now)")] = None,
    outcome: Annotated[str | None, Field(max_length=300)] = None,
    next_action: Annotated[str | None, Field(max_length=300)] = None,
    next_action_due: date | None = None,
    reason: Reason = "",
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> WriteResult:
    """Log a note, call or meeting on contacts, an organization or an opportunity. Logged in
    the interaction log; may become a proposal a person approves."""
    return await _act(
        call,
        "log_interaction",
        {
            "type": type,
            "subject": subject,
            "body": body,
            "contact_ids": contact_ids or [],
            "organization_id": organization_id,
            "opportunity_id": opportunity_id,
            "occurred_at": occurred_at.isoformat() if occurred_at else None,
            "outcome": outcome,
            "next_action": next_action,
            "next_action_due": next_action_due.isoformat() if next_action_due else None,
        },
        evidence=evidence,
        reason=reason,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )


@agent_tool(scope=WRITE_LOGGED)
async def add_note(
    call: Call,
    body: Annotated[str, Field(min_length=1, max_length=20_000)],
    evidence: Evidence,
    subject: Annotated[str | None, Field(max_length=300)] = None,
    contact_id: Annotated[Id | None, Field(description="give one of the three")] = None,
    organization_id: Id | None = None,
    opportunity_id: Id | None = None,
    reason: Reason = "",
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> WriteResult:
    """Add a note to one contact, organization or opportunity. Logged; may become a proposal."""
    return await _act(
        call,
        "add_note",
        {
            "body": body,
            "subject": subject,
            "contact_id": contact_id,
            "organization_id": organization_id,
            "opportunity_id": opportunity_id,
        },
        evidence=evidence,
        reason=reason,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )


@agent_tool(scope=WRITE_LOGGED)
async def create_follow_up(
    call: Call,
    title: Annotated[str, Field(min_length=1, max_length=300)],
    due_date: date,
    evidence: Evidence,
    owner_id: Annotated[
        Id | None, Field(description="a user's id (default: the key's owner)")
    ] = None,
    contact_id: Id | None = None,
    organization_id: Id | None = None,
    opportunity_id: Id | None = None,
    reason: Reason = "",
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> WriteResult:
    """Create a follow-up due on a day, on a contact, organization or opportunity. Logged; may
    become a proposal."""
    return await _act(
        call,
        "create_follow_up",
        {
            "title": title,
            "due_date": due_date.isoformat(),
            "owner_id": owner_id,
            "contact_id": contact_id,
            "organization_id": organization_id,
            "opportunity_id": opportunity_id,
        },
        evidence=evidence,
        reason=reason,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )


@agent_tool(scope=WRITE_LOGGED)
async def complete_follow_up(
    call: Call,
    follow_up_id: Id,
    evidence: Evidence,
    version: Annotated[
        int | None, Field(ge=1, description="the version you read (refused if it changed)")
    ] = None,
    reason: Reason = "",
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> WriteResult:
    """Mark an open follow-up done. Logged; may become a proposal."""
    return await _act(
        call,
        "complete_follow_up",
        {"follow_up_id": follow_up_id, "version": version},
        evidence=evidence,
        reason=reason,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )


@agent_tool(scope=WRITE_LOGGED)
async def move_stage(
    call: Call,
    opportunity_id: Id,
    stage: Annotated[str, Field(min_length=1, max_length=64, description="the pipeline stage")],
    evidence: Evidence,
    version: Annotated[int | None, Field(ge=1, description="the version you read")] = None,
    lost_reason: Annotated[str | None, Field(max_length=300)] = None,
    reason: Reason = "",
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> WriteResult:
    """Propose moving an opportunity to another pipeline stage. An agent's stage move is always
    a proposal that a person approves in the CRM."""
    return await _act(
        call,
        "move_stage",
        {
            "opportunity_id": opportunity_id,
            "stage": stage,
            "version": version,
            "lost_reason": lost_reason,
        },
        evidence=evidence,
        reason=reason,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )


WRITE_TOOLS = [log_interaction, add_note, create_follow_up, complete_follow_up, move_stage]

"""Proposal rules.

- A proposal holds an agent action that policy kept from applying (crm_api.agents.service):
  stage and money changes by an agent, and any write from a tainted session. It is created
  `pending`, audited and published as `crm.proposal.created`.
- Only a signed-in person decides (403 for any API key, even admin-scoped); a decided proposal
  is not decided again (409). If-Match on the proposal's version is optional.
- Approving applies the held action through the same code as a direct action
  (crm_api.agents.actions), as the approving user; the result's records are stored on the
  proposal, and `crm.proposal.approved` goes out with the changes' own events. When the action no
  longer applies (its If-Match version is stale, its target was deleted, a link went away) the
  approval is refused with 409 and the proposal stays pending, to be rejected or re-proposed.
- Rejecting changes nothing but the proposal (`crm.proposal.rejected`).
- Every decision is in the audit log and the interaction log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_api.agents import actions, repository
from crm_api.agents.errors import NotADecider, ProposalDecided, ProposalStale
from crm_api.agents.models import Proposal
from crm_api.agents.schemas import (
    ActionEvidence,
    ActionParams,
    LogInteractionParams,
    ProposalFilter,
    ProposalPage,
    ProposalRead,
    ProposalResult,
    ProposalStatus,
    RecordChange,
    parse_params,
)
from crm_api.audit import service as audit
from crm_api.auth.principal import Principal
from crm_api.database import utcnow
from crm_api.interactions import service as interactions
from crm_api.kit import aggregate
from crm_api.kit.errors import InvalidValue, RecordNotFound
from crm_common.outbox import record_change

SOURCE = "/crm-api"


def to_read(row: Proposal) -> ProposalRead:
    return ProposalRead.model_validate(
        {
            "id": row.id,
            "version": row.version,
            "action": row.action,
            "params": row.params,
            "target_type": row.target_type,
            "target_id": row.target_id,
            "evidence": row.evidence,
            "reason": row.reason,
            "status": row.status,
            "untrusted": row.untrusted,
            "why": row.why,
            "proposed_by_kind": row.proposed_by_kind,
            "proposed_by_id": row.proposed_by_id,
            "proposed_by_name": row.proposed_by_name,
            "api_key_id": row.api_key_id,
            "session_id": row.session_id,
            "decided_by": row.decided_by,
            "decided_at": row.decided_at,
            "decision_note": row.decision_note,
            "result": row.result,
            "preview": row.preview,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


def state(row: Proposal) -> dict[str, Any]:
    return to_read(row).model_dump(mode="json")


KIND = aggregate.Kind(
    name="proposal", path="/api/proposals", state=state, title=lambda r: f"{r.action} ({r.why})"
)


def get(session: Session, *, proposal_id: str) -> Proposal:
    return aggregate.require_live(repository.get(session, proposal_id))


def read(session: Session, *, proposal_id: str) -> ProposalRead:
    return to_read(get(session, proposal_id=proposal_id))


def search(session: Session, *, filters: ProposalFilter) -> ProposalPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return ProposalPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(
    session: Session,
    *,
    action: str,
    params: ActionParams,
    evidence: list[ActionEvidence],
    preview: list[RecordChange],
    reason: str | None,
    why: str,
    untrusted: bool,
    by: Principal,
    mcp_session: str | None,
) -> ProposalRead:
    """Hold an action for a person's decision (already checked by a rolled-back run)."""
    stored = params.model_dump(mode="json", exclude_unset=True)
    if isinstance(params, LogInteractionParams) and params.occurred_at is None:
        # Approved later, the interaction still happened when the agent logged it.
        stored["occurred_at"] = utcnow().isoformat()
    target = actions.target_of(params)
    row = Proposal(
        action=action,
        params=stored,
        target_type=target[0] if target else None,
        target_id=target[1] if target else None,
        evidence=[e.model_dump() for e in evidence],
        preview=[c.model_dump(mode="json") for c in preview],
        reason=reason,
        status=ProposalStatus.PENDING.value,
        untrusted=untrusted,
        why=why,
        proposed_by_kind=by.kind,
        proposed_by_id=by.id,
        proposed_by_name=by.name,
        api_key_id=by.api_key_id,
        session_id=mcp_session,
    )
    aggregate.stamp_new(row, by)
    entities = ([target] if target else []) + [(e.type, e.id) for e in evidence]
    repository.add(session, row, entities)
    aggregate.created(session, kind=KIND, obj=row, actor=by, targets=entities)
    return to_read(row)


def _require_decider(by: Principal) -> None:
    if by.kind != "user":
        raise NotADecider("proposals are decided by a signed-in person, never by an API key")


def _pending(session: Session, *, proposal_id: str, expected_version: int | None) -> Proposal:
    row = aggregate.require_live(repository.get_for_decision(session, proposal_id))
    if expected_version is not None:
        aggregate.expect_version(KIND, row, expected_version)
    if row.status != ProposalStatus.PENDING.value:
        raise ProposalDecided(f"the proposal is {row.status}", proposal_status=row.status)
    return row


def _decided(
    session: Session,
    *,
    row: Proposal,
    verb: str,
    before: dict[str, Any],
    by: Principal,
    targets: list[tuple[str, str]],
) -> dict[str, Any]:
    row.version += 1
    row.updated_at = utcnow()
    row.updated_by = by.id
    session.flush()
    after = state(row)
    audit.record(
        session,
        actor=by.actor,
        entity_type=KIND.name,
        entity_id=row.id,
        action=verb,
        before=before,
        after=after,
    )
    evidence = [(e["type"], e["id"]) for e in row.evidence]
    interactions.touch(
        session,
        actor=by.actor,
        action=f"proposal.{verb}",
        channel=f"POST /api/proposals/{{id}}/{verb}",
        targets=list(dict.fromkeys([("proposal", row.id), *targets, *evidence])),
        summary=(
            f"{verb} {row.action} proposed by {row.proposed_by_kind} "
            f"{row.proposed_by_name or row.proposed_by_id} ({row.why})"
            + (f"; note: {row.decision_note}" if row.decision_note else "")
        ),
        payload={"proposal_id": row.id, "note": row.decision_note},
        flags=("proposal", *(("untrusted",) if row.untrusted else ())),
    )
    record_change(
        session,
        source=SOURCE,
        event_type=f"crm.proposal.{'approved' if verb == 'approve' else 'rejected'}",
        aggregate_id=row.id,
        version=row.version,
        data=after,
        actor=by.actor,
    )
    return after


def approve(
    session: Session,
    *,
    proposal_id: str,
    note: str | None,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    """Apply the held action as `by` and mark the proposal approved.

    Raises:
        NotADecider: `by` is not a signed-in user.
        ProposalDecided: it is not pending.
        VersionConflict: If-Match, or the action's own version, is stale (stays pending).
        ProposalStale: its target or a link no longer exists (stays pending).
    """
    _require_decider(by)
    row = _pending(session, proposal_id=proposal_id, expected_version=expected_version)
    before = state(row)
    params = parse_params(row.action, row.params)
    with interactions.gathered(session) as batch:
        try:
            applied = actions.apply(session, params=params, by=by)
        except (RecordNotFound, InvalidValue) as exc:
            raise ProposalStale(
                f"{exc.detail or exc.title}: the proposal stays pending; reject it or propose again"
            ) from exc
    row.status = ProposalStatus.APPROVED.value
    row.decided_by = by.id
    row.decided_at = utcnow()
    row.decision_note = note
    row.result = ProposalResult(records=applied.records, changes=applied.changes).model_dump(
        mode="json"
    )
    return _decided(
        session, row=row, verb="approve", before=before, by=by, targets=list(batch.targets)
    )


def reject(
    session: Session,
    *,
    proposal_id: str,
    note: str | None,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    """Mark the proposal rejected; nothing else changes.

    Raises:
        NotADecider, ProposalDecided, VersionConflict: as for approve.
    """
    _require_decider(by)
    row = _pending(session, proposal_id=proposal_id, expected_version=expected_version)
    before = state(row)
    row.status = ProposalStatus.REJECTED.value
    row.decided_by = by.id
    row.decided_at = utcnow()
    row.decision_note = note
    target = [(row.target_type, row.target_id)] if row.target_type and row.target_id else []
    return _decided(session, row=row, verb="reject", before=before, by=by, targets=target)

"""Agent actions: the policy that applies or holds them, dry runs, and their log rows.

Policy, for an API key (users' actions always apply):
- `move_stage` and `set_amounts` become proposals (why `stage_or_money`);
- in a tainted session (crm_api.security.taint) every action becomes a proposal (why
  `untrusted_session`), unless the key has `allow_untrusted_writes`: then it applies, flagged
  `untrusted`.

Every action runs the same code (crm_api.agents.actions) in a savepoint: kept when it applies,
rolled back for a proposal (the run checked it and showed its changes) and for a dry run. Then
one interaction-log row, `agent.<action>`, names what it touched and the evidence; the domain
services' own touches are gathered into it rather than written apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm_api.agents import actions, proposals, repository
from crm_api.agents.errors import BadEvidence, IdempotencyKeyRequired
from crm_api.agents.results import STATUS, AgentActionResult
from crm_api.agents.schemas import (
    HELD_FOR_AGENTS,
    ActionEvidence,
    AgentActionBody,
    AgentSessionRead,
    ProposalRead,
)
from crm_api.auth import keys
from crm_api.auth.principal import Principal
from crm_api.communications.models import Communication
from crm_api.contacts.models import Contact
from crm_api.followups.models import FollowUp
from crm_api.funds.models import Fund
from crm_api.interactions import service as interactions
from crm_api.lp_profiles.models import LpProfile
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization
from crm_api.security import taint
from crm_common.errors import CRMError

SCOPE = "POST /api/agent/actions"
# "entity" (a resolver canonical id) and "chunk" (a search chunk) are checked by format only:
# they live in other services.
_EVIDENCE_MODELS: dict[str, type[Any]] = {
    "contact": Contact,
    "organization": Organization,
    "opportunity": Opportunity,
    "communication": Communication,
    "follow_up": FollowUp,
    "lp_profile": LpProfile,
    "fund": Fund,
}


@dataclass(frozen=True)
class Policy:
    is_held: bool
    why: str | None
    is_untrusted: bool


def canonical(request: AgentActionBody) -> dict[str, Any]:
    """The body as sent, for the idempotency check and the payload digest."""
    body: dict[str, Any] = request.model_dump(mode="json", exclude_unset=True)
    return body


def status_of(result: dict[str, Any]) -> int:
    return STATUS[result["outcome"]]


def channel(mcp_session: str | None) -> str:
    return "mcp" if mcp_session else "http"


def require_idempotency_key(*, by: Principal, key: str | None) -> None:
    """Raises IdempotencyKeyRequired for an API key's action without one."""
    if by.api_key_id is not None and key is None:
        raise IdempotencyKeyRequired(
            "an API key's action needs an Idempotency-Key header, so a retry is safe"
        )


def _require_evidence(session: Session, *, evidence: list[ActionEvidence], by: Principal) -> None:
    if by.api_key_id is not None and not evidence:
        raise BadEvidence(
            "an agent's action cites 1 to 50 records it rests on in `evidence`", field="evidence"
        )
    unknown: list[dict[str, str]] = []
    for kind, model in _EVIDENCE_MODELS.items():
        wanted = {e.id for e in evidence if e.type == kind}
        if wanted:
            live = repository.live_ids(session, model, wanted)
            unknown += [{"type": kind, "id": i} for i in sorted(wanted - live)]
    if unknown:
        named = ", ".join(f"{u['type']} {u['id']}" for u in unknown)
        raise BadEvidence(f"evidence: no live {named}", field="evidence", unknown=unknown)


def _is_tainted(session: Session, *, by: Principal, mcp_session: str | None) -> bool:
    if by.api_key_id is None:
        return False
    return taint.find(session, api_key_id=by.api_key_id, mcp_session=mcp_session) is not None


def policy(session: Session, *, action: str, by: Principal, mcp_session: str | None) -> Policy:
    if by.kind != "agent" or by.api_key_id is None:
        return Policy(is_held=False, why=None, is_untrusted=False)
    tainted = _is_tainted(session, by=by, mcp_session=mcp_session)
    if action in HELD_FOR_AGENTS:
        return Policy(is_held=True, why="stage_or_money", is_untrusted=tainted)
    if tainted and not keys.get_api_key(session, key_id=by.api_key_id).allow_untrusted_writes:
        return Policy(is_held=True, why="untrusted_session", is_untrusted=True)
    return Policy(is_held=False, why=None, is_untrusted=tainted)


def _summary(
    request: AgentActionBody, outcome: str, mcp_session: str | None, detail: str = ""
) -> str:
    parts = [f"agent {request.action}: {outcome}"]
    if detail:
        parts.append(detail)
    if request.evidence:
        parts.append("evidence: " + ", ".join(f"{e.type} {e.id}" for e in request.evidence))
    if mcp_session:
        parts.append(f"mcp session {mcp_session}")
    if request.reason:
        parts.append(f"reason: {request.reason}")
    return "; ".join(parts)[:2000]


def perform(
    session: Session, *, request: AgentActionBody, by: Principal, mcp_session: str | None
) -> dict[str, Any]:
    """Apply, hold or dry-run one action; returns the AgentActionResult as JSON.

    Raises:
        BadEvidence: evidence missing (API keys) or naming no live record.
        InvalidValue, RecordNotFound, VersionConflict: the action itself is refused.
    """
    _require_evidence(session, evidence=request.evidence, by=by)
    rule = policy(session, action=request.action, by=by, mcp_session=mcp_session)
    proposal: ProposalRead | None = None
    with interactions.gathered(session) as batch:
        savepoint = session.begin_nested()
        try:
            applied = actions.apply(session, params=request.params, by=by)
        except CRMError:
            savepoint.rollback()
            raise
        if request.dry_run or rule.is_held:
            savepoint.rollback()
        else:
            savepoint.commit()
        if rule.is_held and not request.dry_run:
            assert rule.why is not None
            proposal = proposals.create(
                session,
                action=request.action,
                params=request.params,
                evidence=request.evidence,
                preview=applied.changes,
                reason=request.reason,
                why=rule.why,
                untrusted=rule.is_untrusted,
                by=by,
                mcp_session=mcp_session,
            )
    outcome = "dry_run" if request.dry_run else "proposed" if proposal else "applied"
    flags = [
        *(["dry_run"] if request.dry_run else []),
        *(["proposal"] if proposal else []),
        *(["untrusted"] if rule.is_untrusted else []),
    ]
    targets = [
        *((r.type, r.id) for r in applied.records),
        *batch.targets,
        *((("proposal", proposal.id),) if proposal else ()),
        *((e.type, e.id) for e in request.evidence),
    ]
    entry = interactions.touch(
        session,
        actor=by.actor,
        action=f"agent.{request.action}",
        channel=channel(mcp_session),
        targets=list(dict.fromkeys(targets)),
        summary=_summary(request, outcome, mcp_session),
        payload=canonical(request),
        outcome={"applied": "ok"}.get(outcome, outcome),
        flags=tuple(flags),
        session_id=mcp_session,
    )
    return AgentActionResult(
        outcome=outcome,
        action=request.action,
        records=applied.records,
        changes=applied.changes,
        proposal=proposal,
        interaction_seq=entry.seq,
        untrusted=rule.is_untrusted,
        would_propose=bool(request.dry_run and rule.is_held),
    ).model_dump(mode="json")


def record_refusal(
    session: Session,
    *,
    request: AgentActionBody,
    by: Principal,
    mcp_session: str | None,
    error: CRMError,
) -> None:
    """The interaction-log row of an action crm-api refused (in its own transaction)."""
    interactions.touch(
        session,
        actor=by.actor,
        action=f"agent.{request.action}",
        channel=channel(mcp_session),
        targets=list(dict.fromkeys((e.type, e.id) for e in request.evidence)),
        summary=_summary(request, "refused", mcp_session, f"{error.status} {error}"),
        payload=canonical(request),
        outcome="denied" if error.status in (401, 403) else "error",
        flags=("dry_run",) if request.dry_run else (),
        session_id=mcp_session,
    )


def session_state(session: Session, *, by: Principal, mcp_session: str | None) -> AgentSessionRead:
    """Whether the caller's (key, MCP session) is tainted; a signed-in user never is."""
    if by.api_key_id is None:
        return AgentSessionRead(
            tainted=False, since=None, source=None, allow_untrusted_writes=False
        )
    found = taint.find(session, api_key_id=by.api_key_id, mcp_session=mcp_session)
    key = keys.get_api_key(session, key_id=by.api_key_id)
    return AgentSessionRead(
        tainted=found is not None,
        since=found.tainted_at if found else None,
        source=found.source if found else None,
        allow_untrusted_writes=key.allow_untrusted_writes,
    )

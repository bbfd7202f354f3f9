"""Carrying out an agent action through the domain services, the same way for a direct action, a
dry run (rolled back by the caller) and an approved proposal.

Each action is one call of the service the matching route calls, so it meets the same rules
(managed types, live links, stages, exact money, If-Match) and writes the same audit rows and
events. A version given in the params is the If-Match; without one, the current version is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crm_api.agents.schemas import (
    ActionParams,
    AddNoteParams,
    CompleteFollowUpParams,
    CreateFollowUpParams,
    LogInteractionParams,
    MoveStageParams,
    RecordChange,
    RecordRef,
    SetAmountsParams,
)
from crm_api.auth.principal import Principal
from crm_api.communications import service as communications
from crm_api.communications.schemas import CommunicationCreate
from crm_api.database import utcnow
from crm_api.followups import service as followups
from crm_api.followups.schemas import FollowUpCreate
from crm_api.kit import aggregate
from crm_api.kit.errors import InvalidValue, RecordNotFound
from crm_api.opportunities import service as opportunities
from crm_api.opportunities.schemas import OpportunityStageChange, OpportunityUpdate

_AMOUNTS = {"expected_amount", "committed_amount", "funded_amount"}


@dataclass
class Applied:
    """What an action created or changed."""

    records: list[RecordRef] = field(default_factory=list)
    changes: list[RecordChange] = field(default_factory=list)

    def created(self, kind: str, after: dict[str, Any]) -> None:
        self.records.append(RecordRef(type=kind, id=after["id"]))
        self.changes.append(
            RecordChange(type=kind, id=after["id"], op="create", before=None, after=after)
        )

    def updated(self, kind: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        self.records.append(RecordRef(type=kind, id=after["id"]))
        if after != before:
            self.changes.append(
                RecordChange(type=kind, id=after["id"], op="update", before=before, after=after)
            )


def target_of(params: ActionParams) -> tuple[str, str] | None:
    """The record an action is about (a proposal's target)."""
    if isinstance(params, MoveStageParams | SetAmountsParams):
        return ("opportunity", params.opportunity_id)
    if isinstance(params, CompleteFollowUpParams):
        return ("follow_up", params.follow_up_id)
    if isinstance(params, LogInteractionParams):
        if params.organization_id is not None:
            return ("organization", params.organization_id)
        return ("contact", params.contact_ids[0])
    for kind in ("opportunity", "contact", "organization"):
        value = getattr(params, f"{kind}_id", None)
        if value is not None:
            return (kind, value)
    return None


def _log_interaction(session: Session, params: LogInteractionParams, by: Principal) -> Applied:
    data = CommunicationCreate(
        type=params.type,
        subject=params.subject,
        body=params.body,
        occurred_at=params.occurred_at or utcnow(),
        contact_id=params.contact_ids[0] if params.contact_ids else None,
        organization_id=params.organization_id,
        opportunity_id=params.opportunity_id,
        attendee_ids=params.contact_ids,
        outcome=params.outcome,
        next_action=params.next_action,
        next_action_due=params.next_action_due,
    )
    applied = Applied()
    applied.created("communication", communications.create(session, data=data, by=by))
    return applied


def _add_note(session: Session, params: AddNoteParams, by: Principal) -> Applied:
    contact_id, organization_id = params.contact_id, params.organization_id
    if params.opportunity_id is not None:
        # A note on an opportunity is filed on its investor too, as a communication must be.
        try:
            opp = opportunities.read(session, record_id=params.opportunity_id)
        except RecordNotFound as exc:
            raise InvalidValue(
                f"opportunity_id: no live opportunity {params.opportunity_id}",
                field="opportunity_id",
            ) from exc
        contact_id, organization_id = opp.investor_contact_id, opp.investor_organization_id
    data = CommunicationCreate(
        type="note",
        subject=params.subject,
        body=params.body,
        occurred_at=utcnow(),
        contact_id=contact_id,
        organization_id=organization_id,
        opportunity_id=params.opportunity_id,
    )
    applied = Applied()
    applied.created("communication", communications.create(session, data=data, by=by))
    return applied


def _create_follow_up(session: Session, params: CreateFollowUpParams, by: Principal) -> Applied:
    data = FollowUpCreate.model_validate(params.model_dump())
    applied = Applied()
    applied.created("follow_up", followups.create(session, data=data, by=by))
    return applied


def _complete_follow_up(session: Session, params: CompleteFollowUpParams, by: Principal) -> Applied:
    row = followups.get(session, record_id=params.follow_up_id)
    if params.version is not None:
        aggregate.expect_version(followups.KIND, row, params.version)
    before = followups.state(row)
    applied = Applied()
    applied.updated(
        "follow_up", before, followups.complete(session, record_id=params.follow_up_id, by=by)
    )
    return applied


def _move_stage(session: Session, params: MoveStageParams, by: Principal) -> Applied:
    current = opportunities.read(session, record_id=params.opportunity_id)
    before = current.model_dump(mode="json")
    change = OpportunityStageChange.model_validate(
        params.model_dump(include={"stage", "lost_reason"}, exclude_unset=True)
    )
    after = opportunities.change_stage(
        session,
        record_id=params.opportunity_id,
        data=change,
        expected_version=params.version or current.version,
        by=by,
    )
    applied = Applied()
    applied.updated("opportunity", before, after)
    return applied


def _set_amounts(session: Session, params: SetAmountsParams, by: Principal) -> Applied:
    current = opportunities.read(session, record_id=params.opportunity_id)
    before = current.model_dump(mode="json")
    update = OpportunityUpdate.model_validate(
        params.model_dump(include=_AMOUNTS, exclude_unset=True)
    )
    after = opportunities.update(
        session,
        record_id=params.opportunity_id,
        data=update,
        expected_version=params.version or current.version,
        by=by,
    )
    applied = Applied()
    applied.updated("opportunity", before, after)
    return applied


def apply(session: Session, *, params: ActionParams, by: Principal) -> Applied:
    """Carry out the action as `by`, in the caller's transaction.

    Raises:
        InvalidValue, RecordNotFound, VersionConflict: as the domain service does.
    """
    if isinstance(params, LogInteractionParams):
        return _log_interaction(session, params, by)
    if isinstance(params, AddNoteParams):
        return _add_note(session, params, by)
    if isinstance(params, CreateFollowUpParams):
        return _create_follow_up(session, params, by)
    if isinstance(params, CompleteFollowUpParams):
        return _complete_follow_up(session, params, by)
    if isinstance(params, MoveStageParams):
        return _move_stage(session, params, by)
    return _set_amounts(session, params, by)

"""Opportunity rules.

- The investor is exactly one of an organization and a contact, and it must be live; so must the
  fund. The owner, when set, is an active user. (422, naming the field.)
- The stage is a value of the managed list `pipeline_stage` on every write that sets it: create,
  update and the stage change. `closed_lost` needs a lost_reason. (422)
- One live opportunity per investor and fund (409, with the existing one's id), checked here and
  held by partial unique indexes, so a concurrent write cannot slip a second one in.
- Amounts are exact decimals, never negative, at most 2 decimal places (the schemas).
- Tags are live tags (422 naming tag_ids); custom field values fit the opportunity fields (422
  naming custom_fields.<key>).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth import service as users
from crm_api.auth.errors import UnknownUser
from crm_api.auth.principal import Principal
from crm_api.contacts import service as contacts
from crm_api.custom_fields import service as custom_fields
from crm_api.funds import service as funds
from crm_api.funds.models import Fund
from crm_api.funds.schemas import CENT
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound
from crm_api.kit.repository import unique_or_duplicate
from crm_api.lookups import service as lookups
from crm_api.opportunities import repository
from crm_api.opportunities.models import Opportunity, opportunity_tag
from crm_api.opportunities.schemas import (
    OpportunityCreate,
    OpportunityFilter,
    OpportunityPage,
    OpportunityRead,
    OpportunityStageChange,
    OpportunityUpdate,
)
from crm_api.organizations import service as organizations
from crm_api.tags import service as tags

STAGE_LIST = "pipeline_stage"
LOST = "closed_lost"
_INVESTOR_FIELDS = ["investor_organization_id", "investor_contact_id"]
ENTITY = "opportunity"

custom_fields.register_entity(ENTITY, Opportunity.custom_fields)
tags.register_link(opportunity_tag)


# The live-unique index refused: a concurrent write got there first.
TWIN_TAKEN = "this investor already has a live opportunity in this fund"


def _amount(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)


def to_read(opp: Opportunity) -> OpportunityRead:
    return OpportunityRead(
        id=opp.id,
        version=opp.version,
        created_at=opp.created_at,
        updated_at=opp.updated_at,
        created_by=opp.created_by,
        updated_by=opp.updated_by,
        deleted_at=opp.deleted_at,
        investor_organization_id=opp.investor_organization_id,
        investor_contact_id=opp.investor_contact_id,
        fund_id=opp.fund_id,
        stage=opp.stage,
        expected_amount=_amount(opp.expected_amount),
        committed_amount=_amount(opp.committed_amount),
        funded_amount=_amount(opp.funded_amount),
        currency=opp.currency,
        owner_id=opp.owner_id,
        next_step=opp.next_step,
        lost_reason=opp.lost_reason,
        close_date=opp.close_date,
        description=opp.description,
        tags=tags.refs(opp.tags),
        custom_fields=dict(opp.custom_fields or {}),
    )


def state(opp: Opportunity) -> dict[str, Any]:
    return to_read(opp).model_dump(mode="json")


KIND = aggregate.Kind(name="opportunity", path="/api/opportunities", state=state)


def _targets(*opps: dict[str, Any]) -> list[tuple[str, str]]:
    """The investor and the fund of each state, for the interaction log's touch."""
    found: list[tuple[str, str]] = []
    for opp in opps:
        for target in (
            ("organization", opp["investor_organization_id"]),
            ("contact", opp["investor_contact_id"]),
            ("fund", opp["fund_id"]),
        ):
            if target[1] is not None and target not in found:
                found.append(target)
    return found


def _require_one_investor(organization_id: str | None, contact_id: str | None) -> None:
    if organization_id is None and contact_id is None:
        raise InvalidValue(
            "an opportunity needs its investor: set investor_organization_id or "
            "investor_contact_id",
            field="investor_organization_id",
            fields=_INVESTOR_FIELDS,
        )
    if organization_id is not None and contact_id is not None:
        raise InvalidValue(
            "the investor is an organization or a contact, not both: set one of "
            "investor_organization_id and investor_contact_id to null",
            field="investor_contact_id",
            fields=_INVESTOR_FIELDS,
        )


def _require_organization(session: Session, organization_id: str) -> None:
    try:
        organizations.get(session, organization_id=organization_id)
    except RecordNotFound as exc:
        raise InvalidValue(
            f"investor_organization_id: no live organization {organization_id!r}",
            field="investor_organization_id",
        ) from exc


def _require_contact(session: Session, contact_id: str) -> None:
    try:
        contacts.get(session, contact_id=contact_id)
    except RecordNotFound as exc:
        raise InvalidValue(
            f"investor_contact_id: no live contact {contact_id!r}", field="investor_contact_id"
        ) from exc


def _require_fund(session: Session, fund_id: str) -> Fund:
    try:
        return funds.get(session, fund_id=fund_id)
    except RecordNotFound as exc:
        raise InvalidValue(f"fund_id: no live fund {fund_id!r}", field="fund_id") from exc


def _require_owner(session: Session, owner_id: str) -> None:
    try:
        user = users.get_user(session, user_id=owner_id)
    except UnknownUser as exc:
        raise InvalidValue(f"owner_id: no user {owner_id!r}", field="owner_id") from exc
    if not user.is_active:
        raise InvalidValue(f"owner_id: user {owner_id!r} is deactivated", field="owner_id")


def _require_stage(session: Session, stage: str) -> str:
    return lookups.require(session, list_name=STAGE_LIST, value=stage, field="stage")


def _clean_reason(reason: str | None) -> str | None:
    return (reason.strip() or None) if reason is not None else None


def _require_lost_reason(opp: Opportunity) -> None:
    if opp.stage == LOST and not opp.lost_reason:
        raise InvalidValue(f"lost_reason is required when the stage is {LOST}", field="lost_reason")


def _require_no_live_twin(session: Session, opp: Opportunity) -> None:
    existing = repository.live_for(
        session,
        investor_organization_id=opp.investor_organization_id,
        investor_contact_id=opp.investor_contact_id,
        fund_id=opp.fund_id,
    )
    if existing is not None and existing != opp.id:
        raise DuplicateRecord(
            "this investor already has a live opportunity in this fund",
            field="fund_id",
            opportunity_id=existing,
        )


def get(session: Session, *, opportunity_id: str, include_deleted: bool = False) -> Opportunity:
    return aggregate.require_live(
        repository.get(session, opportunity_id), include_deleted=include_deleted
    )


def count_in_fund(session: Session, *, fund_id: str) -> int:
    """Opportunities in the fund, deleted ones included."""
    return repository.count_in_fund(session, fund_id)


funds.register_opportunity_count(count_in_fund)


def read(session: Session, *, record_id: str) -> OpportunityRead:
    return to_read(get(session, opportunity_id=record_id))


def search(session: Session, *, filters: OpportunityFilter) -> OpportunityPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return OpportunityPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: OpportunityCreate, by: Principal) -> dict[str, Any]:
    _require_one_investor(data.investor_organization_id, data.investor_contact_id)
    if data.investor_organization_id is not None:
        _require_organization(session, data.investor_organization_id)
    if data.investor_contact_id is not None:
        _require_contact(session, data.investor_contact_id)
    fund = _require_fund(session, data.fund_id)
    _require_stage(session, data.stage)
    if data.owner_id is not None:
        _require_owner(session, data.owner_id)
    opp = Opportunity(
        investor_organization_id=data.investor_organization_id,
        investor_contact_id=data.investor_contact_id,
        fund_id=fund.id,
        stage=data.stage,
        expected_amount=data.expected_amount,
        committed_amount=data.committed_amount,
        funded_amount=data.funded_amount,
        currency=data.currency or fund.currency,
        owner_id=data.owner_id,
        next_step=data.next_step,
        lost_reason=_clean_reason(data.lost_reason),
        close_date=data.close_date,
        description=data.description,
        custom_fields=custom_fields.apply(session, entity=ENTITY, given=data.custom_fields),
    )
    opp.tags = tags.resolve(session, data.tag_ids)
    _require_lost_reason(opp)
    _require_no_live_twin(session, opp)
    aggregate.stamp_new(opp, by)
    session.add(opp)
    with unique_or_duplicate(TWIN_TAKEN, field="fund_id"):
        session.flush()
    return aggregate.created(
        session,
        kind=KIND,
        obj=opp,
        actor=by,
        payload=data.model_dump(mode="json"),
        targets=_targets(state(opp)),
    )


def _apply(
    session: Session, *, opp: Opportunity, data: OpportunityUpdate, before: dict[str, Any]
) -> None:
    """Check and apply an update's fields to `opp`."""
    fields = data.model_dump(exclude_unset=True)
    for name in ("fund_id", "stage", "currency"):
        if name in fields and fields[name] is None:
            raise InvalidValue(f"{name} must not be null", field=name)
    if "investor_organization_id" in fields or "investor_contact_id" in fields:
        organization_id = fields.get("investor_organization_id", opp.investor_organization_id)
        contact_id = fields.get("investor_contact_id", opp.investor_contact_id)
        _require_one_investor(organization_id, contact_id)
        if organization_id is not None and organization_id != opp.investor_organization_id:
            _require_organization(session, organization_id)
        if contact_id is not None and contact_id != opp.investor_contact_id:
            _require_contact(session, contact_id)
        opp.investor_organization_id = organization_id
        opp.investor_contact_id = contact_id
    if data.fund_id is not None and data.fund_id != opp.fund_id:
        opp.fund_id = _require_fund(session, data.fund_id).id
    if data.stage is not None and data.stage != opp.stage:
        opp.stage = _require_stage(session, data.stage)
    if data.currency is not None:
        opp.currency = data.currency
    for name in ("expected_amount", "committed_amount", "funded_amount", "close_date"):
        if name in fields:
            setattr(opp, name, getattr(data, name))
    if "owner_id" in fields:
        if data.owner_id is not None and data.owner_id != opp.owner_id:
            _require_owner(session, data.owner_id)
        opp.owner_id = data.owner_id
    if "next_step" in fields:
        opp.next_step = data.next_step or ""
    if "description" in fields:
        opp.description = data.description or ""
    if "lost_reason" in fields:
        opp.lost_reason = _clean_reason(data.lost_reason)
    if data.tag_ids is not None:
        opp.tags = tags.replace(session, opp.tags, data.tag_ids)
    if data.custom_fields is not None:
        opp.custom_fields = custom_fields.apply(
            session, entity=ENTITY, given=data.custom_fields, current=opp.custom_fields or {}
        )
    _require_lost_reason(opp)
    if (opp.investor_organization_id, opp.investor_contact_id, opp.fund_id) != (
        before["investor_organization_id"],
        before["investor_contact_id"],
        before["fund_id"],
    ):
        _require_no_live_twin(session, opp)


def update(
    session: Session,
    *,
    record_id: str,
    data: OpportunityUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    """Change fields. Switching the investor's kind takes both fields: the new one and a null."""
    opp = get(session, opportunity_id=record_id)
    aggregate.expect_version(KIND, opp, expected_version)
    before = state(opp)
    # No autoflush while the change is half-applied: the checks' queries would write it early.
    with session.no_autoflush:
        _apply(session, opp=opp, data=data, before=before)
    with unique_or_duplicate(TWIN_TAKEN, field="fund_id"):
        return aggregate.updated(
            session,
            kind=KIND,
            obj=opp,
            before=before,
            actor=by,
            payload=data.model_dump(mode="json", exclude_unset=True),
            targets=_targets(before, state(opp)),
        )


def change_stage(
    session: Session,
    *,
    record_id: str,
    data: OpportunityStageChange,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    """Move the opportunity to another stage of the pipeline (closed_lost needs a reason)."""
    opp = get(session, opportunity_id=record_id)
    aggregate.expect_version(KIND, opp, expected_version)
    before = state(opp)
    if data.stage != opp.stage:
        opp.stage = _require_stage(session, data.stage)
    if "lost_reason" in data.model_fields_set:
        opp.lost_reason = _clean_reason(data.lost_reason)
    _require_lost_reason(opp)
    return aggregate.updated(
        session,
        kind=KIND,
        obj=opp,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
        action="stage",
        targets=_targets(before),
    )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    opp = get(session, opportunity_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=KIND, obj=opp, actor=by)


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    opp = get(session, opportunity_id=record_id, include_deleted=True)
    if opp.deleted_at is not None:
        existing = repository.live_for(
            session,
            investor_organization_id=opp.investor_organization_id,
            investor_contact_id=opp.investor_contact_id,
            fund_id=opp.fund_id,
        )
        if existing is not None:
            raise DuplicateRecord(
                "this investor now has another live opportunity in this fund; delete it first",
                opportunity_id=existing,
            )
    with unique_or_duplicate(TWIN_TAKEN, field="fund_id"):
        return aggregate.restored(session, kind=KIND, obj=opp, actor=by)


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    opp = get(session, opportunity_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=KIND, obj=opp, actor=by)


# The list's own query, for crm_api.exports (which reads it a batch at a time, unpaged).
SORTS = repository.SORTS


def filtered(session: Session, filters: OpportunityFilter) -> Any:
    """The query the list runs for `filters`, without paging."""
    return repository.filtered(session, filters)

"""The reports' SQL: every count and every sum is computed by the database.

Money is summed as integer cents (`CAST(ROUND(amount * 100) AS BIGINT)`): exact on PostgreSQL,
and exact on SQLite too, which keeps NUMERIC as an 8-byte float and would otherwise add 0.10 and
0.20 into 0.30000000000000004. An amount has at most 15 significant digits, so `amount * 100`
rounds back to its exact cents on both backends, and the sum of integers is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    and_,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from crm_api.communications.models import Communication
from crm_api.contacts.models import Contact
from crm_api.followups.models import FollowUp
from crm_api.funds.models import Fund
from crm_api.lookups.models import LookupValue
from crm_api.lp_profiles.models import LpProfile
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization

OPEN = "open"
DONE = "done"


def cents_sum(column: Any) -> ColumnElement[Any]:
    """SUM of `column` in integer cents; 0 when there is nothing to add."""
    cents = cast(func.round(column * literal_column("100")), BigInteger)
    return func.coalesce(func.sum(cents), 0)


def _live_contacts() -> Select[Any]:
    return select(Contact.id).where(Contact.deleted_at.is_(None))


def _live_organizations() -> Select[Any]:
    return select(Organization.id).where(Organization.deleted_at.is_(None))


def counted_opportunity() -> ColumnElement[bool]:
    """An opportunity that counts: live, in a live fund, of a live investor."""
    return and_(
        Opportunity.deleted_at.is_(None),
        Opportunity.fund_id.in_(select(Fund.id).where(Fund.deleted_at.is_(None))),
        or_(
            Opportunity.investor_contact_id.in_(_live_contacts()),
            Opportunity.investor_organization_id.in_(_live_organizations()),
        ),
    )


def live_lp() -> ColumnElement[bool]:
    """A live LP profile of a live investor."""
    return and_(
        LpProfile.deleted_at.is_(None),
        or_(
            LpProfile.contact_id.in_(_live_contacts()),
            LpProfile.organization_id.in_(_live_organizations()),
        ),
    )


def _closed_stages() -> Select[Any]:
    return select(LookupValue.value).where(
        LookupValue.list_name == "pipeline_stage", LookupValue.is_closed.is_(True)
    )


def _lp_opportunity_join() -> ColumnElement[bool]:
    # An opportunity has one investor, and an investor at most one live profile.
    return or_(
        Opportunity.investor_contact_id == LpProfile.contact_id,
        Opportunity.investor_organization_id == LpProfile.organization_id,
    )


def _count(model: Any, *where: ColumnElement[bool]) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def dashboard_counts(
    session: Session,
    *,
    now: datetime,
    week_ago: datetime,
    month_ago: datetime,
    today: date,
    user_id: str,
) -> dict[str, int]:
    """Every count of the dashboard, in one statement."""
    open_follow_up = and_(FollowUp.deleted_at.is_(None), FollowUp.status == OPEN)
    overdue = and_(open_follow_up, FollowUp.due_date < today)
    mine = FollowUp.owner_id == user_id
    live_comm = and_(Communication.deleted_at.is_(None), Communication.occurred_at <= now)
    row = session.execute(
        select(
            _count(Contact, Contact.deleted_at.is_(None)).label("contacts"),
            _count(Organization, Organization.deleted_at.is_(None)).label("organizations"),
            _count(Fund, Fund.deleted_at.is_(None)).label("funds"),
            _count(
                Opportunity, counted_opportunity(), Opportunity.stage.not_in(_closed_stages())
            ).label("open_opportunities"),
            _count(LpProfile, live_lp()).label("lps"),
            _count(Communication, live_comm, Communication.occurred_at >= week_ago).label(
                "communications_last_7_days"
            ),
            _count(Communication, live_comm, Communication.occurred_at >= month_ago).label(
                "communications_last_30_days"
            ),
            _count(FollowUp, open_follow_up).label("open"),
            _count(FollowUp, overdue).label("overdue"),
            _count(FollowUp, open_follow_up, mine).label("mine_open"),
            _count(FollowUp, overdue, mine).label("mine_overdue"),
        )
    ).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}


def committed_and_funded(session: Session) -> Sequence[Any]:
    """(currency, committed cents, funded cents) of the counted opportunities."""
    return session.execute(
        select(
            Opportunity.currency,
            cents_sum(Opportunity.committed_amount),
            cents_sum(Opportunity.funded_amount),
        )
        .where(counted_opportunity())
        .group_by(Opportunity.currency)
        .order_by(Opportunity.currency)
    ).all()


def pipeline_stages(session: Session) -> Sequence[LookupValue]:
    return session.scalars(
        select(LookupValue)
        .where(LookupValue.list_name == "pipeline_stage")
        .order_by(LookupValue.position, LookupValue.value)
    ).all()


def pipeline(session: Session, *, fund_id: str | None, by_stage: bool) -> Sequence[Any]:
    """([stage,] currency, count, expected, committed, funded cents) of the counted opportunities,
    per stage and currency, or per currency only."""
    keys: list[Any] = [Opportunity.stage] if by_stage else []
    keys.append(Opportunity.currency)
    query = select(
        *keys,
        func.count(),
        cents_sum(Opportunity.expected_amount),
        cents_sum(Opportunity.committed_amount),
        cents_sum(Opportunity.funded_amount),
    ).where(counted_opportunity())
    if fund_id is not None:
        query = query.where(Opportunity.fund_id == fund_id)
    return session.execute(query.group_by(*keys).order_by(*keys)).all()


def live_fund(session: Session, fund_id: str) -> Fund | None:
    return session.scalar(select(Fund).where(Fund.id == fund_id, Fund.deleted_at.is_(None)))


def investor_types(session: Session) -> Sequence[LookupValue]:
    return session.scalars(
        select(LookupValue)
        .where(LookupValue.list_name == "investor_type")
        .order_by(LookupValue.position, LookupValue.value)
    ).all()


def lps_per_type(session: Session) -> Sequence[Any]:
    """(investor type, live LPs)."""
    return session.execute(
        select(LpProfile.investor_type, func.count())
        .where(live_lp())
        .group_by(LpProfile.investor_type)
    ).all()


def lp_money_per_type(session: Session) -> Sequence[Any]:
    """(investor type, currency, committed cents, funded cents) of the LPs' opportunities."""
    return session.execute(
        select(
            LpProfile.investor_type,
            Opportunity.currency,
            cents_sum(Opportunity.committed_amount),
            cents_sum(Opportunity.funded_amount),
        )
        .select_from(LpProfile)
        .join(Opportunity, _lp_opportunity_join())
        .where(live_lp(), counted_opportunity())
        .group_by(LpProfile.investor_type, Opportunity.currency)
        .order_by(LpProfile.investor_type, Opportunity.currency)
    ).all()


def live_funds(session: Session) -> Sequence[Any]:
    """(id, name) of the live funds, in the grid's order."""
    return session.execute(
        select(Fund.id, Fund.name).where(Fund.deleted_at.is_(None)).order_by(Fund.position, Fund.id)
    ).all()


def lps_per_fund(session: Session) -> Sequence[Any]:
    """(fund id, LPs with an opportunity in it)."""
    return session.execute(
        select(Opportunity.fund_id, func.count(func.distinct(LpProfile.id)))
        .select_from(LpProfile)
        .join(Opportunity, _lp_opportunity_join())
        .where(live_lp(), counted_opportunity())
        .group_by(Opportunity.fund_id)
    ).all()


def lp_money_per_fund(session: Session) -> Sequence[Any]:
    """(fund id, currency, committed cents, funded cents) of the LPs' opportunities."""
    return session.execute(
        select(
            Opportunity.fund_id,
            Opportunity.currency,
            cents_sum(Opportunity.committed_amount),
            cents_sum(Opportunity.funded_amount),
        )
        .select_from(LpProfile)
        .join(Opportunity, _lp_opportunity_join())
        .where(live_lp(), counted_opportunity())
        .group_by(Opportunity.fund_id, Opportunity.currency)
        .order_by(Opportunity.fund_id, Opportunity.currency)
    ).all()


def _utc_day(session: Session, column: Any) -> ColumnElement[date]:
    """The UTC calendar day of a timestamp column."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), column), Date)
    # SQLite keeps timestamps as UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return func.date(column, type_=Date)


def communications_per_day(
    session: Session, *, start: datetime, end: datetime, owner_id: str | None
) -> Sequence[Any]:
    """(UTC day, type, count) of live communications that happened in [start, end)."""
    day = _utc_day(session, Communication.occurred_at).label("day")
    query = select(day, Communication.type, func.count()).where(
        Communication.deleted_at.is_(None),
        Communication.occurred_at >= start,
        Communication.occurred_at < end,
    )
    if owner_id is not None:
        query = query.where(Communication.created_by == owner_id)
    return session.execute(query.group_by(day, Communication.type)).all()


def follow_ups_per_day(
    session: Session, *, column: Any, start: datetime, end: datetime, owner_id: str | None
) -> Sequence[Any]:
    """(UTC day of `column`, count) of live follow-ups with `column` in [start, end)."""
    day = _utc_day(session, column).label("day")
    query = select(day, func.count()).where(
        FollowUp.deleted_at.is_(None), column >= start, column < end
    )
    if column is FollowUp.completed_at:
        query = query.where(FollowUp.status == DONE)
    if owner_id is not None:
        query = query.where(FollowUp.owner_id == owner_id)
    return session.execute(query.group_by(day)).all()


def overdue_follow_ups(
    session: Session, *, today: date, owner_id: str | None, limit: int
) -> tuple[int, Sequence[Any]]:
    """How many open follow-ups are due before `today`, and the oldest `limit` of them, with the
    names of what they are about."""
    where = [
        FollowUp.deleted_at.is_(None),
        FollowUp.status == OPEN,
        FollowUp.due_date < today,
    ]
    if owner_id is not None:
        where.append(FollowUp.owner_id == owner_id)
    total = int(session.scalar(select(func.count()).select_from(FollowUp).where(*where)) or 0)
    contact = aliased(Contact)
    organization = aliased(Organization)
    opportunity = aliased(Opportunity)
    fund = aliased(Fund)
    investor_contact = aliased(Contact)
    investor_organization = aliased(Organization)
    rows = session.execute(
        select(
            FollowUp.id,
            FollowUp.title,
            FollowUp.due_date,
            FollowUp.owner_id,
            FollowUp.contact_id,
            contact.first_name.label("contact_first_name"),
            contact.last_name.label("contact_last_name"),
            FollowUp.organization_id,
            organization.name.label("organization_name"),
            FollowUp.opportunity_id,
            fund.name.label("fund_name"),
            investor_organization.name.label("investor_organization_name"),
            investor_contact.first_name.label("investor_first_name"),
            investor_contact.last_name.label("investor_last_name"),
        )
        .outerjoin(contact, contact.id == FollowUp.contact_id)
        .outerjoin(organization, organization.id == FollowUp.organization_id)
        .outerjoin(opportunity, opportunity.id == FollowUp.opportunity_id)
        .outerjoin(fund, fund.id == opportunity.fund_id)
        .outerjoin(investor_contact, investor_contact.id == opportunity.investor_contact_id)
        .outerjoin(
            investor_organization,
            investor_organization.id == opportunity.investor_organization_id,
        )
        .where(*where)
        .order_by(FollowUp.due_date, FollowUp.id)
        .limit(limit)
    ).all()
    return total, rows

"""The pivot's reads over the grid's rows, opportunities, investors, lists and communications
(the grid never writes those others; their services do).

The pivot is read with Core selects (plain tuples, no ORM objects): a grid of 5,000 investors by
12 funds is 60,000 cells, and amounts come back as integer cents
(`CAST(ROUND(amount * 100) AS BIGINT)`), exact on both backends and cheap to add up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Select, and_, cast, func, literal_column, or_, select
from sqlalchemy.orm import Session

from crm_api.communications.models import Communication
from crm_api.contacts.models import Contact, ContactEmail
from crm_api.funds.models import Fund
from crm_api.grid.facts import CellFacts, RowFacts
from crm_api.grid.models import (
    GridList,
    GridListMember,
    GridRow,
    GridRowContact,
)
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization, OrganizationDomain

_CHUNK = 500
# Beyond this many rows, one pass over every live opportunity beats looking each investor up.
_WHOLE = 1_000


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _cents(column: Any) -> Any:
    return cast(func.round(column * literal_column("100")), BigInteger)


def _row_query(deleted: str) -> Select[Any]:
    contact_name = Contact.first_name + literal_column("' '") + Contact.last_name
    query = (
        select(
            GridRow.id,
            GridRow.version,
            GridRow.investor_kind,
            GridRow.organization_id,
            GridRow.contact_id,
            func.coalesce(Organization.name, contact_name),
            GridRow.position,
            GridRow.flags,
            GridRow.lead_source,
            GridRow.values,
            GridRow.created_at,
            GridRow.updated_at,
            GridRow.deleted_at,
        )
        .outerjoin(Organization, Organization.id == GridRow.organization_id)
        .outerjoin(Contact, Contact.id == GridRow.contact_id)
        # A row whose investor was deleted leaves the grid with it (and comes back with it).
        .where(
            or_(
                and_(GridRow.investor_kind == "organization", Organization.deleted_at.is_(None)),
                and_(GridRow.investor_kind == "contact", Contact.deleted_at.is_(None)),
            )
        )
    )
    if deleted == "only":
        return query.where(GridRow.deleted_at.is_not(None))
    return query.where(GridRow.deleted_at.is_(None))


def load_rows(
    session: Session,
    *,
    row_ids: list[str] | None = None,
    deleted: str = "exclude",
    with_cells: bool = True,
) -> list[RowFacts]:
    """The facts of the grid's rows (all, or `row_ids`), contacts included, and cells unless
    `with_cells` is false (then `load_cells` fills in those of the rows that need them)."""
    query = _row_query(deleted)
    raw: list[Any] = []
    connection = session.connection()
    if row_ids is None:
        raw = list(connection.execute(query).all())
    else:
        for chunk in _chunks(row_ids):
            raw.extend(connection.execute(query.where(GridRow.id.in_(chunk))).all())
    rows = [
        RowFacts(
            id=r[0],
            version=r[1],
            investor_kind=r[2],
            organization_id=r[3],
            contact_id=r[4],
            name=r[5] or "",
            position=r[6],
            flags=list(r[7] or []),
            lead_source=r[8],
            values=dict(r[9] or {}),
            contact_ids=[],
            created_at=r[10],
            updated_at=r[11],
            deleted_at=r[12],
        )
        for r in raw
    ]
    if not rows:
        return rows
    by_id = {row.id: row for row in rows}
    ids = None if row_ids is None else list(by_id)
    _load_contacts(session, by_id, ids)
    if with_cells:
        _load_cells(session, by_id, ids)
    return rows


def load_cells(session: Session, rows: list[RowFacts]) -> None:
    """Fill in the cells of `rows` (loaded without them)."""
    if rows:
        _load_cells(session, {row.id: row for row in rows}, [row.id for row in rows])


def _live_fund_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Fund.id).where(Fund.deleted_at.is_(None))))


def _by_investor(rows: Iterable[RowFacts]) -> tuple[dict[str, RowFacts], dict[str, RowFacts]]:
    orgs = {r.organization_id: r for r in rows if r.organization_id}
    people = {r.contact_id: r for r in rows if r.contact_id}
    return orgs, people


def _investor_parts(
    query: Any, orgs: dict[str, RowFacts], people: dict[str, RowFacts], every: bool
) -> Iterable[Any]:
    """`query` over the opportunities of these investors: by investor id, so the database walks
    the (investor, fund) index; or over every live opportunity, when every row is wanted."""
    live = query.where(Opportunity.deleted_at.is_(None))
    if every:
        return [live]
    parts = [
        live.where(Opportunity.investor_organization_id.in_(chunk))
        for chunk in _chunks(sorted(orgs))
    ]
    parts += [
        live.where(Opportunity.investor_contact_id.in_(chunk)) for chunk in _chunks(sorted(people))
    ]
    return parts


_Total = tuple[str, str, str, int, int, int, int]


def _sums() -> tuple[Any, ...]:
    return (
        func.count(),
        func.coalesce(func.sum(_cents(Opportunity.expected_amount)), 0),
        func.coalesce(func.sum(_cents(Opportunity.committed_amount)), 0),
        func.coalesce(func.sum(_cents(Opportunity.funded_amount)), 0),
    )


def _total(fund_id: str, stage: str, currency: str, *sums: Any) -> _Total:
    count, expected, committed, funded = (int(v) for v in sums)
    return (fund_id, stage, currency, count, expected, committed, funded)


def totals(session: Session, *, rows: list[RowFacts], whole: bool) -> list[_Total]:
    """(fund, stage, currency, count, expected, committed, funded cents) over the live cells of
    `rows` (`whole`: they are every live row of the grid): the database adds, in integer cents."""
    funds = _live_fund_ids(session)
    connection = session.connection()
    keys = (Opportunity.fund_id, Opportunity.stage, Opportunity.currency)
    found: list[_Total] = []
    if whole:
        for investor, opportunity_investor, record in (
            (GridRow.organization_id, Opportunity.investor_organization_id, Organization),
            (GridRow.contact_id, Opportunity.investor_contact_id, Contact),
        ):
            query = (
                select(*keys, *_sums())
                .join(GridRow, investor == opportunity_investor)
                .join(record, record.id == opportunity_investor)
                .where(
                    Opportunity.deleted_at.is_(None),
                    GridRow.deleted_at.is_(None),
                    record.deleted_at.is_(None),
                )
                .group_by(*keys)
            )
            found += [_total(*r) for r in connection.execute(query).all() if r[0] in funds]
        return found
    orgs, people = _by_investor(rows)
    if len(rows) <= _WHOLE:
        query = select(*keys, *_sums()).group_by(*keys)
        for part in _investor_parts(query, orgs, people, every=False):
            found += [_total(*r) for r in connection.execute(part).all() if r[0] in funds]
        return found
    # Many rows, but not all: by investor, keeping those of the rows.
    query = select(
        Opportunity.investor_organization_id, Opportunity.investor_contact_id, *keys, *_sums()
    ).group_by(Opportunity.investor_organization_id, Opportunity.investor_contact_id, *keys)
    for part in _investor_parts(query, orgs, people, every=True):
        for org_id, contact_id, fund_id, *rest in connection.execute(part).all():
            if fund_id in funds and (org_id in orgs or contact_id in people):
                found.append(_total(fund_id, *rest))
    return found


def _restricted(query: Any, column: Any, ids: list[str] | None) -> Iterable[Any]:
    if ids is None:
        return [query]
    return [query.where(column.in_(chunk)) for chunk in _chunks(ids)]


def _load_contacts(session: Session, rows: dict[str, RowFacts], ids: list[str] | None) -> None:
    query = select(GridRowContact.row_id, GridRowContact.contact_id, GridRowContact.role).order_by(
        GridRowContact.row_id, GridRowContact.position, GridRowContact.contact_id
    )
    for part in _restricted(query, GridRowContact.row_id, ids):
        for row_id, contact_id, role in session.execute(part):
            if row_id in rows:
                rows[row_id].contact_ids.append(contact_id)
                rows[row_id].contact_roles[contact_id] = role


def _load_cells(session: Session, rows: dict[str, RowFacts], ids: list[str] | None) -> None:
    orgs, people = _by_investor(rows.values())
    funds = _live_fund_ids(session)
    query = select(
        Opportunity.investor_organization_id,
        Opportunity.investor_contact_id,
        Opportunity.fund_id,
        Opportunity.id,
        Opportunity.version,
        Opportunity.stage,
        Opportunity.currency,
        _cents(Opportunity.expected_amount),
        _cents(Opportunity.committed_amount),
        _cents(Opportunity.funded_amount),
    )
    # Core, not the ORM's execution path: 60,000 plain tuples, no per-row ORM bookkeeping.
    connection = session.connection()
    every = ids is None or len(ids) > _WHOLE
    for part in _investor_parts(query, orgs, people, every=every):
        for org_id, contact_id, fund_id, *cell in connection.execute(part).all():
            row = orgs.get(org_id) if org_id is not None else people.get(contact_id)
            if row is not None and fund_id in funds:
                row.cells[fund_id] = CellFacts(*cell)


def load_lists(session: Session, rows: dict[str, RowFacts]) -> None:
    """Each row's live list memberships (by list key)."""
    query = (
        select(GridListMember.row_id, GridList.key)
        .join(GridList, GridList.id == GridListMember.list_id)
        .where(GridListMember.deleted_at.is_(None), GridList.deleted_at.is_(None))
    )
    ids = list(rows) if len(rows) <= _CHUNK else None
    for part in _restricted(query, GridListMember.row_id, ids):
        for row_id, key in session.execute(part):
            row = rows.get(row_id)
            if row is not None:
                row.lists.add(key)


def load_last_touch(session: Session, rows: dict[str, RowFacts]) -> None:
    """Each row's newest live communication on its investor or one of its contacts."""
    by_org: dict[str, list[RowFacts]] = defaultdict(list)
    by_contact: dict[str, list[RowFacts]] = defaultdict(list)
    for row in rows.values():
        if row.organization_id:
            by_org[row.organization_id].append(row)
        if row.contact_id:
            by_contact[row.contact_id].append(row)
        for contact_id in row.contact_ids:
            by_contact[contact_id].append(row)
    for column, targets in (
        (Communication.organization_id, by_org),
        (Communication.contact_id, by_contact),
    ):
        query = (
            select(column, func.max(Communication.occurred_at))
            .where(Communication.deleted_at.is_(None), column.is_not(None))
            .group_by(column)
        )
        parts = (
            [query.where(column.in_(chunk)) for chunk in _chunks(sorted(targets))]
            if len(targets) <= 5 * _CHUNK
            else [query]
        )
        for part in parts:
            for investor, latest in session.execute(part):
                if latest is None:
                    continue
                latest = _aware(latest)
                for row in targets.get(investor or "", ()):
                    if row.last_touch_at is None or latest > row.last_touch_at:
                        row.last_touch_at = latest


def _aware(value: Any) -> datetime:
    """MAX() over a UtcDateTime column skips the type's conversion on SQLite (a string back)."""
    parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def investors(
    session: Session, *, organization_ids: set[str], contact_ids: set[str]
) -> tuple[dict[str, tuple[str, list[str]]], dict[str, tuple[str, str | None]]]:
    """(organization id -> (name, domains), contact id -> (name, primary email))."""
    orgs: dict[str, tuple[str, list[str]]] = {}
    for chunk in _chunks(sorted(organization_ids)):
        for org_id, name in session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(chunk))
        ):
            orgs[org_id] = (name, [])
        for org_id, domain in session.execute(
            select(OrganizationDomain.organization_id, OrganizationDomain.domain)
            .where(OrganizationDomain.organization_id.in_(chunk))
            .order_by(OrganizationDomain.domain)
        ):
            orgs[org_id][1].append(domain)
    people: dict[str, tuple[str, str | None]] = {}
    for chunk in _chunks(sorted(contact_ids)):
        for contact_id, first, last in session.execute(
            select(Contact.id, Contact.first_name, Contact.last_name).where(Contact.id.in_(chunk))
        ):
            people[contact_id] = (f"{first} {last}", None)
        for contact_id, email in session.execute(
            select(ContactEmail.contact_id, ContactEmail.email).where(
                ContactEmail.contact_id.in_(chunk), ContactEmail.is_primary.is_(True)
            )
        ):
            people[contact_id] = (people[contact_id][0], email)
    return orgs, people


def latest_communications(
    session: Session, *, organization_ids: set[str], contact_ids: set[str], per_investor: int
) -> tuple[dict[str, list[Communication]], dict[str, list[Communication]]]:
    """The newest `per_investor` live communications on each organization and each contact."""
    found: list[dict[str, list[Communication]]] = []
    for column, ids in (
        (Communication.organization_id, organization_ids),
        (Communication.contact_id, contact_ids),
    ):
        grouped: dict[str, list[Communication]] = defaultdict(list)
        for chunk in _chunks(sorted(ids)):
            rank = (
                func.row_number()
                .over(
                    partition_by=column,
                    order_by=(Communication.occurred_at.desc(), Communication.id.desc()),
                )
                .label("rank")
            )
            ranked = (
                select(Communication.id, rank)
                .where(column.in_(chunk), Communication.deleted_at.is_(None))
                .subquery()
            )
            query = (
                select(Communication)
                .join(ranked, ranked.c.id == Communication.id)
                .where(ranked.c.rank <= per_investor)
                .order_by(Communication.occurred_at.desc(), Communication.id.desc())
            )
            for comm in session.scalars(query):
                key = getattr(comm, column.key)
                grouped[key].append(comm)
        found.append(grouped)
    return found[0], found[1]

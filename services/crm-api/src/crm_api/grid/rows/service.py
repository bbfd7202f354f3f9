"""Grid rows.

- A row is one investor: an existing organization or contact, or one created with it. Which one
  is the user's choice; `match` offers only exact matches, by a live contact's email address or an
  organization's web domain, never by name. (422 for a choice that is not one live investor.)
- One row per investor, ever: adding an investor whose row was deleted restores that row, with
  its id; adding one that has a live row is refused (409, naming the row).
- Flags are identifiers, kept sorted; custom values fit their column's type (422 naming
  `values.<key>`); the row's contacts are live contacts (422 naming `contacts`).
- Versions, If-Match, soft delete, restore, audit, interaction-log touch and the
  `crm.grid_row.*` event with full state come from the kit.

Logging a communication from the grid lands on the row's investor (and, given a fund, on the
investor's opportunity in it).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.communications import service as communications
from crm_api.communications.schemas import CommunicationCreate
from crm_api.contacts import service as contacts
from crm_api.contacts.schemas import ContactCreate, EmailIn
from crm_api.grid.columns import service as grid_columns
from crm_api.grid.models import GridRow, GridRowContact
from crm_api.grid.rows import repository
from crm_api.grid.rows.schemas import (
    GridRowCreate,
    GridRowFilter,
    GridRowPage,
    GridRowRead,
    GridRowUpdate,
    MatchCandidate,
    MatchQuery,
    MatchResult,
    RowCommunicationCreate,
    RowContactIn,
    RowContactRead,
)
from crm_api.grid.schemas import InvestorKind
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound
from crm_api.kit.schemas import Domain
from crm_api.organizations import service as organizations
from crm_api.organizations.schemas import OrganizationCreate

ROW_FIELDS = ("position", "flags", "lead_source", "values", "contacts")


def row_read(row: GridRow) -> GridRowRead:
    links = sorted(row.contacts, key=lambda c: (c.position, c.contact_id))
    return GridRowRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        investor_kind=InvestorKind(row.investor_kind),
        organization_id=row.organization_id,
        contact_id=row.contact_id,
        position=row.position,
        flags=sorted(row.flags or []),
        lead_source=row.lead_source,
        values=dict(row.values or {}),
        contacts=[RowContactRead(contact_id=c.contact_id, role=c.role) for c in links],
        contact_ids=[c.contact_id for c in links],
    )


def row_state(row: GridRow) -> dict[str, Any]:
    return row_read(row).model_dump(mode="json")


ROW_KIND = aggregate.Kind(
    name="grid_row",
    path="/api/grid/rows",
    state=row_state,
    title=lambda r: f"{r.investor_kind} {r.organization_id or r.contact_id}",
)


def _row_targets(row: GridRow) -> list[tuple[str, str]]:
    investor = ("organization", row.organization_id or "")
    if row.contact_id is not None:
        investor = ("contact", row.contact_id)
    return [investor]


def get_row(session: Session, *, row_id: str, include_deleted: bool = False) -> GridRow:
    return aggregate.require_live(
        repository.get_row(session, row_id), include_deleted=include_deleted
    )


def read_row(session: Session, *, record_id: str) -> GridRowRead:
    return row_read(get_row(session, row_id=record_id))


def list_rows(session: Session, *, filters: GridRowFilter) -> GridRowPage:
    rows = repository.list_rows(
        session,
        deleted=filters.deleted,
        investor_kind=filters.investor_kind.value if filters.investor_kind else None,
        organization_id=filters.organization_id,
        contact_id=filters.contact_id,
        after=filters.cursor,
        limit=filters.limit,
    )
    cursor = rows[filters.limit - 1].id if len(rows) > filters.limit else None
    return GridRowPage(items=[row_read(r) for r in rows[: filters.limit]], next_cursor=cursor)


def _clean_flags(flags: list[str]) -> list[str]:
    return sorted(set(flags))


def _set_contacts(session: Session, row: GridRow, wanted: list[RowContactIn]) -> None:
    ids = [c.contact_id for c in wanted]
    if len(set(ids)) != len(ids):
        raise InvalidValue("contacts: a contact is listed twice", field="contacts")
    for contact_id in ids:
        try:
            contacts.get(session, contact_id=contact_id)
        except RecordNotFound:
            raise InvalidValue(
                f"contacts: no live contact {contact_id}", field="contacts"
            ) from None
    current = {c.contact_id: c for c in row.contacts}
    for contact_id, link in current.items():
        if contact_id not in ids:
            row.contacts.remove(link)
    session.flush()
    for position, item in enumerate(wanted):
        link = current.get(item.contact_id) or GridRowContact(contact_id=item.contact_id)
        if item.contact_id not in current:
            row.contacts.append(link)
        link.role = item.role
        link.position = position


def _investor_of(session: Session, data: GridRowCreate, by: Principal) -> tuple[str, str]:
    """(kind, id) of the investor the row is for, creating it when asked to."""
    chosen = [
        name
        for name in ("organization_id", "contact_id", "new_organization", "new_contact")
        if getattr(data, name) is not None
    ]
    if len(chosen) != 1:
        raise InvalidValue(
            "give exactly one of organization_id, contact_id, new_organization, new_contact",
            field="organization_id",
        )
    if data.organization_id is not None:
        try:
            organizations.get(session, organization_id=data.organization_id)
        except RecordNotFound:
            raise InvalidValue(
                f"organization_id: no live organization {data.organization_id}",
                field="organization_id",
            ) from None
        return InvestorKind.ORGANIZATION.value, data.organization_id
    if data.contact_id is not None:
        try:
            contacts.get(session, contact_id=data.contact_id)
        except RecordNotFound:
            raise InvalidValue(
                f"contact_id: no live contact {data.contact_id}", field="contact_id"
            ) from None
        return InvestorKind.CONTACT.value, data.contact_id
    if data.new_organization is not None:
        new = data.new_organization
        created = organizations.create(
            session,
            data=OrganizationCreate(
                name=new.name, type=new.type, website=new.website, domains=new.domains
            ),
            by=by,
        )
        return InvestorKind.ORGANIZATION.value, str(created["id"])
    assert data.new_contact is not None
    person = data.new_contact
    emails = [EmailIn(email=person.email, is_primary=True)] if person.email else []
    created = contacts.create(
        session,
        data=ContactCreate(
            first_name=person.first_name,
            last_name=person.last_name,
            contact_type=person.contact_type,
            emails=emails,
        ),
        by=by,
    )
    return InvestorKind.CONTACT.value, str(created["id"])


def create_row(session: Session, *, data: GridRowCreate, by: Principal) -> dict[str, Any]:
    kind, investor_id = _investor_of(session, data, by)
    organization_id = investor_id if kind == InvestorKind.ORGANIZATION.value else None
    contact_id = investor_id if kind == InvestorKind.CONTACT.value else None
    existing = repository.row_for_investor(
        session, organization_id=organization_id, contact_id=contact_id
    )
    if existing is not None and existing.deleted_at is None:
        raise DuplicateRecord(
            "this investor already has a row in the grid", field=f"{kind}_id", row_id=existing.id
        )
    if existing is not None:
        aggregate.restored(session, kind=ROW_KIND, obj=existing, actor=by)
        changes = GridRowUpdate.model_validate(
            data.model_dump(include=set(ROW_FIELDS), exclude_unset=True)
        )
        return update_row(
            session,
            record_id=existing.id,
            data=changes,
            expected_version=existing.version,
            by=by,
        )
    position = data.position
    if position is None:
        last = repository.last_position(session)
        position = 1024.0 if last is None else float(last) + 1024.0
    row = GridRow(
        investor_kind=kind,
        organization_id=organization_id,
        contact_id=contact_id,
        position=position,
        flags=_clean_flags(data.flags),
        lead_source=data.lead_source,
        values=grid_columns.check_values(session, data.values),
    )
    aggregate.stamp_new(row, by)
    session.add(row)
    session.flush()
    _set_contacts(session, row, data.contacts)
    return aggregate.created(
        session,
        kind=ROW_KIND,
        obj=row,
        actor=by,
        payload=data.model_dump(mode="json"),
        targets=_row_targets(row),
    )


def apply_row_changes(session: Session, row: GridRow, data: GridRowUpdate) -> None:
    """Check and apply an update's fields to `row` (no version, no event: see update_row)."""
    fields = data.model_dump(exclude_unset=True)
    for name in ("position", "flags"):
        if name in fields and fields[name] is None:
            raise InvalidValue(f"{name} must not be null", field=name)
    if data.position is not None:
        row.position = data.position
    if data.flags is not None:
        row.flags = _clean_flags(data.flags)
    if "lead_source" in fields:
        row.lead_source = data.lead_source
    if data.values is not None:
        row.values = grid_columns.check_values(session, data.values, row.values)
    if data.contacts is not None:
        _set_contacts(session, row, data.contacts)


def update_row(
    session: Session,
    *,
    record_id: str,
    data: GridRowUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = repository.get_row(session, record_id, for_update=True)
    row = aggregate.require_live(row)
    aggregate.expect_version(ROW_KIND, row, expected_version)
    before = row_state(row)
    with session.no_autoflush:
        apply_row_changes(session, row, data)
    return aggregate.updated(
        session,
        kind=ROW_KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
        targets=_row_targets(row),
    )


def delete_row(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_row(session, row_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=ROW_KIND, obj=row, actor=by)


def restore_row(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_row(session, row_id=record_id, include_deleted=True)
    return aggregate.restored(session, kind=ROW_KIND, obj=row, actor=by)


def purge_row(session: Session, *, record_id: str, by: Principal) -> None:
    row = get_row(session, row_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=ROW_KIND, obj=row, actor=by)


def ensure_row(
    session: Session, *, organization_id: str | None, contact_id: str | None, by: Principal
) -> GridRow | None:
    """The investor's row, created when the investor has none yet (a deleted row stays deleted)."""
    existing = repository.row_for_investor(
        session, organization_id=organization_id, contact_id=contact_id
    )
    if existing is not None:
        return existing if existing.deleted_at is None else None
    data = (
        GridRowCreate(organization_id=organization_id)
        if organization_id is not None
        else GridRowCreate(contact_id=contact_id)
    )
    create_row(session, data=data, by=by)
    found = repository.row_for_investor(
        session, organization_id=organization_id, contact_id=contact_id
    )
    return found


def live_opportunity_id(
    session: Session, *, row: GridRow, fund_id: str, lock: bool = False
) -> str | None:
    """The id of the row's investor's live opportunity in the fund (at most one); `lock` holds
    its row until the transaction ends (PostgreSQL), for a cell edit's version check."""
    opportunity_id = repository.live_opportunity_id(
        session, organization_id=row.organization_id, contact_id=row.contact_id, fund_id=fund_id
    )
    if opportunity_id is not None and lock:
        repository.lock_opportunity(session, opportunity_id)
    return opportunity_id


# -- matching an investor (exact email or web domain; never a name) ----------------------------


_DOMAIN: TypeAdapter[str] = TypeAdapter(Domain)


def _domain_of(value: str) -> str | None:
    try:
        return _DOMAIN.validate_python(value)
    except ValidationError:
        return None


def match(session: Session, *, query: MatchQuery) -> MatchResult:
    """The live investors an email address or a web domain names exactly: the contact holding
    the address, and the organizations holding the domain (the address's own, or the one given).

    Raises:
        InvalidValue: neither an email nor a domain was given, or the domain is not one.
    """
    if not query.email and not query.domain:
        raise InvalidValue("give an email or a domain", field="email")
    candidates: list[MatchCandidate] = []
    domains: list[str] = []
    found_orgs: set[str] = set()
    if query.email:
        email = query.email.strip().lower()
        for contact in repository.contacts_with_email(session, email):
            read = contacts.to_read(contact)
            candidates.append(
                MatchCandidate(
                    kind=InvestorKind.CONTACT,
                    id=contact.id,
                    name=f"{contact.first_name} {contact.last_name}",
                    matched_by="email",
                    matched_value=email,
                    organization_id=read.primary_organization_id,
                    row_id=None,
                )
            )
        if "@" in email:
            domain = _domain_of(email.rsplit("@", 1)[1])
            if domain:
                domains.append(domain)
    if query.domain:
        domain = _domain_of(query.domain)
        if domain is None:
            raise InvalidValue(f"{query.domain!r} is not a web domain", field="domain")
        domains.append(domain)
    for domain in domains:
        for org in repository.organizations_with_domain(session, domain):
            if org.id in found_orgs:
                continue
            found_orgs.add(org.id)
            candidates.append(
                MatchCandidate(
                    kind=InvestorKind.ORGANIZATION,
                    id=org.id,
                    name=org.name,
                    matched_by="domain",
                    matched_value=domain,
                    organization_id=org.id,
                    row_id=None,
                )
            )
    rows = repository.rows_for_investors(
        session,
        organization_ids={c.id for c in candidates if c.kind is InvestorKind.ORGANIZATION},
        contact_ids={c.id for c in candidates if c.kind is InvestorKind.CONTACT},
    )
    for candidate in candidates:
        if candidate.id in rows:
            candidate.row_id, candidate.row_deleted = rows[candidate.id]
    return MatchResult(candidates=candidates)


# -- logging a communication from the grid ------------------------------------------------------


def log_communication(
    session: Session, *, row_id: str, data: RowCommunicationCreate, by: Principal
) -> dict[str, Any]:
    """Log a call, meeting, note... on the row's investor (and the fund's opportunity)."""
    row = get_row(session, row_id=row_id)
    contact_id = data.contact_id
    if row.contact_id is not None:
        if contact_id is not None and contact_id != row.contact_id:
            raise InvalidValue(
                "contact_id: this row's investor is a person; leave contact_id out",
                field="contact_id",
            )
        contact_id = row.contact_id
    opportunity_id = None
    if data.fund_id is not None:
        opportunity_id = live_opportunity_id(session, row=row, fund_id=data.fund_id)
        if opportunity_id is None:
            raise InvalidValue(
                "fund_id: the investor has no opportunity in that fund", field="fund_id"
            )
    return communications.create(
        session,
        data=CommunicationCreate(
            type=data.type,
            subject=data.subject,
            body=data.body,
            occurred_at=data.occurred_at,
            contact_id=contact_id,
            organization_id=row.organization_id,
            opportunity_id=opportunity_id,
            attendee_ids=data.attendee_ids,
            outcome=data.outcome,
            next_action=data.next_action,
            next_action_due=data.next_action_due,
            create_follow_up=data.create_follow_up,
            follow_up_owner_id=data.follow_up_owner_id,
        ),
        by=by,
    )

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Integer, Select, delete, insert, select, text, true
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session

from crm_api.contacts.models import Affiliation, Contact, ContactEmail, ContactSearch, contact_tag
from crm_api.contacts.schemas import ContactFilter
from crm_api.contacts.search import INDEXED_LENGTH, compose_document, fts_phrase
from crm_api.kit.repository import Sorts, filter_common, like, page
from crm_api.kit.text import fold
from crm_api.organizations.models import Organization

SORTS: Sorts = {
    "last_name": (Contact.last_name, False),
    "-last_name": (Contact.last_name, True),
    "first_name": (Contact.first_name, False),
    "-first_name": (Contact.first_name, True),
    "created_at": (Contact.created_at, False),
    "-created_at": (Contact.created_at, True),
    "updated_at": (Contact.updated_at, False),
    "-updated_at": (Contact.updated_at, True),
}


def get(session: Session, contact_id: str) -> Contact | None:
    return session.get(Contact, contact_id)


def email_holder(session: Session, email: str) -> str | None:
    """The live contact that has `email`, if any.

    `== true()`, not `.is_(True)`: only `is_live = 1` lets SQLite use the partial unique index
    (`IS 1` scanned all addresses), and PostgreSQL matches its `WHERE is_live` the same way.
    """
    return session.scalar(
        select(ContactEmail.contact_id).where(
            ContactEmail.email == email, ContactEmail.is_live == true()
        )
    )


def filtered(session: Session, filters: ContactFilter) -> Any:
    """The list's query with every filter applied (the list pages it, an export batches it)."""
    query: Any = filter_common(select(Contact), Contact, filters)
    if filters.q and fold(filters.q):
        query = query.where(Contact.id.in_(matching(session, filters.q)))
    for column, value in (
        (Contact.contact_type, filters.contact_type),
        (Contact.status, filters.status),
        (Contact.source, filters.source),
        (Contact.owner_id, filters.owner_id),
        (Contact.country, filters.country),
        (Contact.city, filters.city),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.organization_id is not None:
        query = query.where(
            Contact.id.in_(
                select(Affiliation.contact_id).where(
                    Affiliation.organization_id == filters.organization_id
                )
            )
        )
    if filters.email is not None:
        query = query.where(
            Contact.id.in_(
                select(ContactEmail.contact_id).where(ContactEmail.email == filters.email.lower())
            )
        )
    if filters.tag_id is not None:
        query = query.where(
            Contact.id.in_(
                select(contact_tag.c.contact_id).where(contact_tag.c.tag_id == filters.tag_id)
            )
        )
    return query


def search(session: Session, *, filters: ContactFilter) -> tuple[list[Contact], str | None, int]:
    return page(
        session,
        filtered(session, filters),
        model=Contact,
        sorts=SORTS,
        sort=filters.sort,
        params=filters,
    )


def matching(session: Session, q: str) -> Select[Any]:
    """The ids of contacts whose names, addresses or organization names contain `q`."""
    folded = fold(q)
    if len(folded) >= INDEXED_LENGTH and session.get_bind().dialect.name == "sqlite":
        rowids = (
            text("SELECT rowid FROM contact_search_fts WHERE contact_search_fts MATCH :phrase")
            .bindparams(phrase=fts_phrase(q))
            .columns(sql_column("rowid", Integer))
        )
        return select(ContactSearch.contact_id).where(ContactSearch.id.in_(rowids))
    return select(ContactSearch.contact_id).where(
        ContactSearch.document.like(like(folded), escape="\\")
    )


def index_documents(session: Session, contact_ids: Collection[str]) -> None:
    """Write the search documents of these contacts afresh, from what the session holds."""
    if not contact_ids:
        return
    session.flush()
    ids = sorted(set(contact_ids))
    emails: dict[str, list[str]] = defaultdict(list)
    for contact_id, address in session.execute(
        select(ContactEmail.contact_id, ContactEmail.email).where(ContactEmail.contact_id.in_(ids))
    ):
        emails[contact_id].append(address)
    names: dict[str, list[str]] = defaultdict(list)
    for contact_id, name in session.execute(
        select(Affiliation.contact_id, Organization.name)
        .join(Organization, Organization.id == Affiliation.organization_id)
        .where(Affiliation.contact_id.in_(ids))
    ):
        names[contact_id].append(name)
    people = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name).where(Contact.id.in_(ids))
    ).all()
    session.execute(
        delete(ContactSearch).where(ContactSearch.contact_id.in_(ids)),
        execution_options={"synchronize_session": False},  # never loaded as objects
    )
    if people:
        session.execute(
            insert(ContactSearch),
            [
                {
                    "contact_id": p.id,
                    "document": compose_document(
                        p.first_name, p.last_name, emails[p.id], names[p.id]
                    ),
                }
                for p in people
            ],
        )


def affiliated(session: Session, organization_id: str) -> list[str]:
    """The ids of the contacts affiliated with an organization."""
    return list(
        session.scalars(
            select(Affiliation.contact_id).where(Affiliation.organization_id == organization_id)
        )
    )

"""Organization rules: a managed type, one live organization per domain, live tags, custom field
values checked against the organization fields, soft delete.

What depends on an organization's name elsewhere registers a rename hook (`on_rename`): the
contacts domain refreshes the quick-match text of the people there. Organizations import no
domain above them.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.custom_fields import service as custom_fields
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue
from crm_api.lookups import service as lookups
from crm_api.organizations import repository
from crm_api.organizations.models import Organization, OrganizationDomain, organization_tag
from crm_api.organizations.schemas import (
    OrganizationCreate,
    OrganizationFilter,
    OrganizationPage,
    OrganizationRead,
    OrganizationUpdate,
)
from crm_api.tags import service as tags

ENTITY = "organization"

custom_fields.register_entity(ENTITY, Organization.custom_fields)
tags.register_link(organization_tag)


class RenameHook(Protocol):
    def __call__(self, session: Session, *, organization_id: str) -> None: ...


_RENAME_HOOKS: list[RenameHook] = []


def on_rename(hook: RenameHook) -> None:
    """Call `hook` in the transaction of every change of an organization's name."""
    if hook not in _RENAME_HOOKS:
        _RENAME_HOOKS.append(hook)


def to_read(org: Organization) -> OrganizationRead:
    return OrganizationRead(
        id=org.id,
        version=org.version,
        created_at=org.created_at,
        updated_at=org.updated_at,
        created_by=org.created_by,
        updated_by=org.updated_by,
        deleted_at=org.deleted_at,
        name=org.name,
        type=org.type,
        website=org.website,
        domains=[d.domain for d in org.domains],
        description=org.description,
        tags=tags.refs(org.tags),
        custom_fields=dict(org.custom_fields or {}),
    )


def state(org: Organization) -> dict[str, Any]:
    return to_read(org).model_dump(mode="json")


KIND = aggregate.Kind(name="organization", path="/api/organizations", state=state)


def _set_domains(session: Session, org: Organization, domains: list[str]) -> None:
    wanted = sorted(set(domains))
    for domain in wanted:
        owner = repository.domain_owner(session, domain)
        if owner is not None and owner != org.id:
            raise DuplicateRecord(
                f"{domain} belongs to another organization", field="domains", organization_id=owner
            )
    current = {d.domain: d for d in org.domains}
    for domain, row in current.items():
        if domain not in wanted:
            org.domains.remove(row)
    session.flush()
    for domain in wanted:
        if domain not in current:
            org.domains.append(OrganizationDomain(domain=domain, is_live=org.deleted_at is None))


def get(session: Session, *, organization_id: str, include_deleted: bool = False) -> Organization:
    return aggregate.require_live(
        repository.get(session, organization_id), include_deleted=include_deleted
    )


def read(session: Session, *, record_id: str) -> OrganizationRead:
    return to_read(get(session, organization_id=record_id))


def search(session: Session, *, filters: OrganizationFilter) -> OrganizationPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return OrganizationPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: OrganizationCreate, by: Principal) -> dict[str, Any]:
    lookups.require(session, list_name="organization_type", value=data.type, field="type")
    org = Organization(
        name=data.name,
        type=data.type,
        website=str(data.website) if data.website else None,
        description=data.description,
        custom_fields=custom_fields.apply(session, entity=ENTITY, given=data.custom_fields),
    )
    org.tags = tags.resolve(session, data.tag_ids)
    aggregate.stamp_new(org, by)
    session.add(org)
    session.flush()
    _set_domains(session, org, data.domains)
    return aggregate.created(
        session, kind=KIND, obj=org, actor=by, payload=data.model_dump(mode="json")
    )


def update(
    session: Session,
    *,
    record_id: str,
    data: OrganizationUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    org = get(session, organization_id=record_id)
    aggregate.expect_version(KIND, org, expected_version)
    before = state(org)
    fields = data.model_dump(exclude_unset=True)
    if "name" in fields:
        if data.name is None or not data.name.strip():
            raise InvalidValue("name must not be blank", field="name")
        if org.name != data.name.strip():
            org.name = data.name.strip()
            for hook in _RENAME_HOOKS:
                hook(session, organization_id=org.id)
    if "type" in fields:
        if data.type is None:
            raise InvalidValue("type must not be null", field="type")
        org.type = lookups.require(
            session, list_name="organization_type", value=data.type, field="type"
        )
    if "website" in fields:
        org.website = str(data.website) if data.website else None
    if "description" in fields:
        org.description = data.description or ""
    if "domains" in fields:
        _set_domains(session, org, data.domains or [])
    if data.tag_ids is not None:
        org.tags = tags.replace(session, org.tags, data.tag_ids)
    if data.custom_fields is not None:
        org.custom_fields = custom_fields.apply(
            session, entity=ENTITY, given=data.custom_fields, current=org.custom_fields or {}
        )
    return aggregate.updated(
        session,
        kind=KIND,
        obj=org,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    org = get(session, organization_id=record_id, include_deleted=True)
    for domain in org.domains:
        domain.is_live = False
    return aggregate.soft_deleted(session, kind=KIND, obj=org, actor=by)


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    org = get(session, organization_id=record_id, include_deleted=True)
    if org.deleted_at is not None:
        for domain in org.domains:
            owner = repository.domain_owner(session, domain.domain)
            if owner is not None and owner != org.id:
                raise DuplicateRecord(
                    f"{domain.domain} now belongs to another organization; remove it first",
                    organization_id=owner,
                )
            domain.is_live = True
    return aggregate.restored(session, kind=KIND, obj=org, actor=by)


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    org = get(session, organization_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=KIND, obj=org, actor=by)


# The list's own query, for crm_api.exports (which reads it a batch at a time, unpaged).
SORTS = repository.SORTS


def filtered(session: Session, filters: OrganizationFilter) -> Any:
    """The query the list runs for `filters`, without paging."""
    return repository.filtered(session, filters)


def domain_owner(session: Session, *, domain: str) -> str | None:
    """The id of the organization that has the web domain live, if any."""
    return repository.domain_owner(session, domain)

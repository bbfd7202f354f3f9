"""The import planner: checking rows of a contacts CSV against the database and the rows
before them, writing nothing.

Every row is checked first, without writing (the dry run stops there):
- a row is matched to the live contact holding one of its addresses (email, email_2; any case):
  matched → update, else create; a blank row is skipped;
- errors: no email or an invalid one, an address on two rows of the file, addresses held by two
  contacts, two rows matching one contact, a new contact without first and last name (full_name
  is split when they are absent), a value outside a managed list (values or labels, any case),
  a value the contact or organization schemas refuse, extra values beyond the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.contacts import service as contacts
from crm_api.contacts.models import Contact
from crm_api.contacts.schemas import ContactCreate, ContactUpdate
from crm_api.imports import repository
from crm_api.kit.errors import RecordNotFound
from crm_api.kit.schemas import Domain
from crm_api.lookups import service as lookups
from crm_api.organizations import service as organizations
from crm_api.organizations.models import Organization
from crm_api.organizations.schemas import OrganizationCreate

# Stands in for an organization not created yet, so a row's affiliation can be checked.
_PLACEHOLDER_ORG = "0" * 36
_EMAIL = TypeAdapter(EmailStr)
_DOMAIN = TypeAdapter(Domain)
_SCALARS = ("title", "city", "region", "country", "notes")
_CHOICES = {  # target → (managed list, contact attribute)
    "contact_type": ("contact_type", "contact_type"),
    "status": ("contact_status", "status"),
    "source": ("contact_source", "source"),
}
# Where a schema's complaint about a payload field belongs among the mapping's targets.
TARGET_OF = {
    "emails": "email",
    "phones": "phone",
    "affiliations": "role",
    "domains": "organization_domain",
}
_PARTICLES = frozenset(
    ("van", "von", "de", "der", "den", "da", "das", "dos", "del", "della", "di", "du", "la", "le")
    + ("ter", "ten", "bin", "ibn", "al")
)
_SUFFIXES = frozenset(("jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "cfa"))
OrgRef = tuple[Literal["id", "new"], str]


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).casefold()


def _words(text: str) -> str:
    return " ".join(text.split())


def split_full_name(full: str) -> tuple[str, str]:
    """("Ada", "Lovelace") from "Ada Lovelace" or "Lovelace, Ada"; particles and suffixes stay
    with the last name ("Ludwig van Beethoven", "Martin Luther King Jr.")."""
    if "," in full:
        last, _, first = full.partition(",")
        if first.strip() and last.strip() and first.strip().casefold() not in _SUFFIXES:
            return _words(first), _words(last)
    words = full.split()
    if len(words) < 2:
        return (words[0] if words else ""), ""
    start = len(words) - 1
    while start > 1 and words[start].casefold().strip(",") in _SUFFIXES:
        start -= 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:]).replace(" ,", ",")


def _url(raw: str) -> str:
    return raw if "://" in raw else f"https://{raw}"


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


@dataclass(slots=True)
class Draft:
    """One row, checked: what it does, and the payload to do it with."""

    line: int
    action: str = "skip"
    contact_id: str | None = None
    version: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    organization: OrgRef | None = None
    role: str | None = None

    def changes(self) -> list[str]:
        return sorted(self.fields) if self.action == "update" else []

    def compact(self) -> dict[str, Any]:
        row: dict[str, Any] = {"row": self.line, "action": self.action}
        if self.contact_id is not None:
            row["contact_id"] = self.contact_id
        if changes := self.changes():
            row["changes"] = changes
        if self.errors:
            row["errors"] = [{"field": f, "message": m} for f, m in self.errors]
        return row


@dataclass
class Report:
    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"create": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    )

    def add(self, draft: Draft) -> None:
        self.rows.append(draft.compact())
        self.counts[draft.action] += 1
        if draft.action == "update" and not draft.fields:
            self.counts["unchanged"] += 1

    def body(
        self, header: dict[str, Any], *, committed: bool, organizations: int
    ) -> dict[str, Any]:
        totals = {"rows": len(self.rows), **self.counts, "organizations_created": organizations}
        return header | {"committed": committed, "totals": totals, "rows": self.rows}


class Planner:
    """Checks rows against the database and the rows before them."""

    def __init__(
        self, session: Session, *, columns: dict[str, int], width: int, by: Principal
    ) -> None:
        self.session = session
        self.columns = columns
        self.width = width
        self.by = by
        self.seen_emails: dict[str, int] = {}
        self.seen_contacts: dict[str, int] = {}
        self.choices: dict[str, tuple[dict[str, str], list[str]]] = {}
        self.domain_owners: dict[str, str | None] = {}
        self.named: dict[str, str | None] = {}
        self.planned: dict[str, dict[str, Any]] = {}  # name key → OrganizationCreate payload
        self.planned_domains: dict[str, str] = {}  # domain → name key
        self.pinned: dict[str, Organization | None] = {}

    # -- checking -------------------------------------------------------------------------------

    def evaluate(self, line: int, cells: list[str]) -> Draft:
        draft = Draft(line)
        if not any(cell.strip() for cell in cells):
            return draft
        values = {
            target: cells[index].strip()
            for target, index in self.columns.items()
            if index < len(cells) and cells[index].strip()
        }
        errors = draft.errors
        if len(cells) > self.width and any(cell.strip() for cell in cells[self.width :]):
            errors.append(("row", f"{len(cells)} values, but the header names {self.width}"))
        addresses = self._addresses(values, errors, line)
        contact = self._match(addresses, errors, line)
        draft.organization = self._organization(values, errors)
        draft.role = values.get("role")
        if isinstance(contact, Contact):
            draft.contact_id, draft.version = contact.id, contact.version
            self._plan_update(draft, contact, values, addresses)
        elif contact is None:
            self._plan_create(draft, values, addresses)
        draft.action = "error" if errors else ("create" if contact is None else "update")
        return draft

    def _addresses(
        self, values: dict[str, str], errors: list[tuple[str, str]], line: int
    ) -> list[str]:
        found: list[str] = []
        for target in ("email", "email_2"):
            raw = values.get(target)
            if raw is None:
                continue
            try:
                address = str(_EMAIL.validate_python(raw)).lower()
            except ValidationError:
                errors.append((target, f"{raw!r} is not an email address"))
                continue
            if address in found:
                continue
            earlier = self.seen_emails.setdefault(address, line)
            if earlier != line:
                errors.append((target, f"{address} is also on row {earlier}"))
            found.append(address)
        if not found and not any(f in ("email", "email_2") for f, _ in errors):
            errors.append(("email", "missing: rows are matched to contacts by email"))
        return found

    def _match(
        self, addresses: list[str], errors: list[tuple[str, str]], line: int
    ) -> Contact | Literal["ambiguous"] | None:
        """The live contact holding one of the addresses; "ambiguous" when two hold them."""
        holders: dict[str, str] = {}
        for address in addresses:
            holder = contacts.email_holder(self.session, email=address)
            if holder is not None:
                holders.setdefault(holder, address)
        if len(holders) > 1:
            errors.append(
                (
                    "email",
                    "the addresses belong to different contacts: "
                    + ", ".join(f"{a} to {c}" for c, a in holders.items()),
                )
            )
            return "ambiguous"
        if not holders:
            return None
        contact_id = next(iter(holders))
        earlier = self.seen_contacts.setdefault(contact_id, line)
        if earlier != line:
            errors.append(("email", f"matches the same contact as row {earlier}"))
        return contacts.get(self.session, contact_id=contact_id)

    def _choice(
        self, list_name: str, raw: str, errors: list[tuple[str, str]], target: str
    ) -> str | None:
        """The managed value `raw` names (by value or label, any case), else an error."""
        if list_name not in self.choices:
            rows = [v for v in lookups.values(self.session, list_name=list_name) if v.is_active]
            table = {_squash(v.label): v.value for v in rows} | {
                _squash(v.value): v.value for v in rows
            }
            self.choices[list_name] = (table, [v.value for v in rows])
        table, allowed = self.choices[list_name]
        value = table.get(_squash(raw))
        if value is None:
            errors.append((target, f"{raw!r} is not one of {', '.join(allowed)}"))
        return value

    def _organization(self, values: dict[str, str], errors: list[tuple[str, str]]) -> OrgRef | None:
        name, raw_domain = values.get("organization"), values.get("organization_domain")
        raw_type = values.get("organization_type")
        org_type = (
            self._choice("organization_type", raw_type, errors, "organization_type")
            if raw_type
            else None
        )
        if name is None and raw_domain is None:
            return None
        domain = None
        if raw_domain is not None:
            try:
                domain = _DOMAIN.validate_python(raw_domain)
            except ValidationError:
                errors.append(("organization_domain", f"{raw_domain!r} is not a domain name"))
        if domain is not None:
            if domain not in self.domain_owners:
                self.domain_owners[domain] = organizations.domain_owner(self.session, domain=domain)
            owner = self.domain_owners[domain]
            if owner is not None:
                return ("id", owner)
            if domain in self.planned_domains:
                return ("new", self.planned_domains[domain])
        if name is None:
            if domain is not None:
                errors.append(
                    (
                        "organization",
                        f"no organization has the domain {domain}; name it to create one",
                    )
                )
            return None
        key = name.lower()
        if key not in self.named:
            self.named[key] = repository.organization_named(self.session, name)
        if (found := self.named[key]) is not None:
            return ("id", found)
        if key in self.planned:
            return ("new", key)
        if org_type is None:
            default = str(OrganizationCreate.model_fields["type"].default)
            org_type = self._choice("organization_type", default, errors, "organization_type")
        payload = {"name": name, "type": org_type, "domains": [domain] if domain else []}
        if not self._valid(OrganizationCreate, payload, errors, "organization"):
            return None
        self.planned[key] = payload
        if domain is not None:
            self.planned_domains[domain] = key
        return ("new", key)

    def _names(self, values: dict[str, str]) -> tuple[str | None, str | None]:
        first, last = values.get("first_name"), values.get("last_name")
        if (first is None or last is None) and "full_name" in values:
            split_first, split_last = split_full_name(values["full_name"])
            first, last = first or split_first or None, last or split_last or None
        return first, last

    def _plan_create(self, draft: Draft, values: dict[str, str], addresses: list[str]) -> None:
        errors = draft.errors
        first, last = self._names(values)
        for name, value in (("first_name", first), ("last_name", last)):
            if value is None:
                errors.append(
                    (name, "missing: a new contact needs first_name and last_name (or full_name)")
                )
        payload: dict[str, Any] = {
            "first_name": first or "-",
            "last_name": last or "-",
            "emails": [{"email": a, "is_primary": i == 0} for i, a in enumerate(addresses)],
        }
        for name in _SCALARS:
            if name in values:
                payload[name] = values[name]
        for target, (list_name, attribute) in _CHOICES.items():
            raw = values.get(target)
            if raw is None:
                default = ContactCreate.model_fields[attribute].default
                if default is None:
                    continue
                raw = str(default)
            payload[attribute] = self._choice(list_name, raw, errors, target) or raw
        if "linkedin_url" in values:
            payload["linkedin_url"] = _url(values["linkedin_url"])
        if "phone" in values:
            payload["phones"] = [{"number": values["phone"]}]
        self._valid(ContactCreate, self._with_affiliation(payload, draft), errors)
        draft.fields = payload

    def _plan_update(
        self, draft: Draft, contact: Contact, values: dict[str, str], addresses: list[str]
    ) -> None:
        errors = draft.errors
        changes: dict[str, Any] = {}
        first, last = values.get("first_name"), values.get("last_name")
        if (first is None or last is None) and "full_name" in values:
            full = values["full_name"]
            current = f"{contact.first_name} {contact.last_name}"
            if (
                split_full_name(full) != (contact.first_name, contact.last_name)
                and _words(full).casefold() != _words(current).casefold()
            ):
                first, last = self._names(values)
        if first is not None and first != contact.first_name:
            changes["first_name"] = first
        if last is not None and last != contact.last_name:
            changes["last_name"] = last
        for name in _SCALARS:
            if name in values and values[name] != (getattr(contact, name) or ""):
                changes[name] = values[name]
        for target, (list_name, attribute) in _CHOICES.items():
            if target in values:
                value = self._choice(list_name, values[target], errors, target)
                if value is not None and value != getattr(contact, attribute):
                    changes[attribute] = value
        if "linkedin_url" in values:
            url = _url(values["linkedin_url"])
            try:
                url = str(ContactUpdate.model_validate({"linkedin_url": url}).linkedin_url)
            except ValidationError:
                errors.append(("linkedin_url", f"{values['linkedin_url']!r} is not a URL"))
            if url != contact.linkedin_url:
                changes["linkedin_url"] = url
        have = {e.email for e in contact.emails}
        if new := [a for a in addresses if a not in have]:
            changes["emails"] = [
                {"email": e.email, "label": e.label, "is_primary": e.is_primary}
                for e in contact.emails
            ] + [{"email": a} for a in new]
        if "phone" in values:
            phones = list(contact.phones or [])
            if _digits(values["phone"]) not in {_digits(str(p.get("number", ""))) for p in phones}:
                changes["phones"] = [*phones, {"number": values["phone"]}]
        ref = draft.organization
        linked = {a.organization_id for a in contact.affiliations}
        if ref is not None and not (ref[0] == "id" and ref[1] in linked):
            if any(self._deleted_organization(org_id) for org_id in linked):
                errors.append(
                    (
                        "organization",
                        "the contact is affiliated with a deleted organization; "
                        "remove that affiliation before adding one",
                    )
                )
            changes["affiliations"] = [
                {
                    "organization_id": a.organization_id,
                    "role": a.role,
                    "start_date": a.start_date,
                    "end_date": a.end_date,
                    "is_primary": a.is_primary,
                }
                for a in contact.affiliations
            ]
        self._valid(ContactUpdate, self._with_affiliation(changes, draft), errors)
        draft.fields = changes

    def _deleted_organization(self, organization_id: str) -> bool:
        org = self._pin(organization_id)
        return org is None or org.deleted_at is not None

    @staticmethod
    def _with_affiliation(
        payload: dict[str, Any], draft: Draft, organization_id: str = _PLACEHOLDER_ORG
    ) -> dict[str, Any]:
        """The payload with the row's affiliation added (to `organization_id`), if it has one."""
        if draft.organization is None:
            return payload
        if draft.contact_id is None:  # a new contact
            affiliations: list[dict[str, Any]] = []
            primary = True
        elif "affiliations" in payload:
            affiliations = list(payload["affiliations"])
            primary = not affiliations
        else:
            return payload
        new = {"organization_id": organization_id, "role": draft.role, "is_primary": primary}
        return payload | {"affiliations": [*affiliations, new]}

    @staticmethod
    def _valid(
        schema: type[BaseModel],
        payload: dict[str, Any],
        errors: list[tuple[str, str]],
        target: str | None = None,
    ) -> bool:
        try:
            schema.model_validate(payload)
        except ValidationError as exc:
            known = {f for f, _ in errors}
            for error in exc.errors():
                loc = error.get("loc") or ("row",)
                name = target or TARGET_OF.get(str(loc[0]), str(loc[0]))
                if name not in known:
                    errors.append((name, error.get("msg", "invalid")))
                    known.add(name)
            return False
        return True

    def _pin(self, organization_id: str) -> Organization | None:
        """The organization, kept in the session: the contacts service reads it for each link."""
        if organization_id not in self.pinned:
            try:
                found: Organization | None = organizations.get(
                    self.session, organization_id=organization_id, include_deleted=True
                )
            except RecordNotFound:
                found = None
            self.pinned[organization_id] = found
        return self.pinned[organization_id]

"""Planning an import of a fundraising spreadsheet into the grid, line by line, writing nothing:
which row each line is, and what it would create or change.

- A line's investor: the row its Row ID names; else, for an organization, the one holding the
  line's web domain (or its email's domain); for a person, the live contact with its email; else a
  new organization (or contact) is created with the line's name. Never matched by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from crm_api.custom_fields.schemas import FieldType
from crm_api.grid.columns import service as grid_columns
from crm_api.grid.facts import RowFacts, money
from crm_api.grid.pivot import service as grid_pivot
from crm_api.lookups import service as lookups
from crm_api.spreadsheets import repository
from crm_api.spreadsheets.recognise import (
    KINDS,
    cell_text,
    column_value,
    domain_of,
    email_of,
    flags_of,
    parse_amount,
    resolve_columns,
)
from crm_api.spreadsheets.tables import Table, Value


@dataclass
class Line:
    number: int
    name: str = ""
    kind: str = "organization"
    row: RowFacts | None = None
    organization_id: str | None = None
    contact_id: str | None = None
    matched_by: str | None = None
    email: str | None = None
    domains: list[str] = field(default_factory=list)
    row_fields: dict[str, Any] = field(default_factory=dict)  # GridRowUpdate fields to set
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)  # fund id -> CellChanges
    changes: list[dict[str, str | None]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})

    @property
    def action(self) -> str:
        if self.errors:
            return "error"
        if self.row is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class Plan:
    targets: list[str]
    header: list[str]
    lines: list[Line]
    new_columns: dict[str, str]  # key -> label


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def plan(
    session: Session,
    *,
    table: Table,
    amount_field: str,
    default_stage: str,
    mapping: str | None,
) -> Plan:
    """What importing `table` would do, line by line; writes nothing."""
    funds = grid_columns.live_funds(session)
    customs = grid_columns.custom_columns(session)
    targets = resolve_columns(
        table.header, funds=funds, customs=customs, amount_field=amount_field, mapping=mapping
    )
    custom_types = {c.key: c.type for c in customs}
    new_columns = {
        t.removeprefix("new_column:"): h
        for t, h in zip(targets, table.header, strict=True)
        if t.startswith("new_column:")
    }
    stages = {
        key: value.value
        for value in lookups.values(session, list_name="pipeline_stage")
        for key in (value.value.casefold(), value.label.casefold())
    }
    rows = grid_pivot.row_facts(session)
    by_row_id = {r.id: r for r in rows}
    by_org = {r.organization_id: r for r in rows if r.organization_id}
    by_contact = {r.contact_id: r for r in rows if r.contact_id}
    deleted = {
        r.organization_id or r.contact_id: r for r in grid_pivot.row_facts(session, deleted="only")
    }

    raw_lines: list[tuple[int, dict[str, Value]]] = []
    for number, cells in table.rows:
        values: dict[str, Value] = {}
        for index, target in enumerate(targets):
            if target != "ignore":
                values[target] = cells[index] if index < len(cells) else None
        raw_lines.append((number, values))
    emails = {
        e
        for _, v in raw_lines
        for e in [email_of(cell_text(v.get("field:email")))]
        + [email_of(p.strip()) for p in re.split(r"[;,]", cell_text(v.get("field:contacts")))]
        if e
    }
    domains = {
        d
        for _, v in raw_lines
        for d in [
            *(domain_of(p.strip()) for p in re.split(r"[;,]", cell_text(v.get("field:domain")))),
            domain_of(cell_text(v.get("field:email")).rpartition("@")[2]),
        ]
        if d
    }
    contact_by_email = repository.contacts_by_email(session, emails)
    org_by_domain = repository.organizations_by_domain(session, domains)

    lines: list[Line] = []
    claimed: dict[str, int] = {}
    for number, values in raw_lines:
        line = Line(number=number, name=cell_text(values.get("field:name")))
        _resolve_investor(
            line,
            values,
            by_row_id=by_row_id,
            by_org=by_org,
            by_contact=by_contact,
            deleted=deleted,
            contact_by_email=contact_by_email,
            org_by_domain=org_by_domain,
        )
        investor = line.row.id if line.row else (line.organization_id or line.contact_id)
        if investor and not line.errors:
            if investor in claimed:
                line.error("row", f"the same investor as line {claimed[investor]}")
            claimed[investor] = number
        _plan_fields(line, values, custom_types, contact_by_email)
        _plan_cells(line, values, stages, default_stage)
        lines.append(line)
    return Plan(targets=targets, header=table.header, lines=lines, new_columns=new_columns)


def _resolve_investor(
    line: Line,
    values: dict[str, Value],
    *,
    by_row_id: dict[str, RowFacts],
    by_org: dict[str, RowFacts],
    by_contact: dict[str, RowFacts],
    deleted: dict[str | None, RowFacts],
    contact_by_email: dict[str, str],
    org_by_domain: dict[str, str],
) -> None:
    kind_text = cell_text(values.get("field:kind")).casefold()
    kind = KINDS.get(kind_text)
    if kind is None:
        line.error("Type", f"{kind_text!r} is not organization or contact")
        return
    line.kind = kind
    row_id = cell_text(values.get("field:row_id"))
    email_text = cell_text(values.get("field:email"))
    line.email = email_of(email_text) if email_text else None
    if email_text and line.email is None:
        line.error("Email", f"{email_text!r} is not an email address")
    for part in re.split(r"[;,]", cell_text(values.get("field:domain"))):
        if part.strip():
            domain = domain_of(part.strip())
            if domain is None:
                line.error("Domain", f"{part.strip()!r} is not a web domain")
            elif domain not in line.domains:
                line.domains.append(domain)
    if row_id:
        row = by_row_id.get(row_id)
        if row is None:
            line.error("Row ID", f"no live grid row {row_id}")
            return
        line.row, line.matched_by = row, "row_id"
        line.kind = row.investor_kind
        line.organization_id, line.contact_id = row.organization_id, row.contact_id
        return
    if kind == "organization":
        candidates = [*line.domains]
        if line.email:
            candidates.append(line.email.rpartition("@")[2])
        for domain in candidates:
            if domain in org_by_domain:
                line.organization_id, line.matched_by = org_by_domain[domain], "domain"
                line.row = by_org.get(line.organization_id)
                break
    elif line.email and line.email in contact_by_email:
        line.contact_id, line.matched_by = contact_by_email[line.email], "email"
        line.row = by_contact.get(line.contact_id)
    investor = line.organization_id or line.contact_id
    if investor and line.row is None and investor in deleted:
        line.warnings.append("the investor's deleted row is restored")
    if line.matched_by is None:
        line.matched_by = "new"
        if not line.name:
            line.error("Investor", "no name, and no row id, email or domain that matches")
        elif kind == "contact" and len(line.name.split()) < 2:
            line.error("Investor", "a person needs a first and a last name")


def _plan_fields(
    line: Line,
    values: dict[str, Value],
    custom_types: dict[str, str],
    contact_by_email: dict[str, str],
) -> None:
    row = line.row
    if "field:lead_source" in values:
        text = cell_text(values["field:lead_source"]) or None
        if text is not None and (row is None or row.lead_source != text):
            line.row_fields["lead_source"] = text
            line.changes.append(
                {"target": "lead_source", "before": row.lead_source if row else None, "after": text}
            )
    if "field:flags" in values and cell_text(values["field:flags"]):
        try:
            flags = flags_of(cell_text(values["field:flags"]))
        except ValueError as exc:
            line.error("Flags", str(exc))
        else:
            current = sorted(row.flags) if row else []
            if flags != current:
                line.row_fields["flags"] = flags
                line.changes.append(
                    {"target": "flags", "before": _str(current), "after": _str(flags)}
                )
    if "field:contacts" in values and cell_text(values["field:contacts"]):
        wanted: list[str] = []
        for part in re.split(r"[;,]", cell_text(values["field:contacts"])):
            email = email_of(part.strip())
            if email is None:
                continue
            if email not in contact_by_email:
                line.warnings.append(f"no contact has the email {email}; not linked")
                continue
            if contact_by_email[email] not in wanted:
                wanted.append(contact_by_email[email])
        current_ids = row.contact_ids if row else []
        if wanted and wanted != current_ids:
            line.row_fields["contacts"] = [{"contact_id": c} for c in wanted]
            line.changes.append(
                {"target": "contacts", "before": _str(current_ids), "after": _str(wanted)}
            )
    given: dict[str, Any] = {}
    for target, value in values.items():
        if target.startswith(("column:", "new_column:")):
            key = target.partition(":")[2]
            try:
                parsed = column_value(custom_types.get(key, FieldType.TEXT.value), value)
            except (ValueError, InvalidOperation):
                line.error(key, f"{cell_text(value)!r} does not fit the column")
                continue
            held = row.values.get(key) if row else None
            if parsed is not None and parsed != held:
                given[key] = parsed
                line.changes.append(
                    {"target": f"column:{key}", "before": _str(held), "after": _str(parsed)}
                )
    if given:
        line.row_fields["values"] = given


def _plan_cells(
    line: Line, values: dict[str, Value], stages: dict[str, str], default_stage: str
) -> None:
    by_fund: dict[str, dict[str, Any]] = {}
    for target, value in values.items():
        if not target.startswith("fund:"):
            continue
        _, fund_id, attr = target.split(":")
        if attr == "stage":
            text = cell_text(value)
            if not text:
                continue
            stage = stages.get(text.casefold())
            if stage is None:
                line.error(target, f"{text!r} is not a pipeline stage")
                continue
            by_fund.setdefault(fund_id, {})["stage"] = stage
            continue
        try:
            amount = parse_amount(value)
        except ValueError as exc:
            line.error(target, str(exc))
            continue
        if amount is not None:
            by_fund.setdefault(fund_id, {})[attr] = amount
    for fund_id, wanted in by_fund.items():
        cell = line.row.cells.get(fund_id) if line.row else None
        changes: dict[str, Any] = {}
        for attr, value in wanted.items():
            current: Any
            if cell is None:
                current = None
            elif attr == "stage":
                current = cell.stage
            else:
                current = money(cell.cents(attr))
            if current != value:
                changes[attr] = value
                line.changes.append(
                    {
                        "target": f"fund:{fund_id}:{attr}",
                        "before": _str(current),
                        "after": str(value),
                    }
                )
        if cell is None and changes and "stage" not in changes:
            changes["stage"] = default_stage
        if changes:
            line.cells[fund_id] = changes

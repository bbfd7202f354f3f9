"""crm-api's records as the tools show them: the fields an agent needs, untrusted text quoted."""

from __future__ import annotations

import base64
import json
from typing import Any

from mcp_gateway.errors import Invalid
from mcp_gateway.schemas import (
    CommunicationItem,
    ContactCard,
    FollowUpItem,
    LpProfileCard,
    Money,
    OrganizationCard,
    Position,
)
from mcp_gateway.untrusted import Quoter


def _name(contact: dict[str, Any]) -> str:
    return " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)


def contact_card(row: dict[str, Any], quote: Quoter) -> ContactCard:
    notes = row.get("notes") or ""
    return ContactCard(
        id=row["id"],
        name=_name(row),
        title=row.get("title"),
        contact_type=row.get("contact_type", ""),
        status=row.get("status", ""),
        primary_email=row.get("primary_email"),
        emails=[e["email"] for e in row.get("emails", []) if isinstance(e, dict) and "email" in e],
        primary_organization_id=row.get("primary_organization_id"),
        owner_id=row.get("owner_id"),
        notes=quote(notes, type="contact", id=row["id"], field="notes") if notes else None,
    )


def organization_card(row: dict[str, Any], quote: Quoter) -> OrganizationCard:
    description = row.get("description") or ""
    return OrganizationCard(
        id=row["id"],
        name=row.get("name", ""),
        type=row.get("type", ""),
        website=row.get("website"),
        domains=list(row.get("domains", [])),
        description=quote(description, type="organization", id=row["id"], field="description")
        if description
        else None,
    )


def position(row: dict[str, Any], quote: Quoter) -> Position:
    step = row.get("next_step") or ""
    return Position(
        opportunity_id=row["id"],
        fund_id=row["fund_id"],
        stage=row["stage"],
        version=row["version"],
        investor_organization_id=row.get("investor_organization_id"),
        investor_contact_id=row.get("investor_contact_id"),
        amounts=Money(
            currency=row.get("currency", ""),
            expected=row.get("expected_amount"),
            committed=row.get("committed_amount"),
            funded=row.get("funded_amount"),
        ),
        owner_id=row.get("owner_id"),
        close_date=row.get("close_date"),
        next_step=quote(step, type="opportunity", id=row["id"], field="next_step")
        if step
        else None,
    )


def lp_profile_card(row: dict[str, Any]) -> LpProfileCard:
    return LpProfileCard(
        id=row["id"],
        investor_type=row.get("investor_type", ""),
        accreditation_status=row.get("accreditation_status", ""),
        accreditation_method=row.get("accreditation_method"),
        accreditation_verified_on=row.get("accreditation_verified_on"),
        accreditation_expires_on=row.get("accreditation_expires_on"),
        accreditation_current=bool(row.get("accreditation_current", False)),
        qualified_purchaser=str(row.get("qualified_purchaser", "")),
        kyc_aml_status=row.get("kyc_aml_status", ""),
        legal_docs_signed_on=row.get("legal_docs_signed_on"),
        wire_received_on=row.get("wire_received_on"),
        totals=[
            Money(
                currency=t["currency"],
                expected=t.get("expected"),
                committed=t.get("committed"),
                funded=t.get("funded"),
            )
            for t in row.get("totals", [])
        ],
    )


def communication(row: dict[str, Any], quote: Quoter) -> CommunicationItem:
    channel = row.get("type")
    return CommunicationItem(
        id=row["id"],
        type=row.get("type", ""),
        occurred_at=row["occurred_at"],
        contact_id=row.get("contact_id"),
        organization_id=row.get("organization_id"),
        opportunity_id=row.get("opportunity_id"),
        subject=quote(
            row.get("subject"),
            type="communication",
            id=row["id"],
            field="subject",
            channel=channel,
        ),
        body=quote(
            row.get("body"),
            type="communication",
            id=row["id"],
            field="body",
            channel=channel,
        ),
        outcome=row.get("outcome"),
        next_action_due=row.get("next_action_due"),
    )


def follow_up(row: dict[str, Any], quote: Quoter) -> FollowUpItem:
    return FollowUpItem(
        id=row["id"],
        title=quote(row.get("title"), type="follow_up", id=row["id"], field="title"),
        due_date=row["due_date"],
        status=row.get("status", ""),
        is_overdue=bool(row.get("is_overdue", False)),
        owner_id=row.get("owner_id"),
        contact_id=row.get("contact_id"),
        organization_id=row.get("organization_id"),
        opportunity_id=row.get("opportunity_id"),
        version=row.get("version", 1),
    )


# -- cursors over lists the gateway assembles ----------------------------------------------------


def offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def read_offset(cursor: str | None) -> int:
    """Raises: Invalid: not a cursor this gateway gave."""
    if not cursor:
        return 0
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        offset = int(value["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("cursor: not a next_cursor this tool returned") from exc
    if offset < 0:
        raise Invalid("cursor: not a next_cursor this tool returned")
    return offset

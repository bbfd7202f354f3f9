"""A seeded synthetic CRM: `crm-api demo` (what `make demo` runs) and the benchmarks' data.

Rows are bulk-inserted (batches of 5,000) rather than made through the services: a million
communications through the service layer would write a million audit rows, interaction-log rows
and events. Consumers learn the data from the snapshot published at the end, which is exactly
the path a consumer takes to rebuild. The same seed gives the same CRM.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

from crm_api.communications.models import Communication, CommunicationAttendee
from crm_api.contacts import service as contacts_service
from crm_api.contacts.models import Affiliation, Contact, ContactEmail
from crm_api.demo import repository
from crm_api.demo.words import (
    COMM_TYPES,
    FIRST,
    LAST,
    ORG_KINDS,
    ORG_WORDS,
    STAGES,
    TOPICS,
    VERBS,
)
from crm_api.followups.models import FollowUp
from crm_api.funds.models import Fund
from crm_api.lp_profiles.models import LpProfile
from crm_api.opportunities.models import Opportunity
from crm_api.organizations.models import Organization, OrganizationDomain
from crm_common.db import Database
from crm_common.ids import new_id_str

BATCH = 5_000
ACTOR = "crm-api"


@dataclass
class DemoSize:
    organizations: int = 400
    contacts: int = 2_000
    communications: int = 20_000
    funds: int = 6
    seed: int = 31

    @classmethod
    def bench(cls) -> DemoSize:
        return cls(organizations=20_000, contacts=100_000, communications=1_000_000, funds=12)


@dataclass
class DemoResult:
    counts: dict[str, int] = field(default_factory=dict)
    contact_ids: list[str] = field(default_factory=list)


def _stamp(now: datetime) -> dict[str, Any]:
    return {
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": ACTOR,
        "updated_by": ACTOR,
        "deleted_at": None,
        "deleted_by": None,
    }


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Writer:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.counts: dict[str, int] = {}

    def write(self, model: type[Any], rows: Iterator[dict[str, Any]]) -> None:
        table: Table = model.__table__
        extra: dict[str, Any] = {"custom_fields": {}} if "custom_fields" in table.c else {}
        for batch in _batches(rows):
            if extra:
                batch = [row | extra for row in batch]
            with self.db.transaction() as session:
                repository.insert_rows(session, table, batch)
            self.counts[table.name] = self.counts.get(table.name, 0) + len(batch)


def generate(db: Database, size: DemoSize) -> DemoResult:
    """Fill `db` (migrated, no CRM records yet) with a synthetic CRM of `size`."""
    rng = random.Random(size.seed)
    now = datetime.now(UTC)
    writer = _Writer(db)
    with db.session() as session:
        owners = repository.active_user_ids(session)

    org_ids = [new_id_str() for _ in range(size.organizations)]
    org_rows, domain_rows = [], []
    for index, org_id in enumerate(org_ids):
        kind, suffix = rng.choice(ORG_KINDS)
        word = rng.choice(ORG_WORDS)
        org_rows.append(
            _stamp(now)
            | {
                "id": org_id,
                "name": f"{word} {suffix} {index}",
                "type": kind,
                "website": f"https://{word.lower()}{index}.example",
                "description": (
                    f"{word} {suffix.lower()}; {rng.choice(VERBS)} {rng.choice(TOPICS)} this year."
                ),
            }
        )
        domain_rows.append(
            {"organization_id": org_id, "domain": f"{word.lower()}{index}.example", "is_live": True}
        )
    writer.write(Organization, iter(org_rows))
    writer.write(OrganizationDomain, iter(domain_rows))

    contact_ids = [new_id_str() for _ in range(size.contacts)]
    contact_org: dict[str, str] = {}

    def contacts() -> Iterator[dict[str, Any]]:
        for index, contact_id in enumerate(contact_ids):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            contact_org[contact_id] = org_ids[index % len(org_ids)]
            yield _stamp(now) | {
                "id": contact_id,
                "first_name": first,
                "last_name": last,
                "title": rng.choice(("CIO", "Partner", "Principal", "Director", "Trustee", None)),
                "contact_type": rng.choice(("prospect", "prospect", "investor", "advisor")),
                "status": "active",
                "source": rng.choice(("referral", "conference", "inbound", None)),
                "owner_id": rng.choice(owners) if owners else None,
                "city": rng.choice(("New York", "Austin", "London", "Zurich", "Singapore")),
                "region": None,
                "country": rng.choice(("US", "US", "GB", "CH", "SG")),
                "linkedin_url": None,
                "notes": f"Met at {rng.choice(TOPICS)}.",
                "phones": [],
            }

    writer.write(Contact, contacts())
    writer.write(
        ContactEmail,
        (
            {
                "id": new_id_str(),
                "contact_id": cid,
                "email": f"person{index}@mail{index % 97}.example",
                "label": "work",
                "is_primary": True,
                "is_live": True,
            }
            for index, cid in enumerate(contact_ids)
        ),
    )
    writer.write(
        Affiliation,
        (
            {
                "id": new_id_str(),
                "contact_id": cid,
                "organization_id": contact_org[cid],
                "role": rng.choice(("CIO", "Analyst", "Trustee", "Partner")),
                "start_date": None,
                "end_date": None,
                "is_primary": True,
            }
            for cid in contact_ids
        ),
    )

    fund_ids = [new_id_str() for _ in range(size.funds)]
    writer.write(
        Fund,
        (
            _stamp(now)
            | {
                "id": fid,
                "name": f"Fund {index + 1}",
                "name_key": f"fund {index + 1}",
                "vintage": 2015 + index,
                "target_size": Decimal(50_000_000 * (index + 1)),
                "currency": "USD",
                "status": "raising" if index == size.funds - 1 else "investing",
                "position": index + 1,
            }
            for index, fid in enumerate(fund_ids)
        ),
    )

    opportunity_rows = []
    for index, org_id in enumerate(org_ids):
        for fund_id in rng.sample(fund_ids, k=min(len(fund_ids), 1 + index % 3)):
            stage = rng.choice(STAGES)
            committed = Decimal(rng.randrange(1, 400)) * Decimal("25000.00")
            opportunity_rows.append(
                _stamp(now)
                | {
                    "id": new_id_str(),
                    "investor_organization_id": org_id,
                    "investor_contact_id": None,
                    "fund_id": fund_id,
                    "stage": stage,
                    "expected_amount": committed,
                    "committed_amount": committed if stage in ("committed", "closed_won") else None,
                    "funded_amount": committed if stage == "closed_won" else None,
                    "currency": "USD",
                    "owner_id": rng.choice(owners) if owners else None,
                    "next_step": f"{rng.choice(VERBS).capitalize()} {rng.choice(TOPICS)}",
                    "lost_reason": "timing" if stage == "closed_lost" else None,
                    "close_date": None,
                    "description": "",
                }
            )
    opportunity_fields = set(Opportunity.__table__.c.keys())
    writer.write(
        Opportunity,
        ({k: v for k, v in row.items() if k in opportunity_fields} for row in opportunity_rows),
    )

    writer.write(
        LpProfile,
        (
            _stamp(now)
            | {
                "id": new_id_str(),
                "contact_id": None,
                "organization_id": org_id,
                "investor_type": "institution",
                "legal_docs_signed_on": date(2024, 1, 15),
                "wire_received_on": date(2024, 2, 1),
                "accreditation_status": "accredited",
                "accreditation_method": "entity_assets",
                "accreditation_verified_on": date(2024, 1, 10),
                "accreditation_expires_on": date(2027, 1, 10),
                "qualified_purchaser": "yes",
                "offering_exemption": "506b",
                "kyc_aml_status": "cleared",
                "notes": "",
            }
            for org_id in org_ids[: max(1, len(org_ids) // 4)]
        ),
    )

    attendees: list[dict[str, Any]] = []

    def communications() -> Iterator[dict[str, Any]]:
        for index in range(size.communications):
            contact_id = contact_ids[rng.randrange(len(contact_ids))]
            comm_id = new_id_str()
            kind = COMM_TYPES[index % len(COMM_TYPES)]
            if kind == "meeting":
                other = contact_ids[rng.randrange(len(contact_ids))]
                if other != contact_id:
                    attendees.append({"communication_id": comm_id, "contact_id": other})
            topic = rng.choice(TOPICS)
            yield _stamp(now) | {
                "id": comm_id,
                "type": kind,
                "subject": topic.capitalize(),
                "body": f"{rng.choice(VERBS).capitalize()} {topic}. "
                f"Next, {rng.choice(VERBS)} {rng.choice(TOPICS)}.",
                "occurred_at": now - timedelta(minutes=rng.randrange(60 * 24 * 720)),
                "contact_id": contact_id,
                "organization_id": contact_org[contact_id],
                "opportunity_id": None,
                "outcome": None,
                "next_action": None,
                "next_action_due": None,
            }

    writer.write(Communication, communications())
    writer.write(CommunicationAttendee, iter(attendees))

    today = now.date()
    writer.write(
        FollowUp,
        (
            _stamp(now)
            | {
                "id": new_id_str(),
                "title": f"Follow up on {rng.choice(TOPICS)}",
                "notes": "",
                "due_date": today + timedelta(days=rng.randrange(-20, 40)),
                "owner_id": rng.choice(owners) if owners else None,
                "status": "open",
                "completed_at": None,
                "completed_by": None,
                "contact_id": contact_ids[rng.randrange(len(contact_ids))],
                "organization_id": None,
                "opportunity_id": None,
                "communication_id": None,
            }
            for _ in range(max(1, size.contacts // 10))
        ),
    )
    for start in range(0, len(contact_ids), BATCH):
        with db.transaction() as session:
            contacts_service.reindex(session, contact_ids=contact_ids[start : start + BATCH])
    db.analyze()  # the planner's statistics, for tables that went from empty to full
    return DemoResult(counts=writer.counts, contact_ids=contact_ids)

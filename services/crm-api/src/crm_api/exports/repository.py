"""The exports' SQL: each aggregate's list filters, and keyset batches over its list sort.

The filters are each domain's own list query (its `filtered`), without the page count: an
export reads each row once, in batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session

from crm_api.communications import repository as communications
from crm_api.communications.models import Communication
from crm_api.contacts import repository as contacts
from crm_api.contacts.models import Contact
from crm_api.followups import repository as followups
from crm_api.followups.models import FollowUp
from crm_api.funds import repository as funds
from crm_api.funds.models import Fund
from crm_api.kit.repository import Sorts
from crm_api.lp_profiles import repository as lp_profiles
from crm_api.lp_profiles.models import LpProfile
from crm_api.opportunities import repository as opportunities
from crm_api.opportunities.models import Opportunity
from crm_api.organizations import repository as organizations
from crm_api.organizations.models import Organization

# Not applied by an export: it reads every matching row, in batches of its own.
IGNORED = frozenset({"cursor", "limit"})

Filtered = Callable[[Session, Any], Select[Any]]


@dataclass(frozen=True)
class Source:
    """Where an aggregate's rows come from: its model, its list sorts, and the very query its
    list runs (each domain's `filtered`), so an export and a list never disagree."""

    model: Any
    sorts: Sorts
    filtered: Filtered


SOURCES: dict[str, Source] = {
    "organizations": Source(Organization, organizations.SORTS, organizations.filtered),
    "contacts": Source(Contact, contacts.SORTS, contacts.filtered),
    "funds": Source(Fund, funds.SORTS, funds.filtered),
    "opportunities": Source(Opportunity, opportunities.SORTS, opportunities.filtered),
    "communications": Source(Communication, communications.SORTS, communications.filtered),
    "follow-ups": Source(FollowUp, followups.SORTS, followups.filtered),
    "lp-profiles": Source(LpProfile, lp_profiles.SORTS, lp_profiles.filtered),
}

Key = tuple[Any, str]


def batch(
    session: Session, source: Source, filters: Any, *, after: Key | None, size: int
) -> tuple[list[Any], Key | None]:
    """The next `size` rows matching `filters` (a Filter schema) in its sort order, after the
    (sort value, id) `after`; and the key to continue from (None after the last batch)."""
    model = source.model
    column, descending = source.sorts[filters.sort]
    query = source.filtered(session, filters)
    if after is not None:
        key = tuple_(column, model.id)
        query = query.where(key < after if descending else key > after)
    if descending:
        query = query.order_by(column.desc(), model.id.desc())
    else:
        query = query.order_by(column.asc(), model.id.asc())
    rows = list(session.scalars(query.limit(size)))
    if len(rows) < size:
        return rows, None
    last = rows[-1]
    return rows, (getattr(last, column.key), last.id)

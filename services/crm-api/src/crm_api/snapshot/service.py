"""Publishing a snapshot of the whole CRM through the outbox.

A snapshot is `crm.snapshot.started`, then one `crm.<aggregate>.snapshot` event per record (soft
deleted ones too, so consumers learn their `deleted_at`), each carrying the record's full state,
its current version and the `snapshotid` extension, then `crm.snapshot.completed` with the counts.
A consumer that already holds a record at that version drops its snapshot event as stale; a new or
wiped one applies it. Records are read and written in batches, one transaction each, so a snapshot
of a large CRM never holds one huge transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from crm_api.audit import service as audit
from crm_api.auth import keys
from crm_api.auth import service as auth
from crm_api.auth.models import ApiKey, User
from crm_api.automations import lists as automation_lists
from crm_api.automations import rules as automation_rules
from crm_api.automations.models import GridRule
from crm_api.communications import service as communications
from crm_api.communications.models import Communication
from crm_api.contacts import service as contacts
from crm_api.contacts.models import Contact
from crm_api.database import utcnow
from crm_api.feature_requests import service as feature_requests
from crm_api.feature_requests.models import FeatureRequest
from crm_api.followups import service as followups
from crm_api.followups.models import FollowUp
from crm_api.funds import service as funds
from crm_api.funds.models import Fund
from crm_api.grid.columns import service as grid_columns
from crm_api.grid.models import GridColumn, GridList, GridListMember, GridRow, GridView
from crm_api.grid.rows import service as grid_rows
from crm_api.grid.views import service as grid_views
from crm_api.interactions import service as interactions
from crm_api.lp_profiles import service as lp_profiles
from crm_api.lp_profiles.models import LpProfile
from crm_api.opportunities import service as opportunities
from crm_api.opportunities.models import Opportunity
from crm_api.organizations import service as organizations
from crm_api.organizations.models import Organization
from crm_api.saved_views import service as saved_views
from crm_api.saved_views.models import SavedView
from crm_api.snapshot import repository
from crm_api.tags import service as tags
from crm_api.tags.models import Tag
from crm_common.db import Database
from crm_common.events import Actor
from crm_common.ids import new_id_str
from crm_common.outbox import record_change

SOURCE = "/crm-api"
BATCH = 1000


@dataclass(frozen=True)
class Source:
    aggregate: str
    model: type[Any]
    state: Callable[[Any], dict[str, Any]]


# In dependency order, so a consumer rebuilding from nothing meets a record's references first.
SOURCES: tuple[Source, ...] = (
    Source("user", User, auth.user_state),
    Source("api_key", ApiKey, keys.api_key_state),
    Source("tag", Tag, tags.state),
    Source("organization", Organization, organizations.state),
    Source("contact", Contact, contacts.state),
    Source("fund", Fund, funds.state),
    Source("opportunity", Opportunity, opportunities.state),
    Source("lp_profile", LpProfile, lp_profiles.state),
    Source("communication", Communication, communications.state),
    Source("follow_up", FollowUp, followups.state),
    Source("feature_request", FeatureRequest, feature_requests.state),
    Source("grid_column", GridColumn, grid_columns.column_state),
    Source("grid_list", GridList, automation_lists.list_state),
    Source("grid_rule", GridRule, automation_rules.rule_state),
    Source("grid_row", GridRow, grid_rows.row_state),
    Source("grid_list_member", GridListMember, automation_lists.member_state),
    Source("grid_view", GridView, grid_views.view_state),
    Source("saved_view", SavedView, saved_views.state),
)


_BY_AGGREGATE = {source.aggregate: source for source in SOURCES}


def current_state(session: Session, *, aggregate: str, record_id: str) -> dict[str, Any] | None:
    """The state a live record's events carry now (as a snapshot would publish it); None for an
    unknown aggregate or a record that is gone or soft-deleted."""
    source = _BY_AGGREGATE.get(aggregate)
    if source is None:
        return None
    row = repository.live(session, source.model, record_id)
    return None if row is None else source.state(row)


class SnapshotResult(BaseModel):
    snapshot_id: str
    started_at: datetime
    completed_at: datetime
    counts: dict[str, int]


def publish(db: Database, *, actor: Actor) -> SnapshotResult:
    """Publish a snapshot of every record; returns its id and how many of each it sent."""
    snapshot_id = new_id_str()
    started_at = utcnow()
    names = [source.aggregate for source in SOURCES]
    with db.transaction() as session:
        record_change(
            session,
            source=SOURCE,
            event_type="crm.snapshot.started",
            aggregate_id=snapshot_id,
            version=1,
            data={"snapshot_id": snapshot_id, "aggregates": names},
            actor=actor,
            snapshot_id=snapshot_id,
        )
    counts = dict.fromkeys(names, 0)
    for source in SOURCES:
        after = ""
        while True:
            with db.transaction() as session:
                rows = repository.batch(session, source.model, after=after, limit=BATCH)
                for row in rows:
                    record_change(
                        session,
                        source=SOURCE,
                        event_type=f"crm.{source.aggregate}.snapshot",
                        aggregate_id=row.id,
                        version=row.version,
                        data=source.state(row),
                        actor=actor,
                        snapshot_id=snapshot_id,
                    )
            counts[source.aggregate] += len(rows)
            if len(rows) < BATCH:
                break
            after = rows[-1].id
    completed_at = utcnow()
    result = SnapshotResult(
        snapshot_id=snapshot_id, started_at=started_at, completed_at=completed_at, counts=counts
    )
    with db.transaction() as session:
        record_change(
            session,
            source=SOURCE,
            event_type="crm.snapshot.completed",
            aggregate_id=snapshot_id,
            version=2,
            data=result.model_dump(mode="json"),
            actor=actor,
            snapshot_id=snapshot_id,
        )
        audit.record(
            session,
            actor=actor,
            entity_type="snapshot",
            entity_id=snapshot_id,
            action="publish",
            after=result.model_dump(mode="json"),
        )
        interactions.touch(
            session,
            actor=actor,
            action="snapshot.publish",
            channel="snapshot",
            targets=[],
            summary=f"snapshot of {sum(counts.values())} records",
        )
    return result

"""The consumer of `resolver.entity.*`: when the resolver merges, splits or changes an entity,
the mail linked to it follows (a merge moves the links to the survivor at once; any other change
flags the messages whose match it may change, for the next sync to match afresh)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_common.bus.consumer import ConsumerSpec, Handler
from crm_common.contracts.resolver import ResolverEventData
from crm_common.events import CloudEvent
from gmail_sync.mail import service as mail

CONSUMER = "gmail-sync-resolver"


def entity_changed(event: CloudEvent, session: Session) -> None:
    data = ResolverEventData.model_validate(event.data)
    for entity in data.entities:
        if entity.status == "merged" and entity.merged_into:
            mail.follow_merge(session, merged_id=entity.id, survivor_id=entity.merged_into)
        else:
            mail.flag_for_entity(session, entity=entity)


HANDLERS: dict[str, Handler] = {
    f"resolver.entity.{action}": entity_changed for action in ("upserted", "merged", "split")
}


def consumer_spec() -> ConsumerSpec:
    return ConsumerSpec(
        name=CONSUMER,
        stream="RESOLVER",
        filter_subjects=["resolver.entity.>"],
        handlers=HANDLERS,
    )

"""The consumers of the records that only assert relations: communications and opportunities.

The resolver keeps no copy of them, only the graph evidence they give (who met whom, who
invests through which fund); a delete or a purge withdraws it.

    CRM     crm.<aggregate>.* by aggregate: communication, opportunity
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from crm_common.events import CloudEvent
from crm_resolver.context import Context
from crm_resolver.entities.transactions import ContextHandler
from crm_resolver.graph import service as graph
from crm_resolver.refs import Ref


def _evidence_only(
    event: CloudEvent,
    session: Session,
    kind: str,
    derive: Callable[[Mapping[str, Any]], list[Any]],
) -> None:
    ref = Ref(kind, event.subject)
    if event.action == "purged" or event.data.get("deleted_at") is not None:
        graph.remove(session, ref)
    else:
        graph.replace(session, ref, derive(event.data))


def communication(_ctx: Context, event: CloudEvent, session: Session) -> None:
    _evidence_only(event, session, "communication", graph.from_communication)


def opportunity(_ctx: Context, event: CloudEvent, session: Session) -> None:
    _evidence_only(event, session, "opportunity", graph.from_opportunity)


CRM: dict[str, ContextHandler] = {
    "communication": communication,
    "opportunity": opportunity,
}

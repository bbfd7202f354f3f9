"""What crm-api adds to the resolver's decisions: the interaction log.

The resolver records who decided what; crm-api's hash-chained interaction log records that a
signed-in person touched those records, like every other human write made through crm-api.
"""

from __future__ import annotations

from typing import Any

from crm_api.auth.principal import Principal
from crm_api.interactions import service as interactions
from crm_common.contracts.resolver import DecisionResult
from crm_common.db import Database


def log_decision(
    db: Database,
    *,
    principal: Principal,
    action: str,
    channel: str,
    result: DecisionResult,
    payload: Any,
) -> None:
    targets = [("entity", entity.id) for entity in result.entities]
    for move in result.decision.moves:
        target = (move.source.source_kind, move.source.source_id)
        if target not in targets:
            targets.append(target)
    summary = (
        f"{result.decision.kind} {' + '.join(e.display_name or e.id for e in result.entities)}"
    )
    with db.transaction() as session:
        interactions.touch(
            session,
            actor=principal.actor,
            action=action,
            channel=channel,
            targets=targets,
            summary=summary,
            payload=payload,
        )

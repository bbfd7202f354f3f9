"""`resolver.entity`: an entity with its links and the records they name."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_resolver.context import Context
from crm_resolver.entities import service as entities
from crm_resolver.entities.transactions import reader


def endpoints(db: Database, ctx: Context) -> list[Endpoint[Any, Any]]:
    def entity(session: Session, request: contract.EntityRequest) -> contract.EntityResponse:
        found, redirected = entities.find(session, request)
        return contract.EntityResponse(
            entity=entities.state(session, ctx, found),
            redirected_from=redirected,
            records=entities.linked_records(session, found),
        )

    return [
        Endpoint(
            "entity",
            contract.SUBJECT_ENTITY,
            contract.EntityRequest,
            contract.EntityResponse,
            reader(db, entity),
            "An entity with its links; a merged-away id answers with the survivor",
        ),
    ]

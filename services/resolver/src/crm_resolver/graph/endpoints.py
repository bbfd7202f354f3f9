"""`resolver.neighbors`: who knows an entity, ranked, with the evidence."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_resolver.context import Context
from crm_resolver.entities.transactions import reader
from crm_resolver.graph import service as graph


def endpoints(db: Database, ctx: Context) -> list[Endpoint[Any, Any]]:
    def neighbors(
        session: Session, request: contract.NeighborsRequest
    ) -> contract.NeighborsResponse:
        return graph.neighbors(session, ctx, request)

    return [
        Endpoint(
            "neighbors",
            contract.SUBJECT_NEIGHBORS,
            contract.NeighborsRequest,
            contract.NeighborsResponse,
            reader(db, neighbors),
            "Who knows an entity, ranked, with the evidence",
        ),
    ]

"""`resolver.neighbors`: who knows an entity, ranked, with the evidence; `resolver.paths`: intro
paths to it from the fund's team members."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_resolver.context import Context
from crm_resolver.entities.transactions import reader
from crm_resolver.graph import paths as intro_paths
from crm_resolver.graph import service as graph


def endpoints(db: Database, ctx: Context) -> list[Endpoint[Any, Any]]:
    def neighbors(
        session: Session, request: contract.NeighborsRequest
    ) -> contract.NeighborsResponse:
        return graph.neighbors(session, ctx, request)

    def paths(session: Session, request: contract.PathsRequest) -> contract.PathsResponse:
        return intro_paths.paths(session, ctx, request)

    return [
        Endpoint(
            "neighbors",
            contract.SUBJECT_NEIGHBORS,
            contract.NeighborsRequest,
            contract.NeighborsResponse,
            reader(db, neighbors),
            "Who knows an entity, ranked, with the evidence",
        ),
        Endpoint(
            "paths",
            contract.SUBJECT_PATHS,
            contract.PathsRequest,
            contract.PathsResponse,
            reader(db, paths),
            "Intro paths to an entity from the fund's team members, best first",
        ),
    ]

"""`resolver.resolve` and `resolver.explain`: which entities an address or a name belongs to, and
why two records are, or are not, one entity."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_resolver.context import Context
from crm_resolver.entities.transactions import reader
from crm_resolver.matching import reads


def endpoints(db: Database, ctx: Context) -> list[Endpoint[Any, Any]]:
    def resolve(session: Session, request: contract.ResolveRequest) -> contract.ResolveResponse:
        return reads.resolve(session, ctx, request)

    def explain(session: Session, request: contract.ExplainRequest) -> contract.ExplainResponse:
        return reads.explain(session, ctx, request)

    return [
        Endpoint(
            "resolve",
            contract.SUBJECT_RESOLVE,
            contract.ResolveRequest,
            contract.ResolveResponse,
            reader(db, resolve),
            "The entities an email address or a name belongs to",
        ),
        Endpoint(
            "explain",
            contract.SUBJECT_EXPLAIN,
            contract.ExplainRequest,
            contract.ExplainResponse,
            reader(db, explain),
            "Why two records are, or are not, one entity",
        ),
    ]

"""`resolver.review.list`: the review queue (its verdicts are decisions: decisions/endpoints.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_common.bus.service import Endpoint
from crm_common.contracts import resolver as contract
from crm_common.db import Database
from crm_resolver.context import Context
from crm_resolver.entities.transactions import reader
from crm_resolver.review import service as review


def endpoints(db: Database, ctx: Context) -> list[Endpoint[Any, Any]]:
    def review_list(session: Session, request: contract.ReviewListRequest) -> contract.ReviewPage:
        return review.page(session, ctx, request=request)

    return [
        Endpoint(
            "review-list",
            contract.SUBJECT_REVIEW_LIST,
            contract.ReviewListRequest,
            contract.ReviewPage,
            reader(db, review_list),
            "The review queue",
        ),
    ]

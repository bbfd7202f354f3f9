"""The feature requests' SQL: the list's filters and sorts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.feature_requests.models import FeatureRequest
from crm_api.feature_requests.schemas import FeatureRequestFilter
from crm_api.kit.repository import Sorts, filter_common, like, page

SORTS: Sorts = {
    "created_at": (FeatureRequest.created_at, False),
    "-created_at": (FeatureRequest.created_at, True),
    "updated_at": (FeatureRequest.updated_at, False),
    "-updated_at": (FeatureRequest.updated_at, True),
}


def get(session: Session, record_id: str) -> FeatureRequest | None:
    return session.get(FeatureRequest, record_id)


def search(
    session: Session, *, filters: FeatureRequestFilter
) -> tuple[list[FeatureRequest], str | None, int]:
    query: Any = filter_common(select(FeatureRequest), FeatureRequest, filters)
    if filters.q:
        pattern = like(filters.q)
        query = query.where(
            func.lower(FeatureRequest.title).like(pattern, escape="\\")
            | func.lower(FeatureRequest.description).like(pattern, escape="\\")
        )
    if filters.status is not None:
        query = query.where(FeatureRequest.status == filters.status.value)
    if filters.priority is not None:
        query = query.where(FeatureRequest.priority == filters.priority.value)
    if filters.requested_by is not None:
        query = query.where(FeatureRequest.requested_by == filters.requested_by)
    return page(
        session, query, model=FeatureRequest, sorts=SORTS, sort=filters.sort, params=filters
    )

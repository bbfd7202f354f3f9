from __future__ import annotations

from fastapi import APIRouter, status

from crm_api.auth.dependencies import Admin, Reader
from crm_api.database import ReadSession, WriteSession
from crm_api.lookups import service
from crm_api.lookups.schemas import LookupCreate, LookupRead, LookupUpdate

router = APIRouter(prefix="/api", tags=["lookups"])


@router.get("/lookups", response_model=dict[str, list[LookupRead]])
def all_lists(_: Reader, session: ReadSession) -> dict[str, list[LookupRead]]:
    """Every managed list with its values, retired ones included (`is_active: false`)."""
    return {
        name: [LookupRead.model_validate(v) for v in service.values(session, list_name=name)]
        for name in service.LISTS
    }


@router.get("/lookups/{list_name}", response_model=list[LookupRead])
def one_list(_: Reader, list_name: str, session: ReadSession) -> list[LookupRead]:
    return [LookupRead.model_validate(v) for v in service.values(session, list_name=list_name)]


@router.post(
    "/admin/lookups/{list_name}", response_model=LookupRead, status_code=status.HTTP_201_CREATED
)
def add_value(
    principal: Admin, list_name: str, body: LookupCreate, session: WriteSession
) -> LookupRead:
    return LookupRead.model_validate(
        service.add(session, list_name=list_name, data=body, by=principal)
    )


@router.patch("/admin/lookups/{list_name}/{value}", response_model=LookupRead)
def update_value(
    principal: Admin, list_name: str, value: str, body: LookupUpdate, session: WriteSession
) -> LookupRead:
    """Rename, reorder or retire a value (retired values stay on the records that have them)."""
    return LookupRead.model_validate(
        service.update(session, list_name=list_name, value=value, data=body, by=principal)
    )

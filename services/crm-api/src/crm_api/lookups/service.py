"""Reading, checking and managing the lists."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_api.audit import service as audit
from crm_api.auth.principal import Principal
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound
from crm_api.lookups import repository
from crm_api.lookups.defaults import DEFAULTS
from crm_api.lookups.models import LookupValue
from crm_api.lookups.schemas import LookupCreate, LookupRead, LookupUpdate

LISTS = tuple(DEFAULTS)
# Checked values, per session: a write checks a handful of lists for every record, and a bulk
# import does so for each row. A change to a list in the session forgets what was cached.
_CACHE = "lookups.active"


def _active(session: Session) -> dict[tuple[str, str], bool]:
    cache: dict[tuple[str, str], bool] = session.info.setdefault(_CACHE, {})
    return cache


def _forget(session: Session) -> None:
    session.info.pop(_CACHE, None)


def _known(list_name: str) -> None:
    if list_name not in DEFAULTS:
        raise RecordNotFound(f"no list {list_name!r}; lists: {', '.join(LISTS)}")


def values(session: Session, *, list_name: str) -> list[LookupValue]:
    _known(list_name)
    return repository.values(session, list_name)


def require(session: Session, *, list_name: str, value: str, field: str) -> str:
    """`value` if it is an active value of `list_name`.

    Raises:
        InvalidValue: naming the field and the values allowed.
    """
    active = _active(session)
    key = (list_name, value)
    if key not in active:
        row = repository.get(session, list_name, value)
        active[key] = row is not None and row.is_active
    if not active[key]:
        allowed = [v.value for v in values(session, list_name=list_name) if v.is_active]
        raise InvalidValue(
            f"{field}: {value!r} is not one of {', '.join(allowed)}",
            field=field,
            allowed=allowed,
        )
    return value


def closed_stages(session: Session) -> set[str]:
    return {v.value for v in values(session, list_name="pipeline_stage") if v.is_closed}


def add(session: Session, *, list_name: str, data: LookupCreate, by: Principal) -> LookupValue:
    _known(list_name)
    _forget(session)
    if repository.get(session, list_name, data.value) is not None:
        raise DuplicateRecord(f"{list_name} already has {data.value!r}")
    position = data.position
    if position is None:
        position = (repository.last_position(session, list_name) or 0) + 1
    row = LookupValue(
        list_name=list_name,
        value=data.value,
        label=data.label,
        position=position,
        is_active=True,
        is_closed=data.is_closed,
    )
    repository.add(session, row)
    audit.record(
        session,
        actor=by.actor,
        entity_type="lookup",
        entity_id=f"{list_name}:{data.value}",
        action="create",
        after=LookupRead.model_validate(row).model_dump(),
    )
    return row


def update(
    session: Session, *, list_name: str, value: str, data: LookupUpdate, by: Principal
) -> LookupValue:
    _known(list_name)
    _forget(session)
    row = repository.get(session, list_name, value)
    if row is None:
        raise RecordNotFound(f"{list_name} has no {value!r}")
    before = LookupRead.model_validate(row).model_dump()
    for name, new in data.model_dump(exclude_unset=True).items():
        if new is not None:
            setattr(row, name, new)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        entity_type="lookup",
        entity_id=f"{list_name}:{value}",
        action="update",
        before=before,
        after=LookupRead.model_validate(row).model_dump(),
    )
    return row

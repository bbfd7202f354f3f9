"""Fund rules: a managed status, one live fund per name (in any case), a grid position, soft
delete, and no purge while an opportunity, live or deleted, is in the fund.

Funds import no opportunity: the opportunities domain registers how many of its records are in a
fund (`register_opportunity_count`), and a purge asks it.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.funds import repository
from crm_api.funds.errors import FundInUse
from crm_api.funds.models import Fund
from crm_api.funds.schemas import CENT, FundCreate, FundFilter, FundPage, FundRead, FundUpdate
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue
from crm_api.kit.repository import unique_or_duplicate
from crm_api.lookups import service as lookups

STATUS_LIST = "fund_status"


class OpportunityCount(Protocol):
    def __call__(self, session: Session, *, fund_id: str) -> int: ...


_OPPORTUNITY_COUNTS: list[OpportunityCount] = []


# The live-unique index refused: a concurrent write got there first.
NAME_TAKEN = "a live fund already has this name"


def register_opportunity_count(count: OpportunityCount) -> None:
    """Refuse a fund's purge while `count` (opportunities in it, live or deleted) is not zero."""
    if count not in _OPPORTUNITY_COUNTS:
        _OPPORTUNITY_COUNTS.append(count)


def to_read(fund: Fund) -> FundRead:
    return FundRead(
        id=fund.id,
        version=fund.version,
        created_at=fund.created_at,
        updated_at=fund.updated_at,
        created_by=fund.created_by,
        updated_by=fund.updated_by,
        deleted_at=fund.deleted_at,
        name=fund.name,
        vintage=fund.vintage,
        target_size=None if fund.target_size is None else fund.target_size.quantize(CENT),
        currency=fund.currency,
        status=fund.status,
        position=fund.position,
    )


def state(fund: Fund) -> dict[str, Any]:
    return to_read(fund).model_dump(mode="json")


KIND = aggregate.Kind(name="fund", path="/api/funds", state=state)


def name_key(name: str) -> str:
    return name.casefold()


def _require_free_name(session: Session, name: str, fund: Fund | None = None) -> None:
    owner = repository.live_with_name(session, name_key(name))
    if owner is not None and (fund is None or owner != fund.id):
        raise DuplicateRecord(
            f"a live fund is already called {name!r}", field="name", fund_id=owner
        )


def get(session: Session, *, fund_id: str, include_deleted: bool = False) -> Fund:
    return aggregate.require_live(repository.get(session, fund_id), include_deleted=include_deleted)


def read(session: Session, *, record_id: str) -> FundRead:
    return to_read(get(session, fund_id=record_id))


def search(session: Session, *, filters: FundFilter) -> FundPage:
    rows, cursor, total = repository.search(session, filters=filters)
    return FundPage(items=[to_read(r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: FundCreate, by: Principal) -> dict[str, Any]:
    lookups.require(session, list_name=STATUS_LIST, value=data.status, field="status")
    _require_free_name(session, data.name)
    position = data.position
    if position is None:
        last = repository.last_position(session)
        position = 0 if last is None else last + 1
    fund = Fund(
        name=data.name,
        name_key=name_key(data.name),
        vintage=data.vintage,
        target_size=data.target_size,
        currency=data.currency,
        status=data.status,
        position=position,
    )
    aggregate.stamp_new(fund, by)
    session.add(fund)
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        session.flush()
    return aggregate.created(
        session, kind=KIND, obj=fund, actor=by, payload=data.model_dump(mode="json")
    )


def update(
    session: Session,
    *,
    record_id: str,
    data: FundUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    fund = get(session, fund_id=record_id)
    aggregate.expect_version(KIND, fund, expected_version)
    before = state(fund)
    fields = data.model_dump(exclude_unset=True)
    if "name" in fields:
        if data.name is None or not data.name.strip():
            raise InvalidValue("name must not be blank", field="name")
        _require_free_name(session, data.name.strip(), fund)
        fund.name = data.name.strip()
        fund.name_key = name_key(fund.name)
    if "vintage" in fields:
        fund.vintage = data.vintage
    if "target_size" in fields:
        fund.target_size = data.target_size
    if "currency" in fields:
        if data.currency is None:
            raise InvalidValue("currency must not be null", field="currency")
        fund.currency = data.currency
    if "status" in fields:
        if data.status is None:
            raise InvalidValue("status must not be null", field="status")
        fund.status = lookups.require(
            session, list_name=STATUS_LIST, value=data.status, field="status"
        )
    if "position" in fields:
        if data.position is None:
            raise InvalidValue("position must not be null", field="position")
        fund.position = data.position
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        return aggregate.updated(
            session,
            kind=KIND,
            obj=fund,
            before=before,
            actor=by,
            payload=data.model_dump(mode="json", exclude_unset=True),
        )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    fund = get(session, fund_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=KIND, obj=fund, actor=by)


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    fund = get(session, fund_id=record_id, include_deleted=True)
    if fund.deleted_at is not None:
        owner = repository.live_with_name(session, fund.name_key)
        if owner is not None:
            raise DuplicateRecord(
                f"another live fund is now called {fund.name!r}; rename one first",
                field="name",
                fund_id=owner,
            )
    with unique_or_duplicate(NAME_TAKEN, field="name"):
        return aggregate.restored(session, kind=KIND, obj=fund, actor=by)


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    fund = get(session, fund_id=record_id, include_deleted=True)
    if fund.deleted_at is None:
        raise InvalidValue("only a deleted fund can be purged; delete it first")
    count = sum(counted(session, fund_id=fund.id) for counted in _OPPORTUNITY_COUNTS)
    if count:
        raise FundInUse(
            f"{count} opportunities (live or deleted) are in this fund; purge them first",
            opportunities=count,
        )
    aggregate.purged(session, kind=KIND, obj=fund, actor=by)


# The list's own query, for crm_api.exports (which reads it a batch at a time, unpaged).
SORTS = repository.SORTS


def filtered(session: Session, filters: FundFilter) -> Any:
    """The query the list runs for `filters`, without paging."""
    return repository.filtered(session, filters)

"""LP profile rules: one live profile per investor, a managed investor type, accreditation that
is consistent and expires, K-1s once per tax year; totals derived from opportunities."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.contacts.models import Contact
from crm_api.kit import aggregate, links
from crm_api.kit.errors import DuplicateRecord, InvalidValue
from crm_api.lookups import service as lookups
from crm_api.lp_profiles import repository
from crm_api.lp_profiles.models import K1Delivery, LpProfile
from crm_api.lp_profiles.schemas import (
    AccreditationStatus,
    K1In,
    K1Read,
    LpProfileCreate,
    LpProfileFilter,
    LpProfilePage,
    LpProfileRead,
    LpProfileUpdate,
    LpProfileView,
    MoneyTotals,
)
from crm_api.organizations.models import Organization

_SIMPLE = (
    "legal_docs_signed_on",
    "wire_received_on",
    "accreditation_status",
    "accreditation_method",
    "accreditation_verified_on",
    "accreditation_expires_on",
    "qualified_purchaser",
    "offering_exemption",
    "kyc_aml_status",
)
_ZERO = Decimal("0.00")


def to_read(row: LpProfile) -> LpProfileRead:
    values: dict[str, Any] = {name: getattr(row, name) for name in _SIMPLE}
    return LpProfileRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        contact_id=row.contact_id,
        organization_id=row.organization_id,
        investor_type=row.investor_type,
        notes=row.notes,
        k1_deliveries=[
            K1Read(tax_year=k.tax_year, sent_on=k.sent_on, is_amended=k.is_amended, note=k.note)
            for k in sorted(row.k1_deliveries, key=lambda k: k.tax_year)
        ],
        **values,
    )


def state(row: LpProfile) -> dict[str, Any]:
    return to_read(row).model_dump(mode="json")


KIND = aggregate.Kind(name="lp_profile", path="/api/lp-profiles", state=state, title=lambda r: r.id)


def totals(
    session: Session, *, contact_id: str | None, organization_id: str | None
) -> list[MoneyTotals]:
    """Sums of the investor's live opportunities per currency, computed by the database."""
    rows = repository.opportunity_sums(
        session, contact_id=contact_id, organization_id=organization_id
    )
    return [
        MoneyTotals(
            currency=currency,
            expected=str(Decimal(str(expected)).quantize(_ZERO)),
            committed=str(Decimal(str(committed)).quantize(_ZERO)),
            funded=str(Decimal(str(funded)).quantize(_ZERO)),
            opportunities=count,
        )
        for currency, expected, committed, funded, count in rows
    ]


def to_view(session: Session, row: LpProfile) -> LpProfileView:
    read = to_read(row)
    today = datetime.now(UTC).date()
    current = read.accreditation_status == AccreditationStatus.ACCREDITED and (
        read.accreditation_expires_on is None or read.accreditation_expires_on >= today
    )
    return LpProfileView(
        **read.model_dump(),
        totals=totals(session, contact_id=row.contact_id, organization_id=row.organization_id),
        accreditation_current=current,
    )


def _check_accreditation(row: LpProfile) -> None:
    accredited = row.accreditation_status == AccreditationStatus.ACCREDITED
    if accredited and (row.accreditation_method is None or row.accreditation_verified_on is None):
        raise InvalidValue(
            "accredited needs accreditation_method and accreditation_verified_on",
            field="accreditation_status",
        )
    verified, expires = row.accreditation_verified_on, row.accreditation_expires_on
    if verified and expires and expires < verified:
        raise InvalidValue(
            "accreditation_expires_on is before accreditation_verified_on",
            field="accreditation_expires_on",
        )
    # Rule 506(c) requires the issuer to verify accreditation; a self-certification is not that.
    if (
        accredited
        and row.offering_exemption == "506c"
        and row.accreditation_method == "self_certification"
    ):
        raise InvalidValue(
            "a 506(c) offering needs verified accreditation, not self-certification",
            field="accreditation_method",
        )


def _set_k1s(row: LpProfile, deliveries: list[K1In]) -> None:
    years = [d.tax_year for d in deliveries]
    if len(set(years)) != len(years):
        raise InvalidValue("k1_deliveries: a tax year is listed twice", field="k1_deliveries")
    current = {k.tax_year: k for k in row.k1_deliveries}
    for year, k1 in list(current.items()):
        if year not in years:
            row.k1_deliveries.remove(k1)
    for delivery in deliveries:
        existing = current.get(delivery.tax_year)
        k1 = existing or K1Delivery(tax_year=delivery.tax_year)
        if existing is None:
            row.k1_deliveries.append(k1)
        k1.sent_on = delivery.sent_on
        k1.is_amended = delivery.is_amended
        k1.note = delivery.note


def _targets(row: LpProfile) -> list[tuple[str, str]]:
    if row.contact_id is not None:
        return [("contact", row.contact_id)]
    return [("organization", row.organization_id)] if row.organization_id else []


def get(session: Session, *, record_id: str, include_deleted: bool = False) -> LpProfile:
    return aggregate.require_live(
        repository.get(session, record_id), include_deleted=include_deleted
    )


def read(session: Session, *, record_id: str) -> LpProfileView:
    return to_view(session, get(session, record_id=record_id))


def for_investor(
    session: Session, *, contact_id: str | None = None, organization_id: str | None = None
) -> LpProfileView | None:
    row = repository.live_for(session, contact_id=contact_id, organization_id=organization_id)
    return to_view(session, row) if row is not None else None


def search(session: Session, *, filters: LpProfileFilter) -> LpProfilePage:
    rows, cursor, total = repository.search(session, filters=filters)
    return LpProfilePage(items=[to_view(session, r) for r in rows], next_cursor=cursor, total=total)


def create(session: Session, *, data: LpProfileCreate, by: Principal) -> dict[str, Any]:
    if (data.contact_id is None) == (data.organization_id is None):
        raise InvalidValue("give exactly one of contact_id and organization_id", field="contact_id")
    links.require_live(session, Contact, data.contact_id, field="contact_id")
    links.require_live(session, Organization, data.organization_id, field="organization_id")
    lookups.require(
        session, list_name="investor_type", value=data.investor_type, field="investor_type"
    )
    row = LpProfile(
        contact_id=data.contact_id,
        organization_id=data.organization_id,
        investor_type=data.investor_type,
        notes=data.notes,
        **{name: getattr(data, name) for name in _SIMPLE},
    )
    _check_accreditation(row)
    holder = repository.other_live_for(session, row)
    if holder is not None:
        raise DuplicateRecord("this investor already has an LP profile", lp_profile_id=holder)
    aggregate.stamp_new(row, by)
    session.add(row)
    session.flush()
    _set_k1s(row, data.k1_deliveries)
    return aggregate.created(
        session,
        kind=KIND,
        obj=row,
        actor=by,
        payload=data.model_dump(mode="json"),
        targets=_targets(row),
    )


def update(
    session: Session,
    *,
    record_id: str,
    data: LpProfileUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get(session, record_id=record_id)
    aggregate.expect_version(KIND, row, expected_version)
    before = state(row)
    fields = data.model_dump(exclude_unset=True)
    for required in (
        "investor_type",
        "accreditation_status",
        "qualified_purchaser",
        "kyc_aml_status",
    ):
        if required in fields and fields[required] is None:
            raise InvalidValue(f"{required} must not be null", field=required)
    if data.investor_type is not None:
        row.investor_type = lookups.require(
            session, list_name="investor_type", value=data.investor_type, field="investor_type"
        )
    for name in _SIMPLE:
        if name in fields:
            setattr(row, name, fields[name])
    if "notes" in fields:
        row.notes = data.notes or ""
    if data.k1_deliveries is not None:
        _set_k1s(row, data.k1_deliveries)
    _check_accreditation(row)
    return aggregate.updated(
        session,
        kind=KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
        targets=_targets(row),
    )


def delete(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get(session, record_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=KIND, obj=row, actor=by)


def restore(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get(session, record_id=record_id, include_deleted=True)
    if row.deleted_at is not None:
        holder = repository.other_live_for(session, row)
        if holder is not None:
            raise DuplicateRecord("this investor has another LP profile now", lp_profile_id=holder)
    return aggregate.restored(session, kind=KIND, obj=row, actor=by)


def purge(session: Session, *, record_id: str, by: Principal) -> None:
    row = get(session, record_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=KIND, obj=row, actor=by)


# The list's own query, for crm_api.exports (which reads it a batch at a time, unpaged).
SORTS = repository.SORTS


def filtered(session: Session, filters: LpProfileFilter) -> Any:
    """The query the list runs for `filters`, without paging."""
    return repository.filtered(session, filters)

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_api.kit.schemas import AggregateRead, ListParams, Text


class AccreditationStatus(StrEnum):
    NOT_VERIFIED = "not_verified"
    PENDING = "pending"
    ACCREDITED = "accredited"
    NOT_ACCREDITED = "not_accredited"
    EXPIRED = "expired"


class AccreditationMethod(StrEnum):
    """Rule 501(a) routes, and how a 506(c) verification was done."""

    INCOME = "income"
    NET_WORTH = "net_worth"
    PROFESSIONAL_CERTIFICATION = "professional_certification"
    KNOWLEDGEABLE_EMPLOYEE = "knowledgeable_employee"
    ENTITY_ASSETS = "entity_assets"
    ENTITY_OWNERS_ACCREDITED = "entity_owners_accredited"
    THIRD_PARTY_LETTER = "third_party_letter"
    SELF_CERTIFICATION = "self_certification"


class QualifiedPurchaser(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class OfferingExemption(StrEnum):
    RULE_506B = "506b"
    RULE_506C = "506c"


class KycAmlStatus(StrEnum):
    NOT_STARTED = "not_started"
    PENDING = "pending"
    CLEARED = "cleared"
    FAILED = "failed"


class K1In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tax_year: int = Field(ge=1990, le=2200)
    sent_on: date
    is_amended: bool = False
    note: str | None = Field(default=None, max_length=500)


class _Accreditation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _consistent(self) -> _Accreditation:
        verified = getattr(self, "accreditation_verified_on", None)
        expires = getattr(self, "accreditation_expires_on", None)
        if verified and expires and expires < verified:
            raise ValueError("accreditation_expires_on is before accreditation_verified_on")
        return self


class LpProfileCreate(_Accreditation):
    contact_id: str | None = Field(default=None, max_length=36)
    organization_id: str | None = Field(default=None, max_length=36)
    investor_type: str = Field(max_length=64)
    legal_docs_signed_on: date | None = None
    wire_received_on: date | None = None
    accreditation_status: AccreditationStatus = AccreditationStatus.NOT_VERIFIED
    accreditation_method: AccreditationMethod | None = None
    accreditation_verified_on: date | None = None
    accreditation_expires_on: date | None = None
    qualified_purchaser: QualifiedPurchaser = QualifiedPurchaser.UNKNOWN
    offering_exemption: OfferingExemption | None = None
    kyc_aml_status: KycAmlStatus = KycAmlStatus.NOT_STARTED
    k1_deliveries: list[K1In] = Field(default_factory=list, max_length=100)
    notes: Text = ""


class LpProfileUpdate(_Accreditation):
    investor_type: str | None = Field(default=None, max_length=64)
    legal_docs_signed_on: date | None = None
    wire_received_on: date | None = None
    accreditation_status: AccreditationStatus | None = None
    accreditation_method: AccreditationMethod | None = None
    accreditation_verified_on: date | None = None
    accreditation_expires_on: date | None = None
    qualified_purchaser: QualifiedPurchaser | None = None
    offering_exemption: OfferingExemption | None = None
    kyc_aml_status: KycAmlStatus | None = None
    k1_deliveries: list[K1In] | None = Field(default=None, max_length=100)
    notes: Text | None = None


class K1Read(BaseModel):
    tax_year: int
    sent_on: date
    is_amended: bool
    note: str | None


class MoneyTotals(BaseModel):
    """Sums of the investor's live opportunities in one currency, as exact decimal strings."""

    currency: str
    expected: str
    committed: str
    funded: str
    opportunities: int


class LpProfileRead(AggregateRead):
    contact_id: str | None
    organization_id: str | None
    investor_type: str
    legal_docs_signed_on: date | None
    wire_received_on: date | None
    accreditation_status: str
    accreditation_method: str | None
    accreditation_verified_on: date | None
    accreditation_expires_on: date | None
    qualified_purchaser: str
    offering_exemption: str | None
    kyc_aml_status: str
    k1_deliveries: list[K1Read]
    notes: str


class LpProfileView(LpProfileRead):
    """A profile as read: with totals derived from the opportunities, and today's accreditation."""

    totals: list[MoneyTotals]
    accreditation_current: bool


class LpProfileFilter(ListParams):
    investor_type: str | None = Field(default=None, max_length=64)
    accreditation_status: AccreditationStatus | None = None
    kyc_aml_status: KycAmlStatus | None = None
    offering_exemption: OfferingExemption | None = None
    accreditation_expires_before: date | None = None
    sort: Literal["created_at", "-created_at", "updated_at", "-updated_at"] = "-updated_at"


class LpProfilePage(BaseModel):
    items: list[LpProfileView]
    next_cursor: str | None
    total: int

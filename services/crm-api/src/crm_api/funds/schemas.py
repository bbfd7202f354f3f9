from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from crm_api.kit.schemas import AggregateRead, ListParams

CENT = Decimal("0.01")


def _to_cents(value: Decimal) -> Decimal:
    # "1E+2" and "-0" are valid amounts; store and answer them as "100.00" and "0.00".
    return value.quantize(CENT) + Decimal("0.00")


# An exact amount: a JSON string or number, at most 2 decimal places, never negative. At most 15
# significant digits (up to 9,999,999,999,999.99): SQLite keeps NUMERIC as an 8-byte float, which
# returns 15 digits exactly and no more, and an amount must read back as it was written.
Money = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2), AfterValidator(_to_cents)]
Currency = Annotated[
    str, Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
]
Vintage = Annotated[int, Field(ge=1900, le=2200)]
Position = Annotated[int, Field(ge=0, le=1_000_000)]

FundSort = Literal[
    "position",
    "-position",
    "name",
    "-name",
    "vintage",
    "-vintage",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class FundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    vintage: Vintage | None = None
    target_size: Money | None = None
    currency: Currency = "USD"
    status: str = Field(default="raising", max_length=64)
    position: Position | None = Field(
        default=None, description="column in the fundraising grid; default: after the last"
    )

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class FundUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    vintage: Vintage | None = None
    target_size: Money | None = None
    currency: Currency | None = None
    status: str | None = Field(default=None, max_length=64)
    position: Position | None = None


class FundRead(AggregateRead):
    name: str
    vintage: int | None
    target_size: Decimal | None = Field(description="exact, as a string: '250000000.00'")
    currency: str
    status: str
    position: int


class FundFilter(ListParams):
    status: str | None = Field(default=None, max_length=64)
    vintage: int | None = Field(default=None, ge=1900, le=2200)
    sort: FundSort = "position"


class FundPage(BaseModel):
    items: list[FundRead]
    next_cursor: str | None
    total: int
